import assert from "node:assert/strict";
import { CsvError, formatCell, formatCsv, parseCell, parseCsv } from "./csv.ts";
import type { Row } from "./contract.ts";

Deno.test("csv: numbers round-trip exactly, strings with commas/quotes/newlines survive", () => {
  const rows: Row[] = [
    { a: 0.1 + 0.2, b: "x,y", c: 1e-300 },
    { a: NaN, b: 'say "hi"', c: Infinity },
    { a: -Infinity, b: "two\nlines", c: -0 },
    { a: 123456789.123456789, b: "", c: 5e-324 },
  ];
  const back = parseCsv(formatCsv(rows)).rows;
  assert.equal(back.length, rows.length);
  assert.equal(back[0].a, 0.30000000000000004);
  assert.ok(Number.isNaN(back[1].a as number));
  assert.equal(back[1].c, Infinity);
  assert.equal(back[2].a, -Infinity);
  assert.equal(back[2].c, 0);
  assert.equal(back[3].a, 123456789.12345679);
  assert.equal(back[3].c, 5e-324);
  assert.deepEqual(back.map((r) => r.b), ["x,y", 'say "hi"', "two\nlines", ""]);
});

Deno.test("csv: cells parse as numbers only when they are numbers", () => {
  assert.equal(parseCell("1e3"), 1000);
  assert.equal(parseCell("-0.5"), -0.5);
  assert.equal(parseCell(".5"), 0.5);
  assert.equal(parseCell("M=100"), "M=100");
  assert.equal(parseCell("1.2.3"), "1.2.3");
  assert.equal(parseCell(""), "");
  assert.equal(formatCell(-0), "0");
});

Deno.test("csv: malformed files are clear errors", () => {
  assert.throws(() => parseCsv("", "f.csv"), CsvError);
  assert.throws(() => parseCsv("a,a\n1,2\n", "f.csv"), /repeats column "a"/);
  assert.throws(() => parseCsv("a,\n1,2\n", "f.csv"), /empty column name/);
  assert.throws(() => parseCsv("a,b\n1,2\n3\n", "f.csv"), /line 3 has 1 fields, the header has 2/);
  assert.throws(() => formatCsv([{ a: 1 }, { b: 2 }]), /row 0 has no value for column "b"/);
});

Deno.test("csv: rows of different shapes need fill; columns in first-appearance order", () => {
  assert.equal(formatCsv([{ a: 1, b: 2 }, { a: 3 }], { fill: NaN }), "a,b\n1,2\n3,NaN\n");
  assert.equal(formatCsv([{ a: 1 }, { b: 2 }], { fill: NaN }), "a,b\n1,NaN\nNaN,2\n");
  assert.equal(formatCsv([{ b: 1, a: 2 }], { columns: ["a", "b"] }), "a,b\n2,1\n");
});

Deno.test("csv: a header-only file is an empty table; trailing blank lines are ignored", () => {
  assert.deepEqual(parseCsv("a,b\n"), { columns: ["a", "b"], rows: [] });
  assert.equal(parseCsv("a\n1\n\n\n").rows.length, 1);
});

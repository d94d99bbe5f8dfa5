import assert from "node:assert/strict";
import { formatCsv, parseCsv } from "./csv.ts";
import {
  cellsClose,
  compareWithGolden,
  diffTables,
  formatDiff,
  parseToleranceSpec,
  ToleranceSpecError,
} from "./golden.ts";
import type { Row } from "./contract.ts";

const spec = parseToleranceSpec(
  JSON.stringify({
    keys: ["k"],
    default: { atol: 0, rtol: 1e-6 },
    columns: { x: { atol: 0.01, rtol: 0, why: "seed spread" } },
  }),
);
const table = (rows: Row[]) => parseCsv(formatCsv(rows));
const golden = table([{ k: "a", x: 1, y: 10 }, { k: "b", x: 2, y: NaN }]);

Deno.test("tolerance spec: valid specs parse, defaults apply", () => {
  assert.deepEqual(spec.keys, ["k"]);
  assert.deepEqual(spec.columns.x, { atol: 0.01, rtol: 0 });
  assert.equal(spec.seed, 0);
  const bare = parseToleranceSpec('{"keys": ["a", "b"]}');
  assert.deepEqual(bare.default, { atol: 0, rtol: 0 });
});

Deno.test("tolerance spec: every malformed field is rejected with its name", () => {
  const bad: [string, RegExp][] = [
    ["not json", /not valid JSON/],
    ["[]", /must be a JSON object/],
    ['{"keys": []}', /"keys" must be a non-empty array/],
    ['{"keys": ["a", "a"]}', /repeats a column/],
    ['{"keys": ["a"], "default": {"atol": -1}}', /default.atol must be a finite number ≥ 0/],
    ['{"keys": ["a"], "columns": {"x": {"rtol": "1"}}}', /columns.x.rtol/],
    ['{"keys": ["a"], "columns": {"x": {"tol": 1}}}', /unknown field "tol"/],
    ['{"keys": ["a"], "columns": {"a": {"atol": 1}}}', /key column "a" cannot have a tolerance/],
    ['{"keys": ["a"], "seed": 1.5}', /"seed" must be an integer/],
    ['{"keys": ["a"], "extra": 1}', /unknown field "extra"/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseToleranceSpec(text, "t.json"), (e: unknown) => {
      assert.ok(e instanceof ToleranceSpecError);
      assert.match((e as Error).message, /^t\.json: /);
      assert.match((e as Error).message, re);
      return true;
    });
  }
});

Deno.test("cellsClose: atol + rtol·|expected|, NaN equals NaN, strings exact", () => {
  assert.ok(cellsClose(1.009, 1, { atol: 0.01, rtol: 0 }));
  assert.ok(!cellsClose(1.011, 1, { atol: 0.01, rtol: 0 }));
  assert.ok(cellsClose(101, 100, { atol: 0, rtol: 0.01 }));
  assert.ok(cellsClose(NaN, NaN, { atol: 0, rtol: 0 }));
  assert.ok(!cellsClose(NaN, 1, { atol: 1, rtol: 1 }));
  assert.ok(!cellsClose(1, NaN, { atol: 1, rtol: 1 }));
  assert.ok(cellsClose(Infinity, Infinity, { atol: 0, rtol: 0 }));
  assert.ok(!cellsClose(Infinity, 1e308, { atol: 0, rtol: 1 }));
  assert.ok(cellsClose("a", "a", { atol: 0, rtol: 0 }));
  assert.ok(!cellsClose("1", 1, { atol: 1, rtol: 0 }));
});

Deno.test("diff: rows match by key regardless of order, within tolerance", () => {
  const obtained = table([{ k: "b", x: 2.005, y: NaN }, { k: "a", x: 1, y: 10.000001 }]);
  const d = diffTables(obtained, golden, spec);
  assert.ok(d.ok, formatDiff(d));
  assert.equal(d.matchedRows, 2);
});

Deno.test("diff: a value out of tolerance is reported with obtained, expected and error", () => {
  const d = diffTables(table([{ k: "a", x: 1.5, y: 10 }, { k: "b", x: 2, y: 3 }]), golden, spec);
  assert.ok(!d.ok);
  assert.equal(d.mismatches.length, 2);
  const text = formatDiff(d);
  assert.match(text, /x: 1\/2 cells \(50\.0%\), max abs error 0\.50000000/);
  assert.match(text, /y: 1\/2 cells/);
  assert.match(text, /k=a\s+x\s+1\.5000000\s+1\.0000000\s+0\.50000000\s+0\.010000000/);
  assert.match(text, /k=b\s+y\s+3\.0000000\s+NaN/);
});

Deno.test("diff: missing and extra columns and rows, duplicate keys all fail", () => {
  const cases: [Row[], RegExp][] = [
    [[{ k: "a", x: 1 }, { k: "b", x: 2 }], /column "y" is in the golden, missing from the output/],
    [
      [{ k: "a", x: 1, y: 10, z: 0 }, { k: "b", x: 2, y: NaN, z: 0 }],
      /column "z" is in the output, not in the golden/,
    ],
    [[{ k: "a", x: 1, y: 10 }], /1 golden row\(s\) missing from the output: \(k=b\)/],
    [
      [{ k: "a", x: 1, y: 10 }, { k: "b", x: 2, y: NaN }, { k: "c", x: 3, y: 1 }],
      /1 extra row\(s\) in the output: \(k=c\)/,
    ],
    [
      [{ k: "a", x: 1, y: 10 }, { k: "a", x: 1, y: 10 }, { k: "b", x: 2, y: NaN }],
      /the output has two rows with key \(k=a\)/,
    ],
    [[{ j: "a", x: 1, y: 10 }], /key column "k" is not in the output/],
  ];
  for (const [rows, re] of cases) {
    const d = diffTables(table(rows), golden, spec);
    assert.ok(!d.ok);
    assert.match(formatDiff(d), re);
  }
});

async function withGolden(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/golden/p`, { recursive: true });
    await Deno.writeTextFile(`${dir}/golden/p/c.tolerance.json`, JSON.stringify({ keys: ["k"] }));
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const opts = (dir: string, csv: string, update: "none" | "failing" | "all" = "none") => ({
  goldenDir: `${dir}/golden`,
  id: "p/c",
  profile: "quick" as const,
  seed: 0,
  obtainedCsv: csv,
  obtainedPath: `${dir}/out/p/c.obtained.csv`,
  update,
});

Deno.test("golden flow: missing golden fails with the command that creates it", async () => {
  await withGolden(async (dir) => {
    const r = await compareWithGolden(opts(dir, "k,x\na,1\n"));
    assert.equal(r.status, "missing");
    assert.ok(!r.ok);
    assert.match(r.detail, /deno task replicate p\/c --profile quick --update-golden/);
    await assert.rejects(Deno.stat(`${dir}/golden/p/c.quick.csv`));
  });
});

Deno.test("golden flow: drift fails, writes the obtained CSV, never the golden", async () => {
  await withGolden(async (dir) => {
    await Deno.writeTextFile(`${dir}/golden/p/c.quick.csv`, "k,x\na,1\n");
    const r = await compareWithGolden(opts(dir, "k,x\na,2\n"));
    assert.equal(r.status, "drift");
    assert.ok(!r.ok);
    assert.equal(await Deno.readTextFile(`${dir}/golden/p/c.quick.csv`), "k,x\na,1\n");
    assert.equal(await Deno.readTextFile(`${dir}/out/p/c.obtained.csv`), "k,x\na,2\n");
    assert.match(r.detail, /k=a\s+x\s+2\.0000000\s+1\.0000000/);
  });
});

Deno.test("golden flow: --update-golden rewrites failing/missing only; =all rewrites all", async () => {
  await withGolden(async (dir) => {
    const g = `${dir}/golden/p/c.quick.csv`;
    const created = await compareWithGolden(opts(dir, "k,x\na,1\n", "failing"));
    assert.equal(created.status, "created");
    const same = await compareWithGolden(opts(dir, "k,x\na,1\n", "failing"));
    assert.equal(same.status, "match");
    const before = (await Deno.stat(g)).mtime;
    await new Promise((r) => setTimeout(r, 20));
    await compareWithGolden(opts(dir, "k,x\na,1\n", "failing"));
    assert.deepEqual((await Deno.stat(g)).mtime, before, "a matching golden is not rewritten");
    const upd = await compareWithGolden(opts(dir, "k,x\na,3\n", "failing"));
    assert.equal(upd.status, "updated");
    assert.equal(await Deno.readTextFile(g), "k,x\na,3\n");
    const all = await compareWithGolden(opts(dir, "k,x\na,3\n", "all"));
    assert.equal(all.status, "updated");
    const leftovers = [...Deno.readDirSync(`${dir}/golden/p`)].map((e) => e.name).sort();
    assert.deepEqual(leftovers, ["c.quick.csv", "c.tolerance.json"], "no temp files remain");
  });
});

Deno.test("golden flow: a missing tolerance spec or another seed is reported, not guessed", async () => {
  await withGolden(async (dir) => {
    await Deno.remove(`${dir}/golden/p/c.tolerance.json`);
    const r = await compareWithGolden(opts(dir, "k,x\na,1\n", "failing"));
    assert.equal(r.status, "error");
    assert.match(r.detail, /no tolerance spec/);
  });
  await withGolden(async (dir) => {
    const r = await compareWithGolden({ ...opts(dir, "k,x\na,1\n"), seed: 7 });
    assert.equal(r.status, "skipped");
    assert.ok(r.ok);
  });
});

Deno.test("golden flow: a malformed golden CSV is an error naming the file", async () => {
  await withGolden(async (dir) => {
    await Deno.writeTextFile(`${dir}/golden/p/c.quick.csv`, "k,x\na,1,2\n");
    await assert.rejects(compareWithGolden(opts(dir, "k,x\na,1\n")), /c\.quick\.csv: line 2/);
  });
});

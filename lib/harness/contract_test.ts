import assert from "node:assert/strict";
import { type CheckItem, defineReplication, verdictAccepted, verdictOf } from "./contract.ts";
import { groupBy, num } from "./check.ts";

const item = (pass: boolean): CheckItem => ({ name: "x", pass, measured: "", expected: "" });

Deno.test("verdictOf: all pass → REPRODUCED; all core fail → NOT REPRODUCED; else PARTIAL", () => {
  assert.equal(verdictOf([item(true), item(true)], "").verdict, "REPRODUCED");
  assert.equal(verdictOf([item(true), item(false)], "").verdict, "PARTIAL");
  assert.equal(verdictOf([item(false), item(false)], "").verdict, "NOT REPRODUCED");
  assert.equal(verdictOf([item(false), item(true)], "", [0]).verdict, "NOT REPRODUCED");
  assert.equal(verdictOf([item(true), item(false)], "", [0]).verdict, "PARTIAL");
  assert.throws(() => verdictOf([], ""), /at least one item/);
  assert.throws(() => verdictOf([item(true)], "", [3]), /core index/);
});

Deno.test("verdictAccepted: REPRODUCED always; otherwise only the recorded verdict", () => {
  const partial = verdictOf([item(true), item(false)], "");
  assert.ok(verdictAccepted(verdictOf([item(true)], "")));
  assert.ok(!verdictAccepted(partial));
  assert.ok(verdictAccepted(partial, { verdict: "PARTIAL", why: "" }));
  assert.ok(!verdictAccepted(partial, { verdict: "NOT REPRODUCED", why: "" }));
});

Deno.test("groupBy keeps first-appearance order; num names a non-numeric column", () => {
  const g = groupBy([{ p: "b", x: 1 }, { p: "a", x: 2 }, { p: "b", x: 3 }], "p");
  assert.deepEqual([...g.keys()], ["b", "a"]);
  assert.deepEqual(g.get("b")!.map((r) => r.x), [1, 3]);
  assert.throws(() => groupBy([{ x: 1 }], "p"), /no column "p"/);
  assert.throws(() => num({ a: "s" }, "a"), /column "a" is not numeric/);
});

const spec = {
  title: "t",
  claim: {
    statement: "s",
    source: "x",
    paperValue: "1",
    scale: { quick: "q", full: "f" },
    deviations: [],
  },
  grid: () => [{ a: 1 }],
  cell: () => [{ a: 1 }],
  check: () => verdictOf([item(true)], ""),
  tolerances: { keys: ["a"], default: { atol: 0, why: "exact" } },
};

Deno.test("defineReplication: a complete spec passes; each malformed field is named", () => {
  assert.equal(defineReplication(spec), spec);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ title: 1 }, /"title" must be a string/],
    [{ grid: undefined }, /"grid" must be a function/],
    [{ tolerances: { keys: [] } }, /tolerances.keys must be a non-empty list/],
    [{ tolerances: { keys: ["a"], columns: { x: { atol: -1, why: "w" } } } }, /columns.x.atol/],
    [
      { tolerances: { keys: ["a"], columns: { x: { atol: 1 } } } },
      /columns.x needs a one-line "why"/,
    ],
    [{ tolerances: { keys: ["a"], columns: { a: { atol: 1, why: "w" } } } }, /key column "a"/],
    [{ recorded: { huge: { verdict: "PARTIAL", why: "w" } } }, /recorded.huge/],
  ];
  for (const [patch, re] of bad) {
    assert.throws(() => defineReplication({ ...spec, ...patch } as never), re);
  }
});

import assert from "node:assert/strict";
import {
  above,
  atLeast,
  atMost,
  below,
  between,
  fmt,
  holds,
  ordered,
  where,
  within,
} from "./check.ts";

Deno.test("check helpers: one threshold gives name, measured, expected and pass", () => {
  const i = atLeast("NC", 0.9966, 0.99);
  assert.deepEqual(i, { name: "NC", pass: true, measured: "0.9966", expected: "≥ 0.9900" });
  assert.equal(atMost("err", 2e-3, 1e-3).pass, false);
  assert.equal(atMost("err", 1e-3, 1e-3).pass, true);
  assert.equal(below("p", 1e-3, 1e-3).pass, false);
  assert.equal(above("gap", 0.31, 0.3).pass, true);
  assert.equal(within("slope", 0.47, 0.5, 0.05).expected, "0.5000 ± 0.05000");
  assert.equal(within("slope", 0.44, 0.5, 0.05).pass, false);
  assert.equal(between("r", 0.93, 0.94, 1).pass, false);
  assert.equal(holds("x", true, "m", "e").pass, true);
});

Deno.test("check helpers: NaN never passes", () => {
  for (
    const item of [
      atLeast("a", NaN, 0),
      atMost("a", NaN, 0),
      below("a", NaN, 1),
      above("a", NaN, -1),
      within("a", NaN, 0, 1),
      between("a", NaN, -1, 1),
      ordered("a", [1, NaN, 3], "increasing"),
      ordered("a", [3, NaN, 1], "decreasing", { strict: false }),
    ]
  ) {
    assert.equal(item.pass, false, item.name + " " + item.measured);
  }
});

Deno.test("ordered: strict and non-strict, slack, labels; one value is not an order", () => {
  assert.ok(ordered("o", [1, 2, 3], "increasing").pass);
  assert.ok(!ordered("o", [1, 1, 3], "increasing").pass);
  assert.ok(ordered("o", [1, 1, 3], "increasing", { strict: false }).pass);
  assert.ok(ordered("o", [3, 2.01, 2.02, 1], "decreasing", { slack: 0.05 }).pass);
  assert.ok(!ordered("o", [3, 2.01, 2.1, 1], "decreasing", { slack: 0.05 }).pass);
  assert.ok(!ordered("o", [1], "increasing").pass);
  assert.equal(
    ordered("o", [2, 1], "decreasing", { labels: ["a", "b"] }).measured,
    "a: 2 > b: 1",
  );
});

Deno.test("fmt and where", () => {
  assert.equal(fmt(0.123456), "0.1235");
  assert.equal(fmt(1.5e-7), "1.500e-7");
  assert.equal(fmt(42), "42");
  assert.equal(fmt(Infinity), "∞");
  assert.equal(fmt(0.5, { unit: "%", digits: 2 }), "0.50%");
  assert.deepEqual(where([{ a: 1, b: "x" }, { a: 2, b: "x" }], { a: 2 }), [{ a: 2, b: "x" }]);
});

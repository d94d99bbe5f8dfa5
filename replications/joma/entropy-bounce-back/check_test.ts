import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

function summary(over: Partial<Record<string, number | string>>): Row {
  return {
    row: "summary",
    mu: "authors",
    kind: "nonlinear",
    eta: 0.02,
    steps: 5000,
    seed: 0,
    step: 669,
    time: 13.38,
    value: 0.9418,
    component: -1,
    h0: Math.log(10),
    h_end: 1.5495,
    rise: 0.61,
    h_limit: 1.6217,
    ...over,
  } as Row;
}

function rows(main: Partial<Record<string, number | string>> = {}, lin = {}, long = {}): Row[] {
  return [
    summary(main),
    summary({ kind: "linear", step: 400, value: -1e-8, h_end: -1e-8, rise: 0, ...lin }),
    summary({ steps: 200000, h_end: 1.62172, ...long }),
    summary({ mu: "seeded", seed: 1, rise: 0.1 }),
  ];
}

Deno.test("entropy-bounce-back check: passes on the authors' numbers", () => {
  const r = check(rows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("entropy-bounce-back check: a monotone fall (no bounce) fails", () => {
  const r = check(rows({ step: 4999, value: 0.5, h_end: 0.5, rise: 0 }));
  assert.equal(r.items[1].pass, false);
  assert.equal(r.items[2].pass, false);
  assert.notEqual(r.verdict, "REPRODUCED");
});

Deno.test("entropy-bounce-back check: wrong numbers, a wrong limit or a bouncing linear case fail", () => {
  assert.equal(check(rows({ value: 0.9 })).items[2].pass, false);
  assert.equal(check(rows({ step: 700 })).items[2].pass, false);
  assert.equal(check(rows({}, {}, { h_end: 1.5 })).items[3].pass, false);
  assert.equal(check(rows({}, { rise: 0.2 })).items[4].pass, false);
});

Deno.test("entropy-bounce-back check: NaN never passes", () => {
  const r = check(rows({ h0: NaN, rise: NaN }));
  assert.equal(r.items[0].pass, false);
  assert.equal(r.items[1].pass, false);
});

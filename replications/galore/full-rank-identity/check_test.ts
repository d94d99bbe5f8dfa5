import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check, trajectoryDeviation } from "./replication.ts";

function rows(sgd: number, adam: number, trunc: number): Row[] {
  const out: Row[] = [];
  for (const step of [50, 100]) {
    const base = { seed: 0, loss: "mse", step, loss_full: 1, loss_galore: 1 };
    out.push({ ...base, rule: "sgd", variant: "r=min", loss_rel_dev: sgd, weight_dev: sgd });
    out.push({ ...base, rule: "sgd", variant: "r=4", loss_rel_dev: trunc, weight_dev: trunc });
    out.push({ ...base, rule: "adam", variant: "r=min", loss_rel_dev: adam, weight_dev: adam });
  }
  return out;
}

Deno.test("full-rank-identity check: SGD identity with both controls deviating reproduces", () => {
  const r = check(rows(2e-7, 0.9, 0.5), "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("full-rank-identity check: a GaLore-SGD that leaves the trajectory fails", () => {
  const r = check(rows(3e-3, 0.9, 0.5), "quick");
  assert.equal(r.items[0].pass, false);
  assert.notEqual(r.verdict, "REPRODUCED");
});

Deno.test("full-rank-identity check: an Adam control equal to full-rank (projection not applied) fails", () => {
  const r = check(rows(2e-7, 1e-7, 1e-7), "quick");
  assert.equal(r.items[1].pass, false);
  assert.equal(r.items[2].pass, false);
  assert.equal(r.verdict, "PARTIAL");
  assert.equal(check(rows(1, 1e-7, 0.5), "quick").verdict, "NOT REPRODUCED");
});

Deno.test("full-rank-identity check: NaN never passes", () => {
  const r = check(rows(NaN, NaN, NaN), "quick");
  assert.ok(r.items.every((i) => !i.pass));
});

Deno.test("trajectoryDeviation: relative to the distance travelled", () => {
  const rec = (w: number[]) => ({ step: 1, loss: 0, weights: [Float32Array.from(w)] });
  const d = trajectoryDeviation(rec([1, 1]), rec([1, 2]), rec([0, 1]));
  assert.equal(d, 1);
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

const M = 122;
/** Synthetic curves: train −log p decays from ln M to `trainEnd`, validation follows `val`. */
function rows(seeds: number, trainEnd: number, val: (epoch: number) => number): Row[] {
  const out: Row[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    for (const epoch of [0, 1, 10, 50, 100, 250]) {
      out.push({
        seed,
        epoch,
        train_nll: trainEnd + (Math.log(M) - trainEnd) * Math.exp(-epoch / 30),
        val_nll: val(epoch),
        chance_nll: Math.log(M),
        threshold_nll: Math.log(M / 2),
        M,
      });
    }
  }
  return out;
}

Deno.test("passes: train −log p → 0, untrained direction at or below chance", () => {
  const r = check(rows(3, 0.002, (e) => Math.log(M) + e / 20), "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("fails when the untrained direction is learned (no reversal curse)", () => {
  const r = check(rows(3, 0.002, (e) => Math.log(M) * Math.exp(-e / 40)), "quick");
  assert.equal(r.verdict, "PARTIAL");
  assert.ok(!r.items[1].pass);
});

Deno.test("fails when training does not converge, and with too few seeds", () => {
  const r = check(rows(2, 0.4, () => Math.log(M)), "quick");
  assert.ok(!r.items[0].pass && !r.items[2].pass);
  assert.equal(check(rows(3, 0.002, () => Math.log(M)), "full").items[2].pass, false);
});

Deno.test("NaN never passes", () => {
  const r = check(rows(3, NaN, () => NaN), "quick");
  assert.equal(r.verdict, "NOT REPRODUCED");
});

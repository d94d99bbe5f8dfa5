import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

const V = 128;
/**
 * Synthetic logged runs: the training loss falls as e^{−k·s} at log-steps s, the reverse loss
 * moves by the exponent `c(d)` (its ratio is the training ratio to the power c), the reverse
 * probability is `pRev`, ε is `eps(d)`.
 */
function rows(c: (d: number) => number, pRev = 1 / V, eps = (d: number) => 4 / Math.sqrt(d)) {
  const out: Row[] = [];
  for (const d of [16, 64, 256]) {
    for (const seed of [1, 2, 3]) {
      for (const [k, step] of [0, 1, 10, 100, 1000, 2000].entries()) {
        const trainRatio = Math.exp(-1.5 * k);
        const l0 = Math.log(V);
        const revRatio = Math.pow(trainRatio, c(d));
        out.push({
          d,
          seed,
          step,
          train_loss: l0 * trainRatio,
          rev_loss: l0 * revRatio,
          train_ratio: trainRatio,
          rev_ratio: revRatio,
          bound_ratio: Math.pow(trainRatio, eps(d)),
          train_prob: 1 - trainRatio,
          rev_prob: pRev,
          rev_prob_max: pRev,
          epsilon: eps(d),
          vocab: V,
        });
      }
    }
  }
  return out;
}

Deno.test("passes when the reverse loss moves with a small exponent that falls with d", () => {
  const r = check(rows((d) => 0.5 / d), "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("fails when the reverse sentences are learned as fast as the forward ones", () => {
  // A symmetric model: L_rev falls like L (c = 1 > ε) and p(A_i|B_i) → 1.
  const r = check(rows(() => 1, 0.9), "quick");
  assert.equal(r.verdict, "NOT REPRODUCED", JSON.stringify(r.items, null, 1));
  assert.ok(!r.items[0].pass && !r.items[2].pass);
});

Deno.test("fails the trend when the exponent does not fall with d", () => {
  const r = check(rows((d) => 0.001 * d / 256), "quick");
  assert.equal(r.verdict, "PARTIAL");
  assert.ok(r.items[0].pass && !r.items[3].pass);
});

Deno.test("NaN never passes", () => {
  const bad = rows((d) => 0.5 / d).map((r) => ({ ...r, rev_ratio: NaN, rev_loss: NaN }));
  const r = check(bad, "quick");
  assert.notEqual(r.verdict, "REPRODUCED");
  assert.ok(!r.items[0].pass);
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";
import { rateExponent, trainBound } from "../../../lib/science/reversal/onelayer.ts";

const M = 122, N = 30, ETA = 0.5, T0 = (N * M) / ETA;

/** Synthetic logs: one-hop p follows the bound with exponent `c`; direct p is `pDirect`. */
function rows(c: number, pDirect: (t: number) => number, cot = 1): Row[] {
  const out: Row[] = [];
  for (const seed of [1, 2, 3]) {
    for (const t of [0, 10, 1000, T0, 3 * T0, 10 * T0, 30 * T0]) {
      const p = t === 0 ? 1 / M : Math.max(1 / M, trainBound(M, ETA, N, t, c));
      out.push({
        seed,
        step: t,
        p_ab_min: p,
        p_bc_min: p,
        p_hop_min: p,
        gap_hop_min: 1 - p,
        p_ac_max: pDirect(t),
        p_ac_mean: pDirect(t),
        worst_direct: "4 ⇝ 9 (via 6)",
        p_chain_min: p * p,
        cot_acc: t >= T0 ? cot : 0,
        rate_c: t > 0 ? rateExponent(M, ETA, N, t, p) : NaN,
        bound: trainBound(M, ETA, N, t, 0.5),
        bound_gap: t > 0 ? 1 - trainBound(M, ETA, N, t, 0.5) : NaN,
        inv_m: 1 / M,
        t0: T0,
        M,
        N,
      });
    }
  }
  return out;
}

Deno.test("passes: one-hop learned at the rate, direct below 1/M, CoT recovers C_i", () => {
  const r = check(rows(0.9, () => 0.1 / M), "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("fails when the model concludes A_i ⇝ C_i directly (transitivity)", () => {
  const r = check(rows(0.9, (t) => (t > T0 ? 0.5 : 1 / M)), "quick");
  assert.equal(r.verdict, "PARTIAL");
  assert.ok(!r.items[1].pass && r.items[1].measured.includes("4 ⇝ 9"));
});

Deno.test("fails when chain-of-thought decoding misses a test index", () => {
  const r = check(rows(0.9, () => 0.1 / M, 8 / 9), "quick");
  assert.ok(!r.items[2].pass);
});

Deno.test("NaN never passes", () => {
  const bad = rows(0.9, () => NaN, NaN).map((r) => ({ ...r, p_hop_min: NaN }));
  assert.equal(check(bad, "quick").verdict, "NOT REPRODUCED");
});

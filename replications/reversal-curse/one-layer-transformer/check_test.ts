import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";
import { rateExponent, trainBound } from "../../../lib/science/reversal/onelayer.ts";

const M = 122, N = 30, ETA = 0.5, T0 = (N * M) / ETA;

/** Synthetic logs: worst train p follows the bound with exponent `c`, worst test p is `pTest`. */
function rows(c: number, pTest: (t: number) => number): Row[] {
  const out: Row[] = [];
  for (const seed of [1, 2, 3]) {
    for (const t of [0, 10, 1000, T0, 3 * T0, 10 * T0, 30 * T0]) {
      const p = t === 0 ? 1 / M : Math.max(1 / M, trainBound(M, ETA, N, t, c));
      out.push({
        seed,
        step: t,
        p_train_min: p,
        p_train_mean: p,
        gap_train_min: 1 - p,
        p_test_max: pTest(t),
        p_test_mean: pTest(t),
        worst_test: "5 ← 7",
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

Deno.test("passes when train p follows the rate with c = 0.9 and test p stays below 1/M", () => {
  const r = check(rows(0.9, () => 0.8 / M), "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("fails the test side when one reversed pair rises above 1/M", () => {
  const r = check(rows(0.9, (t) => (t === 10 * T0 ? 3 / M : 0.8 / M)), "quick");
  assert.equal(r.verdict, "PARTIAL");
  assert.ok(!r.items[1].pass && r.items[1].measured.includes("5 ← 7"));
});

Deno.test("fails the train side when the rate is too slow (c = 0.3)", () => {
  const r = check(rows(0.3, () => 0.8 / M), "quick");
  assert.ok(!r.items[0].pass && !r.items[2].pass, JSON.stringify(r.items, null, 1));
});

Deno.test("NaN never passes", () => {
  const bad = rows(0.9, () => NaN).map((r) => ({ ...r, p_train_min: NaN }));
  assert.equal(check(bad, "quick").verdict, "NOT REPRODUCED");
});

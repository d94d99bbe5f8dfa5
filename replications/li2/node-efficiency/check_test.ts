import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** Rows for M = 7 as the theorem predicts; `patch` may change any row. */
function rows(patch: (r: Row) => Row = (r) => r): Row[] {
  const M = 7;
  const out: Row[] = [];
  for (const drop of [0, 1, 2, 3, 4, 5]) {
    out.push({
      M,
      node_set: "complex_fourier",
      K: 2 * (M - 1 - drop),
      irreps_missing: drop,
      residual: drop === 0 ? 1e-30 : drop / (M - 1),
      predicted: drop / (M - 1),
      rank: 2 * (M - 1 - drop),
    });
  }
  out.push({
    M,
    node_set: "complex_fourier_plus_only",
    K: M - 1,
    irreps_missing: 0,
    residual: 0.5,
    predicted: NaN,
    rank: M - 1,
  });
  out.push({
    M,
    node_set: "real_fourier_cc_ss",
    K: 12,
    irreps_missing: 0,
    residual: 0.5,
    predicted: NaN,
    rank: 12,
  });
  out.push({
    M,
    node_set: "real_fourier_cc_ss_sum",
    K: 18,
    irreps_missing: 0,
    residual: 1e-30,
    predicted: NaN,
    rank: 18,
  });
  for (const K of [12, 12, 25, 42, 47, 48, 49]) {
    out.push({
      M,
      node_set: "random_real",
      K,
      irreps_missing: NaN,
      residual: K >= 48 ? 1e-30 : 0.9 - K / 100,
      predicted: NaN,
      rank: K,
    });
  }
  return out.map(patch);
}

Deno.test("node-efficiency: 2M − 2 Fourier nodes exact, fewer leave j/(M−1), random need M² − 1", () => {
  const r = check(rows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items.filter((i) => !i.pass)));
});

Deno.test("node-efficiency: a residual at 2M − 2 nodes, or random nodes exact early, fail", () => {
  const inexact = check(
    rows((r) =>
      r.node_set === "complex_fourier" && r.irreps_missing === 0 ? { ...r, residual: 1e-6 } : r
    ),
  );
  assert.equal(inexact.items[0].pass, false);
  const early = check(
    rows((r) => r.node_set === "random_real" && r.K === 42 ? { ...r, residual: 1e-20 } : r),
  );
  assert.ok(early.items.some((i) => !i.pass && /M²/.test(i.name)));
  const wrongShare = check(
    rows((r) =>
      r.node_set === "complex_fourier" && r.irreps_missing === 2 ? { ...r, residual: 0.5 } : r
    ),
  );
  assert.ok(wrongShare.items.some((i) => !i.pass && /missing irreps/.test(i.name)));
  assert.notEqual(check(rows((r) => ({ ...r, residual: NaN }))).verdict, "REPRODUCED");
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** Synthetic rows shaped like the run's, with ‖G_F‖ following the lemma's limits. */
function rows(
  opts: { narrowVanishes?: boolean; formsDiffer?: number; lemmaSlope?: number } = {},
): Row[] {
  const out: Row[] = [];
  for (const K of [10, 80]) {
    for (const eta of [1e-2, 1, 1e4]) {
      const d = opts.formsDiffer ?? 1e-12;
      out.push({ part: "closed_form", K, eta, G_norm: 1, rel_diff_direct: d, rel_diff_dual: d });
    }
  }
  const etas = Array.from({ length: 29 }, (_, i) => 10 ** (-6 + 0.5 * i));
  for (const eta of etas) {
    const g = opts.narrowVanishes ? eta / (1 + eta) ** 2 : 1 / (1 + eta);
    out.push({ part: "eta_sweep_narrow", K: 15, eta, G_norm: g });
  }
  for (const eta of etas) {
    out.push({ part: "eta_sweep_wide", K: 200, eta, G_norm: eta / (1 + eta) ** 2 });
  }
  for (const K of [5, 9, 16, 50, 158, 500, 1581, 5000, 15811]) {
    out.push({ part: "width_sweep", K, eta: 1, G_norm: K ** -1.5 });
  }
  for (const K of [100, 1000, 10000, 100000]) {
    const err = 3 * K ** (opts.lemmaSlope ?? -0.5);
    out.push({ part: "lemma_form", K, eta: 1, G_norm: 1, lemma_rel_err: err });
  }
  return out;
}

Deno.test("li2/backprop-gradient-vanishes check: passes when G_F vanishes in the three limits", () => {
  const r = check(rows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("li2/backprop-gradient-vanishes check: fails on a violation of the lemma", () => {
  // a narrow layer whose G_F also vanishes at η → 0 (the limit needs K ≥ n)
  const narrow = check(rows({ narrowVanishes: true }));
  assert.notEqual(narrow.verdict, "REPRODUCED");
  assert.equal(narrow.items.filter((i) => !i.pass).length, 1);
  // the closed form disagrees with the definition
  assert.notEqual(check(rows({ formsDiffer: 1e-3 })).verdict, "REPRODUCED");
  // the isotropic form does not approach G_F
  assert.notEqual(check(rows({ lemmaSlope: 0 })).verdict, "REPRODUCED");
});

Deno.test("li2/backprop-gradient-vanishes check: NaN never passes", () => {
  const nan = rows().map((r) => ({ ...r, G_norm: NaN, lemma_rel_err: NaN }));
  const r = check(nan);
  assert.notEqual(r.verdict, "REPRODUCED");
  assert.ok(r.items.slice(1).every((i) => !i.pass));
});

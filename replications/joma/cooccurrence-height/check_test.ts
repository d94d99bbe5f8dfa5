import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check, rhoOf } from "./replication.ts";

/** Rows of exact trees (b = 2, L = 4, 8, 16) with a perturbation hook. */
function rows(patch: (r: Row) => Row = (r) => r): Row[] {
  const out: Row[] = [];
  for (const L of [4, 8, 16]) {
    const rho = rhoOf(L);
    for (let H = 1; H <= L; H++) {
      const exact = rho ** H;
      out.push(patch({
        b: 2,
        L,
        H,
        rho,
        sampler: "tree",
        exact,
        closed_form: exact,
        approx: 1 - H / L,
        error: exact - (1 - H / L),
        mc: exact,
        mc_m: 5000,
        z: 0.5,
      }));
    }
  }
  return out;
}

Deno.test("cooccurrence-height check: passes on the exact model", () => {
  const r = check(rows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("cooccurrence-height check: a generator that disagrees with the exact value fails", () => {
  const r = check(rows((x) => (x.L === 8 && x.H === 3 ? { ...x, z: 6 } : x)));
  assert.equal(r.items[0].pass, false);
});

Deno.test("cooccurrence-height check: co-occurrence not falling with H, or far from 1 − H/L, fails", () => {
  // an exponential decay at the wrong rate: ρ = 1 − 2/L (P ≈ 1 − 2H/L)
  const wrong = rows((x) => {
    const exact = (1 - 2 / Number(x.L)) ** Number(x.H);
    return { ...x, exact, closed_form: exact, error: exact - (1 - Number(x.H) / Number(x.L)) };
  });
  const r = check(wrong);
  assert.equal(r.items[2].pass, false);
  const flat = check(rows((x) => ({ ...x, exact: 0.5, closed_form: 0.5 })));
  assert.equal(flat.items[1].pass, false);
});

Deno.test("cooccurrence-height check: NaN never passes", () => {
  const r = check(rows((x) => ({ ...x, z: NaN, error: NaN })));
  assert.equal(r.items[0].pass, false);
  assert.equal(r.items[2].pass, false);
  assert.equal(r.items[3].pass, false);
});

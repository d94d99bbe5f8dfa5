import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { erf, erfinv } from "../../../lib/science/joma/dynamics.ts";
import { check } from "./replication.ts";

interface Over {
  /** Perturb the erf ratio of component 0. */
  ratioNoise?: number;
  /** Late growth of the salient ODE component (per unit time, in units of Δ*). */
  starRate?: number;
  /** Offset of a non-salient component from its limit. */
  limitOff?: number;
  /** Trained model: late growth of component 9 (0.45 = the star's). */
  grow9?: number;
  /** Trained model: late growth of component 1. */
  grow1?: number;
  /** Trained model: final top singular-value share. */
  massEnd?: number;
  /** Row ODE: final share. */
  rowMass?: number;
}

function rows(o: Over = {}): Row[] {
  const out: Row[] = [];
  const D = [0.5, 1, 2];
  for (const t of [0, 50, 100]) {
    D.forEach((d, l) => {
      const star = l === 2;
      const limit = star ? NaN : Math.SQRT2 * erfinv(d / 2);
      const v = t === 0 ? 0 : star ? 3 + (o.starRate ?? 1) * d * t : limit + (o.limitOff ?? 0);
      const ratio = t === 0 ? 0 : star ? 1 / d : erf(v / Math.SQRT2) / d;
      out.push({
        part: "ode",
        set: "authors-mu",
        seed: 0,
        t,
        component: l,
        delta: d,
        is_star: star ? 1 : 0,
        v,
        ratio: ratio + (l === 0 && t > 0 ? o.ratioNoise ?? 0 : 0),
        limit,
      });
    });
  }
  for (const t of [0, 800]) {
    for (const l of [0, 1]) {
      out.push({
        part: "ode-rows",
        set: "gaussian",
        seed: 0,
        t,
        component: l,
        delta: 1,
        is_star: l === 0 ? 1 : 0,
        v: 1,
        ratio: t === 0 ? 0 : 0.5,
        limit: NaN,
        top_mass: t === 0 ? NaN : o.rowMass ?? 0.999,
      });
    }
  }
  for (const seed of [0, 1]) {
    for (const [t, f] of [[0, 0], [1500, 1], [1999, 2]]) {
      for (let l = 0; l < 10; l++) {
        const late = l === 0
          ? 0.5
          : l === 1
          ? o.grow1 ?? 0.02
          : l === 9
          ? -(o.grow9 ?? 0.05)
          : 0.01;
        out.push({
          part: "trained",
          set: "gaussian",
          seed,
          t,
          component: l,
          delta: l === 0 ? 0.09 : 0.05 - 0.01 * l,
          v: f === 0 ? 0 : 0.2 + (f - 1) * late,
          top_mass: f === 0 ? 0.17 : f === 1 ? 0.8 : o.massEnd ?? 0.97,
        });
      }
    }
  }
  return out;
}

Deno.test("salient-takes-all check: passes on the paper's assertion", () => {
  const r = check(rows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("salient-takes-all check: a broken conservation law or growth fails", () => {
  assert.equal(check(rows({ ratioNoise: 1e-4 })).items[0].pass, false);
  assert.equal(check(rows({ starRate: 0.5 })).items[1].pass, false);
  assert.equal(check(rows({ limitOff: 0.01 })).items[2].pass, false);
  assert.equal(check(rows({ rowMass: 0.9 })).items[3].pass, false);
});

Deno.test("salient-takes-all check: a second growing component fails the sparsity items", () => {
  const r = check(rows({ grow9: 0.45 }));
  assert.equal(r.items[4].pass, false, "all components");
  assert.equal(r.items[5].pass, true, "Fig. 3's components 0..3 only");
  assert.equal(r.verdict, "PARTIAL");
  assert.equal(check(rows({ grow1: 0.3 })).items[5].pass, false);
  assert.equal(check(rows({ massEnd: 0.5 })).items[6].pass, false);
});

Deno.test("salient-takes-all check: NaN never passes", () => {
  const r = check(rows({ massEnd: NaN, starRate: NaN }));
  assert.equal(r.items[1].pass, false);
  assert.equal(r.items[6].pass, false);
});

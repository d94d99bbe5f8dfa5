import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

interface Over {
  odeLower?: number;
  odeUpper?: number;
  identity?: number;
  trainedPos?: number;
}

function rows(o: Over = {}): Row[] {
  const out: Row[] = [];
  const base = (part: string, t: number, B: number, pos: number): Row => {
    const f0sq = 0.07;
    const logChi = 2 * f0sq * B + pos * 2 * B * (1 - f0sq);
    return {
      part,
      panel: part === "ode" ? "M=10000,nu=1" : "token-composition",
      eta_z: 1,
      seed: part === "ode" ? -1 : 0,
      cls: 0,
      t,
      f0sq,
      z_common: 0,
      B,
      log_chi: logChi,
      log_lower: 2 * f0sq * B,
      log_upper: 2 * B,
      lower_margin: logChi - 2 * f0sq * B,
      upper_margin: 2 * B - logChi,
      position: pos,
      r_spread: part === "ode" ? o.identity ?? 1e-13 : 0.3,
      chi_identity: part === "ode" ? 1e-13 : NaN,
    };
  };
  for (const [t, B, pos] of [[0, 0, NaN], [1, 0.5, 0.05], [10, 1.4, 0.11]]) {
    const r = base("ode", t, B, pos);
    if (t === 1 && o.odeLower !== undefined) r.lower_margin = o.odeLower;
    if (t === 10 && o.odeUpper !== undefined) r.upper_margin = o.odeUpper;
    out.push(r);
  }
  for (const [t, B, pos] of [[1, 0, NaN], [2, 0.1, o.trainedPos ?? 0.02], [50, 7, 0.08]]) {
    out.push(base("trained", t, B, pos));
  }
  return out;
}

Deno.test("relative-gain-bounds check: passes when χ stays between the bounds", () => {
  const r = check(rows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("relative-gain-bounds check: a violated bound or identity fails", () => {
  assert.equal(check(rows({ odeLower: -1e-6 })).items[0].pass, false);
  assert.equal(check(rows({ odeUpper: -1e-6 })).items[1].pass, false);
  assert.equal(check(rows({ identity: 1e-5 })).items[2].pass, false);
  const tr = check(rows({ trainedPos: -0.2 }));
  assert.equal(tr.items[3].pass, false);
  assert.equal(tr.verdict, "PARTIAL");
  assert.equal(check(rows({ trainedPos: 1.2 })).items[3].pass, false);
});

Deno.test("relative-gain-bounds check: NaN never passes", () => {
  const r = check(rows({ odeLower: NaN, trainedPos: NaN }));
  assert.equal(r.items[0].pass, false);
  assert.equal(r.items[3].pass, false);
});

import assert from "node:assert/strict";
import { bnRhs, distinctF2, relativeGain, relativeGainRhs } from "./theory.ts";
import { integrateRk4 } from "../math/ode.ts";

/** Exact B_n of the (u, z, B) system (App. F, Eqn. 129 with K = C0 = 1), by Newton on u. */
function bExact(M: number, etaZ: number, etaY: number, t: number): number {
  const rhs = M * etaY * t + 1;
  let x = Math.min(Math.log(rhs), rhs / (M - 1));
  for (let i = 0; i < 100; i++) x -= (Math.exp(x) + (M - 1) * x - rhs) / (Math.exp(x) + M - 1);
  const h = x / M;
  return 0.25 * Math.log(1 + 2 * (etaZ / etaY) * (M - 1) ** 2 * h * h);
}

Deno.test("bnRhs: RK4 reproduces the exact B_n(t)", () => {
  for (const [M, etaZ, etaY] of [[100, 1, 10], [10000, 2, 2]]) {
    const times = [0.5, 2, 5];
    const out = integrateRk4(bnRhs({ M, etaZ, etaY }), 0, [0, 0, 0], times, { dt: 1e-4 });
    times.forEach((t, i) => {
      const e = bExact(M, etaZ, etaY, t);
      assert.ok(
        Math.abs(out[i][2] - e) < 1e-8 * Math.max(1, e),
        `M ${M} t ${t}: ${out[i][2]} vs ${e}`,
      );
    });
  }
});

Deno.test("relativeGainRhs: Theorem 3's identity and bounds hold along the dynamics", () => {
  const s = { common: [1, 1, 1], distinct: [0.2, 0.5, 1] };
  const tot = 3 + 1.7;
  const sup = { common: s.common.map((p) => p / tot), distinct: s.distinct.map((p) => p / tot) };
  const l0 = 2;
  const times = [1, 5, 20];
  const out = integrateRk4(
    relativeGainRhs({ M: 100, etaZ: 4, etaY: 4 }, sup, l0),
    0,
    new Float64Array(7),
    times,
    {
      dt: 1e-3,
    },
  );
  const f0 = distinctF2(sup, 0, [0, 0, 0])[l0];
  for (const y of out) {
    const B = y[2], zd = y.subarray(3, 6), I = y[6];
    const logChi = 2 * zd[l0];
    assert.ok(Math.abs(logChi - 2 * I) < 1e-9, `χ = exp(2∫f²dB): ${logChi} vs ${2 * I}`);
    for (const l of [0, 1]) {
      const r0 = relativeGain(sup.distinct[l0], 0, sup.distinct[l], 0);
      const r = relativeGain(sup.distinct[l0], zd[l0], sup.distinct[l], zd[l]);
      assert.ok(Math.abs(r / (r0 * Math.exp(logChi)) - 1) < 1e-9, `r(t) = r(0)χ for l' = ${l}`);
    }
    assert.ok(logChi >= 2 * f0 * B - 1e-12 && logChi <= 2 * B + 1e-12, `bounds at B = ${B}`);
  }
});

import assert from "node:assert/strict";
import {
  AUTHORS_MU,
  bounceIteration,
  entropy,
  erf,
  erfinv,
  salientOde,
  softmaxSquares,
} from "./dynamics.ts";

Deno.test("erf: reference values, and continuity at the series/continued-fraction switch (x = 4)", () => {
  // erf(0.5), erf(2), erf(3), erf(4) (Abramowitz & Stegun tables / mpmath)
  const ref: [number, number][] = [
    [0.5, 0.5204998778130465],
    [2, 0.9953222650189527],
    [3, 0.9999779095030014],
    [4, 0.9999999845827421],
  ];
  for (const [x, y] of ref) assert.ok(Math.abs(erf(x) - y) < 2e-15, `erf(${x}) = ${erf(x)}`);
  const a = erf(4 - 1e-9), b = erf(4 + 1e-9);
  assert.ok(b >= a && b - a < 1e-12, `erf is continuous at 4: ${a} ${b}`);
  for (const y of [-0.9, -0.1, 0.3, 0.99, 0.999999]) {
    assert.ok(Math.abs(erf(erfinv(y)) - y) < 1e-14, `erfinv(${y})`);
  }
});

Deno.test("bounceIteration: the authors' Fig. 4 numbers (research notes §2.2)", () => {
  const r = bounceIteration({ mu: AUTHORS_MU, kind: "nonlinear" });
  let argmin = 0;
  for (let i = 1; i < r.entropy.length; i++) if (r.entropy[i] < r.entropy[argmin]) argmin = i;
  assert.equal(argmin, 669);
  assert.ok(Math.abs(r.entropy[argmin] - 0.942) < 1e-3, `min ${r.entropy[argmin]}`);
  assert.ok(Math.abs(r.entropy[4999] - 1.55) < 5e-3, `end ${r.entropy[4999]}`);
  const lim = entropy(softmaxSquares(AUTHORS_MU, 3));
  assert.ok(Math.abs(lim - 1.622) < 5e-4, `limit ${lim}`);
});

Deno.test("salientOde: erf(v/√τ)/Δ is conserved and only argmax |Δ| diverges", () => {
  const delta = new Float64Array([0.5, -1.5, 1, 2]);
  const times = [0, 10, 40];
  for (const tau of [2, 4]) {
    const out = salientOde({ delta, M: 4, tau, times, dt: 1e-3 });
    for (const v of out.slice(1)) {
      const r = Array.from(v, (x, l) => erf(x / Math.sqrt(tau)) / delta[l]);
      assert.ok(Math.max(...r) - Math.min(...r) < 1e-10, `τ ${tau}: ratios ${r}`);
    }
    const end = out[2];
    assert.ok(end[3] > 20, `τ ${tau}: the salient component ${end[3]}`);
    for (const l of [0, 1, 2]) {
      const limit = Math.sqrt(tau) * erfinv(delta[l] / 2);
      assert.ok(Math.abs(end[l] - limit) < 1e-8, `τ ${tau}: v_${l} ${end[l]} vs ${limit}`);
    }
  }
});

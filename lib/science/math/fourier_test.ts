import assert from "node:assert/strict";
import {
  inputCoefficients,
  inputFourier,
  inputFourierInverse,
  inputSynthesis,
  omega,
  outputCoefficients,
  outputFourier,
  outputFourierInverse,
  outputSynthesis,
} from "./fourier.ts";
import { Rng } from "./rng.ts";

const maxAbsDiff = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
};

Deno.test("fourier: known transform of a one-hot and of a cosine", () => {
  const d = 7;
  // w = e_2 → A[k] = ω^{−2k}/d ; v = e_2 → C[k] = ω^{+2k}/d
  const e2 = new Float64Array(d);
  e2[2] = 1;
  const A = inputCoefficients(e2), C = outputCoefficients(e2);
  for (let k = 0; k < d; k++) {
    const wm = omega(d, -2 * k), wp = omega(d, 2 * k);
    assert.ok(Math.abs(A[k].re - wm.re / d) < 1e-15 && Math.abs(A[k].im - wm.im / d) < 1e-15);
    assert.ok(Math.abs(C[k].re - wp.re / d) < 1e-15 && Math.abs(C[k].im - wp.im / d) < 1e-15);
  }
  // w[m] = cos(2π·3m/d) → A[3] = A[−3] = 1/2, all others 0
  const w = Float64Array.from({ length: d }, (_, m) => Math.cos((2 * Math.PI * 3 * m) / d));
  const Aw = inputCoefficients(w);
  for (let k = 0; k < d; k++) {
    const want = k === 3 || k === d - 3 ? 0.5 : 0;
    assert.ok(Math.abs(Aw[k].re - want) < 1e-15 && Math.abs(Aw[k].im) < 1e-15, `k=${k}`);
  }
  // sin on the input side: A[k] = −i/2 at +k (conjugated basis), +i/2 on the output side
  const s = Float64Array.from({ length: d }, (_, m) => Math.sin((2 * Math.PI * m) / d));
  assert.ok(Math.abs(inputCoefficients(s)[1].im + 0.5) < 1e-15);
  assert.ok(Math.abs(outputCoefficients(s)[1].im - 0.5) < 1e-15);
});

Deno.test("fourier: vector round trips and Hermitian symmetry", () => {
  const rng = new Rng(3);
  for (const d of [5, 8, 23]) {
    const w = rng.fill(d, (r) => r.normal());
    const A = inputCoefficients(w), C = outputCoefficients(w);
    for (let k = 1; k < d; k++) {
      assert.ok(Math.abs(A[k].re - A[d - k].re) < 1e-14 && Math.abs(A[k].im + A[d - k].im) < 1e-14);
    }
    assert.ok(maxAbsDiff(inputSynthesis(A), w) < 1e-13);
    assert.ok(maxAbsDiff(outputSynthesis(C), w) < 1e-13);
    // the two sides are conjugates of each other for the same real vector
    for (let k = 0; k < d; k++) assert.ok(Math.abs(A[k].im + C[k].im) < 1e-15);
  }
});

Deno.test("fourier: matrix layout [k][j] and round trips", () => {
  const rng = new Rng(4);
  const d = 11, q = 6;
  const W = Array.from({ length: q }, () => rng.fill(d, (r) => r.normal()));
  const V = Array.from({ length: d }, () => rng.fill(q, (r) => r.normal()));
  const A = inputFourier(W), C = outputFourier(V);
  assert.equal(A.length, d);
  assert.equal(A[0].length, q);
  assert.deepEqual(A.map((row) => row[4]), inputCoefficients(W[4]));
  const col = Float64Array.from({ length: d }, (_, m) => V[m][2]);
  assert.deepEqual(C.map((row) => row[2]), outputCoefficients(col));
  const W2 = inputFourierInverse(A), V2 = outputFourierInverse(C);
  for (let j = 0; j < q; j++) assert.ok(maxAbsDiff(W2[j], W[j]) < 1e-13);
  for (let m = 0; m < d; m++) assert.ok(maxAbsDiff(V2[m], V[m]) < 1e-13);
});

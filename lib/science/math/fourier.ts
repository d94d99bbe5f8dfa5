/**
 * The discrete Fourier conventions of the CoGO analysis (Tian, arXiv 2410.01779; research
 * notes A6) for the weights of the 2-layer modular-addition network, in Float64.
 *
 * ω = e^{2πi/d}. Input-side weights (a row of W_a or W_b: one hidden node, d input tokens m)
 * use the conjugated basis, output-side weights (a column of V: one hidden node, d classes m)
 * the plain basis, both with a 1/d factor:
 *
 *     A[k] = (1/d) Σ_m w[m] ω^{−km}        (input side,  {@link inputCoefficients})
 *     C[k] = (1/d) Σ_m v[m] ω^{+km}        (output side, {@link outputCoefficients})
 *
 * with inverses w[m] = Σ_k A[k] ω^{+km} and v[m] = Σ_k C[k] ω^{−km}. Real weights give
 * A[−k] = conj(A[k]) (index −k is d − k). The matrix versions take W ∈ R^{q×d} (row j = node
 * j) or V ∈ R^{d×q} (column j = node j) and return coefficients indexed `[k][j]` (d × q), the
 * layout of the authors' analysis code. Powers of ω are taken from an exact table indexed by
 * (k·m) mod d, so no phase error accumulates.
 *
 * ```ts
 * import { inputFourier, outputFourier } from "./fourier.ts";
 * const d = 5, q = 3;
 * const Wa = Array.from({ length: q }, (_, j) => Array.from({ length: d }, (_, m) => Math.sin(j + m)));
 * const V = Array.from({ length: d }, (_, m) => Array.from({ length: q }, (_, j) => Math.cos(j - m)));
 * const A = inputFourier(Wa); // A[k][j], k = 0..d−1, j = 0..q−1 (Wa is q×d)
 * const C = outputFourier(V); // C[k][j] (V is d×q)
 * ```
 *
 * @module
 */

import type { Complex } from "./complex.ts";

/** A complex matrix as rows of complex numbers; Fourier coefficients are indexed `[k][j]`. */
export type ComplexMatrix = Complex[][];

const tables = new Map<number, { cos: Float64Array; sin: Float64Array }>();

/**
 * cos and sin of 2π n / d for n = 0..d−1 (cached): ω^n = cos[n] + i·sin[n].
 * Use index ((k·m) mod d) to get ω^{km} without accumulated phase error.
 */
export function rootTable(d: number): { cos: Float64Array; sin: Float64Array } {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`d must be a positive integer, got ${d}`);
  let t = tables.get(d);
  if (!t) {
    const cos = new Float64Array(d), sin = new Float64Array(d);
    for (let n = 0; n < d; n++) {
      cos[n] = Math.cos((2 * Math.PI * n) / d);
      sin[n] = Math.sin((2 * Math.PI * n) / d);
    }
    // Exact values where symmetry demands them (cos(π/2) etc. are not exactly 0 in floats).
    if (d % 4 === 0) {
      cos[d / 4] = 0;
      cos[(3 * d) / 4] = 0;
    }
    if (d % 2 === 0) sin[d / 2] = 0;
    t = { cos, sin };
    tables.set(d, t);
  }
  return t;
}

/** ω^n = e^{2πi n/d} for any integer n (reduced mod d). */
export function omega(d: number, n: number): Complex {
  const t = rootTable(d);
  const i = ((n % d) + d) % d;
  return { re: t.cos[i], im: t.sin[i] };
}

/** Σ_m x[m] ω^{sign·k·m} / norm for k = 0..d−1 (real input). */
function forwardReal(x: ArrayLike<number>, sign: 1 | -1, norm: number): Complex[] {
  const d = x.length;
  const { cos, sin } = rootTable(d);
  const out: Complex[] = new Array(d);
  for (let k = 0; k < d; k++) {
    let re = 0, im = 0;
    for (let m = 0, n = 0; m < d; m++, n = (n + k) % d) {
      re += x[m] * cos[n];
      im += x[m] * sin[n];
    }
    out[k] = { re: re / norm, im: (sign * im) / norm };
  }
  return out;
}

/** Σ_k X[k] ω^{sign·k·m} for m = 0..d−1 (complex input, complex output). */
function inverseComplex(X: ArrayLike<Complex>, sign: 1 | -1): Complex[] {
  const d = X.length;
  const { cos, sin } = rootTable(d);
  const out: Complex[] = new Array(d);
  for (let m = 0; m < d; m++) {
    let re = 0, im = 0;
    for (let k = 0, n = 0; k < d; k++, n = (n + m) % d) {
      const c = cos[n], s = sign * sin[n];
      re += X[k].re * c - X[k].im * s;
      im += X[k].re * s + X[k].im * c;
    }
    out[m] = { re, im };
  }
  return out;
}

/**
 * Input-side coefficients of one node's weights w (length d):
 * A[k] = (1/d) Σ_m w[m] ω^{−km}, k = 0..d−1.
 */
export function inputCoefficients(w: ArrayLike<number>): Complex[] {
  return forwardReal(w, -1, w.length);
}

/**
 * Output-side coefficients of one node's output weights v (a column of V, length d):
 * C[k] = (1/d) Σ_m v[m] ω^{+km}, k = 0..d−1.
 */
export function outputCoefficients(v: ArrayLike<number>): Complex[] {
  return forwardReal(v, 1, v.length);
}

/**
 * Inverse of {@link inputCoefficients}, complex-valued: w[m] = Σ_k A[k] ω^{+km}.
 * Hermitian coefficients (A[−k] = conj A[k]) give a real w (imaginary parts ≈ 0).
 */
export function inputSynthesisComplex(A: ArrayLike<Complex>): Complex[] {
  return inverseComplex(A, 1);
}

/**
 * Inverse of {@link outputCoefficients}, complex-valued: v[m] = Σ_k C[k] ω^{−km}.
 */
export function outputSynthesisComplex(C: ArrayLike<Complex>): Complex[] {
  return inverseComplex(C, -1);
}

/** Real part of {@link inputSynthesisComplex}: the weights w[m] from Hermitian A. */
export function inputSynthesis(A: ArrayLike<Complex>): Float64Array {
  return Float64Array.from(inputSynthesisComplex(A), (z) => z.re);
}

/** Real part of {@link outputSynthesisComplex}: the weights v[m] from Hermitian C. */
export function outputSynthesis(C: ArrayLike<Complex>): Float64Array {
  return Float64Array.from(outputSynthesisComplex(C), (z) => z.re);
}

/**
 * Input-side coefficients of a whole layer W ∈ R^{q×d} (row j = node j, column m = token):
 * returns A with A[k][j] = (1/d) Σ_m W[j][m] ω^{−km} (d × q).
 */
export function inputFourier(W: ArrayLike<ArrayLike<number>>): ComplexMatrix {
  const q = W.length;
  if (q === 0) throw new RangeError("inputFourier: W has no rows");
  const d = W[0].length;
  const out: ComplexMatrix = Array.from({ length: d }, () => new Array<Complex>(q));
  for (let j = 0; j < q; j++) {
    if (W[j].length !== d) throw new RangeError(`inputFourier: row ${j} has length ${W[j].length}`);
    const a = inputCoefficients(W[j]);
    for (let k = 0; k < d; k++) out[k][j] = a[k];
  }
  return out;
}

/**
 * Output-side coefficients of V ∈ R^{d×q} (row m = class, column j = node j):
 * returns C with C[k][j] = (1/d) Σ_m V[m][j] ω^{+km} (d × q).
 */
export function outputFourier(V: ArrayLike<ArrayLike<number>>): ComplexMatrix {
  const d = V.length;
  if (d === 0) throw new RangeError("outputFourier: V has no rows");
  const q = V[0].length;
  const out: ComplexMatrix = Array.from({ length: d }, () => new Array<Complex>(q));
  const col = new Float64Array(d);
  for (let j = 0; j < q; j++) {
    for (let m = 0; m < d; m++) col[m] = V[m][j];
    const c = outputCoefficients(col);
    for (let k = 0; k < d; k++) out[k][j] = c[k];
  }
  return out;
}

/**
 * Inverse of {@link inputFourier}: W[j][m] = Re Σ_k A[k][j] ω^{+km}, returned as q rows of
 * length d. Assumes Hermitian columns (real weights); the imaginary part is dropped.
 */
export function inputFourierInverse(A: ComplexMatrix): Float64Array[] {
  const d = A.length, q = A[0].length;
  const out: Float64Array[] = [];
  for (let j = 0; j < q; j++) out.push(inputSynthesis(A.map((row) => row[j])));
  if (out.length && out[0].length !== d) throw new Error("inputFourierInverse: shape mismatch");
  return out;
}

/**
 * Inverse of {@link outputFourier}: V[m][j] = Re Σ_k C[k][j] ω^{−km}, returned as d rows
 * (classes) of length q. Assumes Hermitian columns; the imaginary part is dropped.
 */
export function outputFourierInverse(C: ComplexMatrix): Float64Array[] {
  const d = C.length, q = C[0].length;
  const out: Float64Array[] = Array.from({ length: d }, () => new Float64Array(q));
  for (let j = 0; j < q; j++) {
    const v = outputSynthesis(C.map((row) => row[j]));
    for (let m = 0; m < d; m++) out[m][j] = v[m];
  }
  return out;
}

/**
 * How well a set of edge representations matches the line graph's spectral embedding:
 * canonical correlations between the top-K principal components of the representations
 * and the K lowest non-trivial eigenvectors of the normalised Laplacian of L(G), in
 * Float64 with `ml-matrix`.
 *
 * Definition (per graph, m edges): X is m×d (row e = edge e's representation), U is m×K.
 * Both are centred over the edges. Q_X = the top-K left singular vectors of X (the
 * normalised scores of its first K principal components); Q_U = an orthonormal basis of U's
 * column space. The canonical correlations are the singular values σ₁ ≥ … ≥ σ_K of Q_Xᵀ Q_U
 * (the cosines of the principal angles between the two K-dimensional subspaces of R^m), and
 * the *normalised correlation* ρ_K is their mean. ρ_K = 1 iff the first K principal
 * components span exactly the eigenvectors' space; it is invariant to rotations, signs and
 * scales inside either subspace (so to the eigenvectors' sign and to any basis of a
 * degenerate eigenspace that the top K include whole). ρ₁ is |Pearson correlation| of the
 * first principal component with the first non-trivial eigenvector.
 *
 * @module
 */

import { Matrix, SingularValueDecomposition } from "ml-matrix";

/**
 * Columns centred to mean zero: a new rows×cols row-major array.
 *
 * @example
 * ```ts
 * import { centerColumns } from "./correlation.ts";
 * import assert from "node:assert/strict";
 * assert.ok(centerColumns([1, 5, 3, 7], 2, 2).join() === "-1,-1,1,1");
 * ```
 */
export function centerColumns(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = Float64Array.from(x as ArrayLike<number>);
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += out[r * cols + c];
    s /= rows;
    for (let r = 0; r < rows; r++) out[r * cols + c] -= s;
  }
  return out;
}

function toMatrix(x: ArrayLike<number>, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, x[r * cols + c]);
  return m;
}

/**
 * The top-`k` left singular vectors of a rows×cols matrix whose singular values exceed
 * `tol`·σ_max (fewer when its rank is lower), as a rows×k′ row-major array.
 *
 * @example
 * ```ts
 * import { leftSingularBasis } from "./correlation.ts";
 * import assert from "node:assert/strict";
 * const b = leftSingularBasis(new Float64Array([3, 0, 0, 1, 0, 0]), 3, 2, 1);
 * assert.ok(b.k === 1 && Math.abs(Math.abs(b.q[0]) - 1) < 1e-12);
 * ```
 */
export function leftSingularBasis(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  k: number,
  tol = 1e-10,
): { k: number; q: Float64Array } {
  const svd = new SingularValueDecomposition(toMatrix(x, rows, cols), {
    computeLeftSingularVectors: true,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  const s = svd.diagonal;
  const u = svd.leftSingularVectors;
  const order = s.map((_, i) => i).sort((a, b) => s[b] - s[a]);
  const smax = s[order[0]] ?? 0;
  const keep = order.slice(0, Math.min(k, rows, cols)).filter((i) => s[i] > tol * smax && smax > 0);
  const q = new Float64Array(rows * keep.length);
  keep.forEach((j, c) => {
    for (let r = 0; r < rows; r++) q[r * keep.length + c] = u.get(r, j);
  });
  return { k: keep.length, q };
}

/**
 * Singular values (descending) of AᵀB for row-major A (rows×a) and B (rows×b).
 *
 * @example
 * ```ts
 * import { crossSingularValues } from "./correlation.ts";
 * import assert from "node:assert/strict";
 * const s = crossSingularValues(new Float64Array([1, 0]), 1, new Float64Array([0.6, 0.8]), 1, 2);
 * assert.ok(Math.abs(s[0] - 0.6) < 1e-12);
 * ```
 */
export function crossSingularValues(
  a: Float64Array,
  ka: number,
  b: Float64Array,
  kb: number,
  rows: number,
): number[] {
  if (ka === 0 || kb === 0) return [];
  const c = new Float64Array(ka * kb);
  for (let i = 0; i < ka; i++) {
    for (let j = 0; j < kb; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += a[r * ka + i] * b[r * kb + j];
      c[i * kb + j] = s;
    }
  }
  const svd = new SingularValueDecomposition(toMatrix(c, ka, kb), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  return [...svd.diagonal].sort((x, y) => y - x).map((v) => Math.min(1, Math.max(0, v)));
}

/**
 * The normalised correlation ρ_K (see the module doc) between edge representations `x`
 * (m×d, row-major) and spectral coordinates `u` (m×K, row-major): the mean canonical
 * correlation of the top-K principal components of x with the columns of u. When x or u has
 * rank below K after centring, the missing correlations count as 0.
 *
 * @example
 * ```ts
 * import { spectralCorrelation } from "./correlation.ts";
 * import assert from "node:assert/strict";
 * // x is u rotated and padded with a small extra direction: ρ₂ = 1
 * const u = new Float64Array([1, 0, 0, 1, -1, 0, 0, -1]);
 * const x = new Float64Array([0, 1, 0.01, 1, 0, -0.01, 0, -1, 0.01, -1, 0, -0.01]);
 * assert.ok(Math.abs(spectralCorrelation(x, 4, 3, u, 2) - 1) < 1e-9);
 * ```
 */
export function spectralCorrelation(
  x: ArrayLike<number>,
  m: number,
  d: number,
  u: ArrayLike<number>,
  k: number,
): number {
  const qx = leftSingularBasis(centerColumns(x, m, d), m, d, k);
  const qu = leftSingularBasis(centerColumns(u, m, k), m, k, k);
  const s = crossSingularValues(qx.q, qx.k, qu.q, qu.k, m);
  let total = 0;
  for (let i = 0; i < k; i++) total += s[i] ?? 0;
  return total / k;
}

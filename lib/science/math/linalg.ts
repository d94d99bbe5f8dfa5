/**
 * Small dense Float64 linear algebra on row-major `Float64Array`s: products, transposes, Gram
 * matrices, Frobenius norms, column centring, the symmetric eigen-decomposition (through
 * ml-matrix) and the least-squares residual by a pseudo-inverse. An m×n matrix A is stored as
 * `A[i * n + j]`; sizes are passed explicitly.
 *
 * @example
 * ```ts
 * import { frob, matmul, transpose } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * const A = new Float64Array([1, 2, 3, 4, 5, 6]); // 2×3
 * const AAt = matmul(A, transpose(A, 2, 3), 2, 3, 2); // 2×2
 * assert.ok(AAt[0] === 14 && AAt[3] === 77);
 * assert.ok(frob(A) === Math.sqrt(91));
 * ```
 *
 * @module
 */

import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/**
 * C = A·B for row-major A (m×k), B (k×n).
 *
 * @example
 * ```ts
 * import { matmul } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * const C = matmul(new Float64Array([1, 2]), new Float64Array([3, 4]), 1, 2, 1);
 * assert.ok(C[0] === 11);
 * ```
 */
export function matmul(
  A: Float64Array,
  B: Float64Array,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      if (aip === 0) continue;
      const rowB = p * n, rowC = i * n;
      for (let j = 0; j < n; j++) C[rowC + j] += aip * B[rowB + j];
    }
  }
  return C;
}

/**
 * Transpose of a row-major m×n matrix (an n×m matrix).
 *
 * @example
 * ```ts
 * import { transpose } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * const T = transpose(new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3);
 * assert.ok(T.join() === "1,4,2,5,3,6");
 * ```
 */
export function transpose(A: Float64Array, m: number, n: number): Float64Array {
  const T = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j];
  return T;
}

/**
 * A·Aᵀ for row-major A (m×k): the m×m Gram matrix of the rows (symmetric, computed once per pair).
 *
 * @example
 * ```ts
 * import { gramRows } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * const G = gramRows(new Float64Array([1, 0, 1, 1]), 2, 2);
 * assert.ok(G.join() === "1,1,1,2");
 * ```
 */
export function gramRows(A: Float64Array, m: number, k: number): Float64Array {
  const G = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      let s = 0;
      const ri = i * k, rj = j * k;
      for (let p = 0; p < k; p++) s += A[ri + p] * A[rj + p];
      G[i * m + j] = s;
      G[j * m + i] = s;
    }
  }
  return G;
}

/**
 * Frobenius norm (the Euclidean norm of all entries).
 *
 * @example
 * ```ts
 * import { frob } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * assert.ok(frob([3, 4]) === 5);
 * ```
 */
export function frob(A: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < A.length; i++) s += A[i] * A[i];
  return Math.sqrt(s);
}

/**
 * Frobenius norm of A − B (same length).
 *
 * @example
 * ```ts
 * import { frobDiff } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * assert.ok(frobDiff([1, 1], [4, 5]) === 5);
 * ```
 */
export function frobDiff(A: ArrayLike<number>, B: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < A.length; i++) s += (A[i] - B[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * Centre the columns of a row-major n×k matrix over the rows (P₁^⊥ F, P₁^⊥ = I − 11ᵀ/n);
 * returns a new matrix.
 *
 * @example
 * ```ts
 * import { centreColumns } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * const C = centreColumns(new Float64Array([1, 10, 3, 20]), 2, 2);
 * assert.ok(C.join() === "-1,-5,1,5");
 * ```
 */
export function centreColumns(F: Float64Array, n: number, k: number): Float64Array {
  const out = Float64Array.from(F);
  for (let j = 0; j < k; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += F[i * k + j];
    m /= n;
    for (let i = 0; i < n; i++) out[i * k + j] -= m;
  }
  return out;
}

/**
 * Copy a row-major m×n Float64Array into an ml-matrix `Matrix`.
 *
 * @example
 * ```ts
 * import { toMatrix } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * assert.ok(toMatrix(new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3).get(1, 0) === 4);
 * ```
 */
export function toMatrix(A: Float64Array, m: number, n: number): Matrix {
  const M = new Matrix(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) M.set(i, j, A[i * n + j]);
  return M;
}

/**
 * Copy an ml-matrix `Matrix` into a row-major Float64Array.
 *
 * @example
 * ```ts
 * import { fromMatrix, toMatrix } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * const A = new Float64Array([1, 2, 3, 4, 5, 6]);
 * assert.ok(fromMatrix(toMatrix(A, 3, 2)).join() === A.join());
 * ```
 */
export function fromMatrix(M: Matrix): Float64Array {
  const out = new Float64Array(M.rows * M.columns);
  for (let i = 0; i < M.rows; i++) {
    for (let j = 0; j < M.columns; j++) out[i * M.columns + j] = M.get(i, j);
  }
  return out;
}

/** Eigenvalues and orthonormal eigenvectors of a symmetric matrix (see {@link symEig}). */
export interface SymmetricEigen {
  /** The eigenvalues, in ml-matrix's order (ascending). */
  values: Float64Array;
  /** The eigenvectors as the columns of Q, n×n row-major: vector i is `Q[r * n + i]`. */
  Q: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric n×n matrix (ml-matrix, `assumeSymmetric`): values and
 * orthonormal vectors, the columns of Q (row-major).
 *
 * @example
 * ```ts
 * import { symEig } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * const { values, Q } = symEig(new Float64Array([2, 1, 1, 2]), 2);
 * assert.ok(Math.abs(values[0] - 1) < 1e-12 && Math.abs(values[1] - 3) < 1e-12);
 * assert.ok(Math.abs(Math.abs(Q[0]) - Math.SQRT1_2) < 1e-12);
 * ```
 */
export function symEig(A: Float64Array, n: number): SymmetricEigen {
  const mat = toMatrix(A, n, n);
  const ed = new EigenvalueDecomposition(mat, { assumeSymmetric: true });
  const values = Float64Array.from(ed.realEigenvalues);
  const V = ed.eigenvectorMatrix;
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Q[i * n + j] = V.get(i, j);
  return { values, Q };
}

/**
 * Least-squares residual T − F·F⁺T of targets T (n×c) on the columns of F (n×k): the η → 0
 * limit of a ridge fit, through the eigen-decomposition of FᵀF with eigenvalues below
 * relTol·λ_max treated as zero (pseudo-inverse). Returns the residual (n×c) and the rank used.
 *
 * @example
 * ```ts
 * import { frob, leastSquaresResidual } from "./linalg.ts";
 * import assert from "node:assert/strict";
 * // T = 2·(first column of F) lies in the span: no residual, rank 2
 * const F = new Float64Array([1, 0, 1, 1, 1, 2]); // 3×2
 * const T = new Float64Array([2, 2, 2]); // 3×1
 * const { R, rank } = leastSquaresResidual(F, T, 3, 2, 1);
 * assert.ok(rank === 2 && frob(R) < 1e-12);
 * ```
 */
export function leastSquaresResidual(
  F: Float64Array,
  T: Float64Array,
  n: number,
  k: number,
  c: number,
  relTol = 1e-10,
): { R: Float64Array; rank: number } {
  const Ft = transpose(F, n, k);
  const { values, Q } = symEig(gramRows(Ft, k, n), k);
  const lmax = Math.max(...values.map((v) => Math.abs(v)));
  const FtT = matmul(Ft, T, k, n, c); // k×c
  const coef = matmul(transpose(Q, k, k), FtT, k, k, c);
  let rank = 0;
  for (let i = 0; i < k; i++) {
    const keep = values[i] > relTol * lmax;
    if (keep) rank++;
    for (let j = 0; j < c; j++) coef[i * c + j] = keep ? coef[i * c + j] / values[i] : 0;
  }
  const V = matmul(Q, coef, k, k, c);
  const fit = matmul(F, V, n, k, c);
  const R = Float64Array.from(T);
  for (let i = 0; i < R.length; i++) R[i] -= fit[i];
  return { R, rank };
}

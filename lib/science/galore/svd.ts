/**
 * Thin SVD of a small dense matrix by one-sided (Hestenes) Jacobi rotations on its smaller
 * side, in Float64, and the stable rank ‖G‖_F² / ‖G‖₂² of GaLore's Lemma 3.3.
 *
 * GaLore (Zhao et al., arXiv 2403.03507, Eq. 12–13 and Alg. 2) projects each gradient
 * G ∈ R^{m×n} onto the top-r singular vectors of its smaller side: P = U[:, :r] when m < n,
 * Q = V[:, :r] when m ≥ n (the code's `proj_type = "std"`). tfjs has no SVD, so this module
 * supplies it. The rotations act on the min(m, n) columns of the tall orientation of G
 * (G itself when m ≥ n, Gᵀ otherwise) and are accumulated into an orthogonal
 * min(m, n) × min(m, n) matrix: the smaller side's singular vectors are therefore
 * orthonormal to rounding even when G is rank-deficient; the larger side's vectors are the
 * normalised rotated columns (zero for a zero singular value).
 *
 * Cost: one sweep is min(m,n)²/2 column pairs × 7·max(m,n) flops; 6–12 sweeps converge to
 * the float64 floor (quadratic convergence).
 *
 * @module
 */

/** A thin SVD G ≈ U diag(σ) Vᵀ truncated to k triplets, σ descending. */
export interface Svd {
  /** Rows of G. */
  m: number;
  /** Columns of G. */
  n: number;
  /** Number of triplets kept. */
  k: number;
  /** Singular values σ₁ ≥ … ≥ σ_k ≥ 0. */
  values: Float64Array;
  /** Left singular vectors, row-major m×k (column i belongs to σ_i). */
  left: Float64Array;
  /** Right singular vectors, row-major n×k (column i belongs to σ_i). */
  right: Float64Array;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/** Options of {@link svd}. */
export interface SvdOptions {
  /** Relative orthogonality below which a column pair is not rotated (default 1e-15). */
  tol?: number;
  /** Upper bound on sweeps (default 60). */
  maxSweeps?: number;
}

/**
 * Thin SVD of a row-major m×n matrix, keeping the top `k` (default min(m, n)) triplets.
 *
 * @example
 * ```ts
 * import { svd } from "./svd.ts";
 * import assert from "node:assert/strict";
 * // [[3, 0], [0, -2], [0, 0]]: σ = (3, 2)
 * const s = svd([3, 0, 0, -2, 0, 0], 3, 2);
 * assert.ok(Math.abs(s.values[0] - 3) < 1e-12 && Math.abs(s.values[1] - 2) < 1e-12);
 * ```
 */
export function svd(
  G: ArrayLike<number>,
  m: number,
  n: number,
  k?: number,
  opts: SvdOptions = {},
): Svd {
  if (G.length !== m * n) throw new RangeError(`svd: ${G.length} entries for a ${m}×${n} matrix`);
  const q = Math.min(m, n), p = Math.max(m, n);
  const kk = Math.min(k ?? q, q);
  const tol = opts.tol ?? 1e-15;
  const maxSweeps = opts.maxSweeps ?? 60;
  const tall = m >= n; // tall: A = G (p = m, q = n); else A = Gᵀ (p = n, q = m)
  // A stored column-major: column c is a[c*p .. c*p + p)
  const a = new Float64Array(p * q);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const g = G[i * n + j];
      if (tall) a[j * p + i] = g;
      else a[i * p + j] = g;
    }
  }
  // V accumulated column-major too: column c is v[c*q .. c*q + q)
  const v = new Float64Array(q * q);
  for (let c = 0; c < q; c++) v[c * q + c] = 1;
  const norms = new Float64Array(q);
  for (let c = 0; c < q; c++) norms[c] = dot(a, c * p, a, c * p, p);

  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let rotated = false;
    for (let i = 0; i < q - 1; i++) {
      for (let j = i + 1; j < q; j++) {
        const alpha = norms[i], beta = norms[j];
        if (alpha === 0 || beta === 0) continue;
        const gamma = dot(a, i * p, a, j * p, p);
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        rotate(a, i * p, j * p, p, c, s);
        rotate(v, i * q, j * q, q, c, s);
        // exact update of the squared norms under the rotation
        norms[i] = alpha - t * gamma;
        norms[j] = beta + t * gamma;
      }
    }
    // refresh the norms from the columns once per sweep (the updates drift by rounding)
    for (let c = 0; c < q; c++) norms[c] = dot(a, c * p, a, c * p, p);
    if (!rotated) break;
  }

  const order = Array.from({ length: q }, (_, c) => c).sort((x, y) => norms[y] - norms[x]);
  const values = new Float64Array(kk);
  const big = new Float64Array(p * kk); // larger side, row-major p×kk
  const small = new Float64Array(q * kk); // smaller side, row-major q×kk
  for (let o = 0; o < kk; o++) {
    const c = order[o];
    const sigma = Math.sqrt(norms[c]);
    values[o] = sigma;
    const inv = sigma > 0 ? 1 / sigma : 0;
    for (let r = 0; r < p; r++) big[r * kk + o] = a[c * p + r] * inv;
    for (let r = 0; r < q; r++) small[r * kk + o] = v[c * q + r];
  }
  // tall: G V = U Σ → left = big (m×k), right = small (n×k); else Gᵀ V = U' Σ → left = small
  return tall
    ? { m, n, k: kk, values, left: big, right: small, sweeps: sweeps + 1 }
    : { m, n, k: kk, values, left: small, right: big, sweeps: sweeps + 1 };
}

function dot(x: Float64Array, ox: number, y: Float64Array, oy: number, len: number): number {
  let s = 0;
  for (let r = 0; r < len; r++) s += x[ox + r] * y[oy + r];
  return s;
}

function rotate(x: Float64Array, oi: number, oj: number, len: number, c: number, s: number): void {
  for (let r = 0; r < len; r++) {
    const xi = x[oi + r], xj = x[oj + r];
    x[oi + r] = c * xi - s * xj;
    x[oj + r] = s * xi + c * xj;
  }
}

/** Which side of G GaLore's `std` projector lives on: `right` (Q, n×r) when m ≥ n, else `left`. */
export type ProjectionSide = "left" | "right";

/**
 * The side the code's `proj_type = "std"` projects on: right when rows ≥ columns
 * (R = G Q, state m×r), left otherwise (R = Pᵀ G, state r×n) — always the smaller side.
 *
 * @example
 * ```ts
 * import { projectionSide } from "./svd.ts";
 * import assert from "node:assert/strict";
 * assert.ok(projectionSide(256, 64) === "right" && projectionSide(64, 256) === "left");
 * ```
 */
export function projectionSide(m: number, n: number): ProjectionSide {
  return m >= n ? "right" : "left";
}

/**
 * GaLore's projector for a gradient G (row-major m×n): the top-r singular vectors of the
 * smaller side, row-major min(m,n)×r (P = U[:, :r] when m < n, Q = V[:, :r] when m ≥ n).
 *
 * @example
 * ```ts
 * import { projector } from "./svd.ts";
 * import assert from "node:assert/strict";
 * const { side, basis } = projector([1, 0, 0, 0, 2, 0], 2, 3, 1); // 2×3: left side
 * assert.ok(side === "left" && Math.abs(Math.abs(basis[1]) - 1) < 1e-12);
 * ```
 */
export function projector(
  G: ArrayLike<number>,
  m: number,
  n: number,
  r: number,
): { side: ProjectionSide; basis: Float64Array; values: Float64Array } {
  const side = projectionSide(m, n);
  const s = svd(G, m, n, r);
  return { side, basis: side === "left" ? s.left : s.right, values: s.values };
}

/**
 * Stable rank ‖G‖_F² / ‖G‖₂² (Lemma 3.3 of the GaLore paper); 1 for a rank-1 matrix,
 * min(m, n) for an orthogonal one, NaN for G = 0.
 *
 * @example
 * ```ts
 * import { stableRank } from "./svd.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(stableRank([1, 2, 2, 4], 2, 2) - 1) < 1e-12);
 * assert.ok(Math.abs(stableRank([1, 0, 0, 1], 2, 2) - 2) < 1e-12);
 * ```
 */
export function stableRank(G: ArrayLike<number>, m: number, n: number): number {
  let f = 0;
  for (let i = 0; i < G.length; i++) f += G[i] * G[i];
  if (f === 0) return NaN;
  const s = svd(G, m, n, 1).values[0];
  return f / (s * s);
}

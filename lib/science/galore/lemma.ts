/**
 * GaLore's Lemma 3.3 (Zhao et al., arXiv 2403.03507, §3.2 and App. B.2) in its own setting,
 * in Float64: a gradient of the form G_t = (1/N) Σ_i (A_i − B_i W_t C_i) with constant A_i and
 * PSD B_i, C_i, under the SGD update W_{t+1} = W_t + η G_t. Here the linear regression
 * y = W x with φ = (1/2N) Σ ‖y_i − W x_i‖²: A_i = y_i x_iᵀ, B_i = I, C_i = x_i x_iᵀ, so
 * S = (1/N) Σ C_i ⊗ B_i = C ⊗ I with C = X Xᵀ / N, and G_t = G_0 (I − ηC)^t.
 *
 * With λ₁ < λ₂ the two smallest distinct eigenvalues of C (v₁ the eigenvector of λ₁), the
 * minimal eigenspace of S is v₁ ⊗ R^m, so G∥ = G_0 v₁ v₁ᵀ has rank 1 and Eq. 9 reads
 *
 *   sr(G_t) ≤ 1 + ((1 − ηλ₂)/(1 − ηλ₁))^{2t} · ‖G_0 − G∥‖_F² / ‖G∥‖₂²,
 *
 * valid when |1 − ηλ_j| ≤ 1 − ηλ₂ for every j ≥ 2 (true for η = 1/λ_max, used here).
 * {@link linearLemma} runs the iteration, records sr(G_t) and the bound, and picks the number
 * of steps so that the bound's transient term falls to `tail`. The gradient is propagated by
 * the proof's recursion G_t = G_{t−1}(I − ηC) (Eq. 28), exactly A − W_t C in exact arithmetic.
 *
 * @module
 */

import { matmul } from "../math/linalg.ts";
import { Rng } from "../math/rng.ts";
import { stableRank, svd } from "./svd.ts";

/** Settings of {@link linearLemma}. */
export interface LinearLemmaConfig {
  /** Output dimension m (rows of W). */
  m: number;
  /** Input dimension n (columns of W). */
  n: number;
  /** Samples N (> n so that C has full rank and λ₁ > 0). */
  samples: number;
  /** Seed of the data, the teacher and W_0. */
  seed: number;
  /** Smallest and largest eigenvalue of the input covariance (spread linearly in between). */
  lambdaMin: number;
  /** Largest population eigenvalue. */
  lambdaMax: number;
  /** Stop when the bound's transient term is below this (default 0.1). */
  tail?: number;
  /** Upper bound on steps (default 20000). */
  maxSteps?: number;
  /** Number of records, evenly spaced from 0 to the last step (default 21). */
  records?: number;
}

/** sr(G_t) and the Lemma's bound at one step. */
export interface LemmaRecord {
  /** Step t. */
  step: number;
  /** Stable rank of G_t. */
  stableRank: number;
  /** Right-hand side of Eq. 9 at t. */
  bound: number;
  /** ‖G_t‖_F. */
  gradNorm: number;
}

/** Result of {@link linearLemma}. */
export interface LemmaResult {
  /** The records, step 0 first. */
  records: LemmaRecord[];
  /** Learning rate η = 1/λ_max(C). */
  eta: number;
  /** Smallest eigenvalue of the empirical C. */
  lambda1: number;
  /** Second smallest (distinct) eigenvalue of C. */
  lambda2: number;
  /** ‖G_0 − G∥‖_F² / ‖G∥‖₂². */
  K: number;
  /** sr(G∥) (1 for the rank-1 G∥ of this setting). */
  srParallel: number;
  /** Steps run. */
  steps: number;
}

/**
 * Run full-batch SGD on the linear regression and record sr(G_t) against Lemma 3.3's bound.
 *
 * @example
 * ```ts
 * import { linearLemma } from "./lemma.ts";
 * import assert from "node:assert/strict";
 * const r = linearLemma({ m: 4, n: 6, samples: 64, seed: 1, lambdaMin: 0.2, lambdaMax: 2 });
 * assert.ok(r.records.every((x) => x.stableRank <= x.bound * (1 + 1e-9)));
 * ```
 */
export function linearLemma(cfg: LinearLemmaConfig): LemmaResult {
  const { m, n, samples: N } = cfg;
  const rng = new Rng(cfg.seed * 104729 + 3);
  // population covariance Q diag(λ) Qᵀ with a random rotation Q
  const Q = svd(rng.fill(n * n, (r) => r.normal()), n, n).left;
  const lam = Array.from(
    { length: n },
    (_, j) => cfg.lambdaMin + (cfg.lambdaMax - cfg.lambdaMin) * j / Math.max(1, n - 1),
  );
  const X = new Float64Array(n * N); // n × N
  for (let s = 0; s < N; s++) {
    const z = Array.from({ length: n }, (_, j) => Math.sqrt(lam[j]) * rng.normal());
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v += Q[i * n + j] * z[j];
      X[i * N + s] = v;
    }
  }
  const Wstar = rng.fill(m * n, (r) => r.normal() / Math.sqrt(n));
  const W = rng.fill(m * n, (r) => r.range(-1, 1) / Math.sqrt(n));
  // C = X Xᵀ / N (n×n), A = W* C (m×n) since Y = W* X
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < N; k++) s += X[i * N + k] * X[j * N + k];
      C[i * n + j] = C[j * n + i] = s / N;
    }
  }
  const A = matmul(Wstar, C, m, n, n);
  // eigen-decomposition of the PSD C via its SVD (values descending)
  const e = svd(C, n, n);
  const lambda1 = e.values[n - 1];
  let lambda2 = NaN;
  for (let j = n - 2; j >= 0; j--) {
    if (e.values[j] > lambda1 * (1 + 1e-9)) {
      lambda2 = e.values[j];
      break;
    }
  }
  const v1 = Array.from({ length: n }, (_, i) => e.right[i * n + (n - 1)]);
  const eta = 1 / e.values[0];
  const WC = matmul(W, C, m, n, n);
  const G0 = A.map((a, i) => a - WC[i]);
  let f0 = 0, p0 = 0;
  for (let i = 0; i < m; i++) {
    let gv = 0;
    for (let j = 0; j < n; j++) gv += G0[i * n + j] * v1[j];
    p0 += gv * gv;
  }
  for (const g of G0) f0 += g * g;
  const K = (f0 - p0) / p0;
  const rho = (1 - eta * lambda2) / (1 - eta * lambda1);
  const tail = cfg.tail ?? 0.1;
  const need = Math.ceil(Math.log(tail / K) / (2 * Math.log(rho)));
  const steps = Math.max(1, Math.min(cfg.maxSteps ?? 20000, need));
  const nRec = cfg.records ?? 21;
  const at = new Set(Array.from({ length: nRec }, (_, i) => Math.round(i * steps / (nRec - 1))));
  const records: LemmaRecord[] = [];
  // G_t = G_{t−1} − η G_{t−1} C (Eq. 28): equal to A − W_t C, without its cancellation once
  // G_t is orders of magnitude below A (the weights W_t = W_{t−1} + η G_{t−1} are implied)
  let G = G0;
  for (let t = 0; t <= steps; t++) {
    if (at.has(t)) {
      let f = 0;
      for (const g of G) f += g * g;
      records.push({
        step: t,
        stableRank: stableRank(G, m, n),
        bound: 1 + rho ** (2 * t) * K,
        gradNorm: Math.sqrt(f),
      });
    }
    const gc = matmul(G, C, m, n, n);
    G = G.map((g, i) => g - eta * gc[i]);
  }
  return { records, eta, lambda1, lambda2, K, srParallel: 1, steps };
}

/**
 * The bilinear model of Zhu et al. (arXiv 2405.04669, Sec. 3), "a simplification of a one-layer
 * transformer": every token v has a fixed random embedding u_v ∈ R^d with entries N(0, 1/d)
 * (near-orthonormal for large d), the next-token logits after input x are u_xᵀ Θ u_y over the
 * vocabulary, and Θ ∈ R^{d×d} is trained from Θ₀ = 0 by gradient descent on the mean
 * cross-entropy of the training sentences.
 *
 * Sentences: N entity pairs (A_i, B_i) (tokens i and N + i; the other tokens of the vocabulary
 * only compete in the softmax). "A_i → B_i" is trained for every i; "B_i → A_i" is trained for
 * the pairs i ≥ `testPairs` and is the reverse (test) sentence for i < `testPairs`.
 *
 * Computation in token space: with Θ₀ = 0 every GD iterate is Θ_t = Uᵀ A_t U, where A_t has
 * nonzero rows only at the training inputs, so the logits are S = K A K with K = U Uᵀ and one
 * step is A_a ← A_a + (η/n)(e_{b(a)} − p(·|a)) for each training input a. This is GD on Θ
 * exactly, at a cost independent of d. Float64 throughout.
 *
 * @module
 */

import { Rng } from "../math/rng.ts";

/** Settings of one bilinear run. */
export interface BilinearOptions {
  /** Vocabulary size |V| (≥ 2·pairs). */
  vocab: number;
  /** Number N of entity pairs. */
  pairs: number;
  /** Pairs trained in the forward direction only; their reverse sentences are the test set. */
  testPairs: number;
  /** Embedding dimension d. */
  d: number;
  /** Seed of the embeddings. */
  seed: number;
  /** Number of GD steps. */
  steps: number;
  /** Learning rate η on the mean training loss. */
  lr: number;
  /** Steps (0 = initialisation, before any update) at which the losses are logged. */
  logSteps: number[];
  /** Progress over steps. */
  onProgress?: (done: number, total: number) => void;
}

/** The losses and probabilities at one logged step. */
export interface BilinearPoint {
  /** GD step (number of updates done). */
  step: number;
  /** L(Θ_t): mean −log p(target | input) over the training sentences. */
  trainLoss: number;
  /** L_rev(Θ_t): mean −log p(A_i | B_i) over the reverse (test) sentences. */
  revLoss: number;
  /** Mean probability of the target over training sentences. */
  trainProb: number;
  /** Mean p(A_i | B_i) over the reverse sentences. */
  revProb: number;
  /** Largest p(A_i | B_i) over the reverse sentences. */
  revProbMax: number;
}

/** What a bilinear run returns. */
export interface BilinearResult {
  /** ε of the embeddings: max(max_{v≠w} |⟨u_v, u_w⟩|, max_v |‖u_v‖² − 1|). */
  epsilon: number;
  /** Number of training sentences n. */
  trainSentences: number;
  /** The logged points, in step order. */
  log: BilinearPoint[];
  /** Final GD state: the nonzero rows of A (Θ_T = Uᵀ A U), one per training input (tests). */
  state: Float64Array;
}

/**
 * Random embeddings with entries N(0, 1/d), row-major |V|×d.
 *
 * @example
 * ```ts
 * import { embeddings } from "./bilinear.ts";
 * import assert from "node:assert/strict";
 * const u = embeddings(4, 1000, 1);
 * const n0 = u.subarray(0, 1000).reduce((s, x) => s + x * x, 0);
 * assert.ok(Math.abs(n0 - 1) < 0.2);
 * ```
 */
export function embeddings(vocab: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const s = 1 / Math.sqrt(d);
  return rng.fill(vocab * d, (r) => s * r.normal());
}

/**
 * Gram matrix K = U Uᵀ (|V|×|V|) and the near-orthonormality ε of the embeddings.
 *
 * @example
 * ```ts
 * import { gram } from "./bilinear.ts";
 * import assert from "node:assert/strict";
 * const { K, epsilon } = gram(new Float64Array([1, 0, 0, 1]), 2, 2);
 * assert.ok(K[1] === 0 && epsilon === 0);
 * ```
 */
export function gram(u: Float64Array, vocab: number, d: number): {
  K: Float64Array;
  epsilon: number;
} {
  const K = new Float64Array(vocab * vocab);
  let epsilon = 0;
  for (let v = 0; v < vocab; v++) {
    for (let w = v; w < vocab; w++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += u[v * d + k] * u[w * d + k];
      K[v * vocab + w] = s;
      K[w * vocab + v] = s;
      epsilon = Math.max(epsilon, Math.abs(v === w ? s - 1 : s));
    }
  }
  return { K, epsilon };
}

/** Log-sum-exp of row `r` of a row-major matrix with `n` columns. */
function logSumExp(S: Float64Array, r: number, n: number): number {
  let mx = -Infinity;
  for (let v = 0; v < n; v++) mx = Math.max(mx, S[r * n + v]);
  let s = 0;
  for (let v = 0; v < n; v++) s += Math.exp(S[r * n + v] - mx);
  return mx + Math.log(s);
}

/**
 * Train the bilinear model by GD from Θ₀ = 0 and log L, L_rev and the probabilities.
 *
 * @example
 * ```ts
 * import { trainBilinear } from "./bilinear.ts";
 * import assert from "node:assert/strict";
 * const r = trainBilinear({
 *   vocab: 32, pairs: 4, testPairs: 1, d: 64, seed: 1, steps: 200, lr: 4, logSteps: [0, 200],
 * });
 * assert.ok(r.log[1].trainLoss < 0.1 * r.log[0].trainLoss); // the forward pairs are learned
 * assert.ok(r.log[1].revProb < 2 / 32); // the reverse one is not
 * ```
 */
export function trainBilinear(opts: BilinearOptions): BilinearResult {
  const { vocab: V, pairs: N, testPairs: T, d } = opts;
  if (V < 2 * N || T > N || T < 1) throw new RangeError("need |V| ≥ 2N and 1 ≤ testPairs ≤ N");
  const u = embeddings(V, d, opts.seed);
  const { K, epsilon } = gram(u, V, d);
  // Training inputs and their targets: A_i → B_i for all i, B_i → A_i for i ≥ T.
  const inputs: number[] = [], targets: number[] = [];
  for (let i = 0; i < N; i++) (inputs.push(i), targets.push(N + i));
  for (let i = T; i < N; i++) (inputs.push(N + i), targets.push(i));
  const testIn = Array.from({ length: T }, (_, i) => N + i);
  const testTarget = Array.from({ length: T }, (_, i) => i);
  const n = inputs.length;
  const rows = [...inputs, ...testIn]; // rows of S we need
  const R = rows.length;
  const A = new Float64Array(n * V); // nonzero rows of A (one per training input)
  const AK = new Float64Array(n * V);
  const S = new Float64Array(R * V);
  const logAt = new Set(opts.logSteps);
  const log: BilinearPoint[] = [];
  const step = opts.lr / n;
  for (let t = 0; t <= opts.steps; t++) {
    // S[rows] = K[rows, inputs] · (A · K)
    AK.fill(0);
    for (let i = 0; i < n; i++) {
      for (let w = 0; w < V; w++) {
        const a = A[i * V + w];
        if (a === 0) continue;
        const kr = w * V;
        for (let v = 0; v < V; v++) AK[i * V + v] += a * K[kr + v];
      }
    }
    S.fill(0);
    for (let r = 0; r < R; r++) {
      const kr = rows[r] * V;
      for (let i = 0; i < n; i++) {
        const k = K[kr + inputs[i]];
        for (let v = 0; v < V; v++) S[r * V + v] += k * AK[i * V + v];
      }
    }
    if (logAt.has(t)) {
      let trainLoss = 0, trainProb = 0, revLoss = 0, revProb = 0, revProbMax = 0;
      for (let i = 0; i < n; i++) {
        const lp = S[i * V + targets[i]] - logSumExp(S, i, V);
        trainLoss -= lp / n;
        trainProb += Math.exp(lp) / n;
      }
      for (let j = 0; j < T; j++) {
        const lp = S[(n + j) * V + testTarget[j]] - logSumExp(S, n + j, V);
        revLoss -= lp / T;
        revProb += Math.exp(lp) / T;
        revProbMax = Math.max(revProbMax, Math.exp(lp));
      }
      log.push({ step: t, trainLoss, revLoss, trainProb, revProb, revProbMax });
    }
    if (t === opts.steps) break;
    // GD: A_a += (η/n) (e_b − p(·|a)); flush entries below 1e-15 to exact zeros.
    for (let i = 0; i < n; i++) {
      const lse = logSumExp(S, i, V);
      for (let v = 0; v < V; v++) {
        const g = (v === targets[i] ? 1 : 0) - Math.exp(S[i * V + v] - lse);
        const x = A[i * V + v] + step * g;
        A[i * V + v] = Math.abs(x) < 1e-15 ? 0 : x;
      }
    }
    opts.onProgress?.(t + 1, opts.steps);
  }
  return { epsilon, trainSentences: n, log, state: A };
}

/** Exponents of one run's trajectory, from its logged points (the first one is Θ₀). */
export interface Exponents {
  /**
   * The smallest c ≥ 0 with L_rev(Θ_t)/L_rev(Θ₀) ≥ (L(Θ_t)/L(Θ₀))^c at every logged step:
   * max(0, max_t ln(L_rev,t/L_rev,0) / ln(L_t/L_0)) over steps with L_t < L_0.
   */
  cStar: number;
  /**
   * How far the reverse loss moves per unit of log training loss, either way: the least-squares
   * slope through the origin of |ln(L_rev,t/L_rev,0)| against ln(L_0/L_t).
   */
  movement: number;
}

/**
 * The exponents of a logged trajectory.
 *
 * @example
 * ```ts
 * import { exponents } from "./bilinear.ts";
 * import assert from "node:assert/strict";
 * const pt = (trainLoss: number, revLoss: number) =>
 *   ({ step: 0, trainLoss, revLoss, trainProb: 0, revProb: 0, revProbMax: 0 });
 * // L falls e-fold and e²-fold while L_rev falls by e^{0.1} and e^{0.2}: c* = 0.1.
 * const e = exponents([pt(1, 1), pt(Math.exp(-1), Math.exp(-0.1)), pt(Math.exp(-2), Math.exp(-0.2))]);
 * assert.ok(Math.abs(e.cStar - 0.1) < 1e-12 && Math.abs(e.movement - 0.1) < 1e-12);
 * ```
 */
export function exponents(log: BilinearPoint[]): Exponents {
  const [l0, r0] = [log[0].trainLoss, log[0].revLoss];
  let cStar = 0, sxy = 0, sxx = 0;
  for (const p of log.slice(1)) {
    const x = Math.log(l0 / p.trainLoss); // > 0 once the training loss has fallen
    const y = Math.log(p.revLoss / r0);
    if (!(x > 0)) continue;
    cStar = Math.max(cStar, -y / x);
    sxy += x * Math.abs(y);
    sxx += x * x;
  }
  return { cStar, movement: sxx > 0 ? sxy / sxx : NaN };
}

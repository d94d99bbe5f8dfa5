/**
 * The one-layer transformer of Zhu et al. (arXiv 2405.04669, Sec. 4) in the reparameterised
 * form of Scan & Snap (Tian et al., NeurIPS'23): one-hot (orthonormal) token embeddings, the
 * pairwise attention logits Z = U W_Q W_Kᵀ Uᵀ ∈ R^{M×M} and the decoder Y ∈ R^{M×M} are the
 * parameters, both zero at initialisation, trained by SGD with batch size 1 (separate learning
 * rates η_Y, η_Z, no momentum).
 *
 * For a sentence (x1, x2, x3) the query is the last input token x2, which attends over the
 * positions 1…2 (causal attention, itself included): b = softmax(Z[x2, x1], Z[x2, x2]);
 * the hidden vector is h = b₁ e_{x1} + b₂ e_{x2}, normalised f = h/‖h‖₂ (Scan & Snap's
 * normalised version), and the next-token logits are ℓ_v = f₁ Y[x1, v] + f₂ Y[x2, v]
 * (row = the token read, column = the token predicted). Loss: −log p(x3 | x1, x2).
 *
 * Gradients are written by hand (tested against tfjs autograd) in Float64: one step touches
 * two rows of Y and two entries of Z, so a step costs O(M) and 10⁶ steps take seconds, where
 * tfjs at batch size 1 pays ~0.03 ms per op for ~40 ops. Entries of magnitude below 1e-15 are
 * flushed to exact zeros after every update.
 *
 * @module
 */

import { Rng } from "../math/rng.ts";
import type { Sentence } from "./data.ts";

/** The parameters: Y and Z, row-major M×M. */
export interface OneLayer {
  /** Number of tokens. */
  M: number;
  /** Decoder Y: Y[x·M + v] is the weight from read token x to predicted token v. */
  Y: Float64Array;
  /** Attention logits Z: Z[q·M + k] is the logit of key token k for query token q. */
  Z: Float64Array;
}

/**
 * A zero-initialised model over M tokens.
 *
 * @example
 * ```ts
 * import { zeroModel } from "./onelayer.ts";
 * import assert from "node:assert/strict";
 * const m = zeroModel(3);
 * assert.ok(m.Y.length === 9 && m.Z.every((z) => z === 0));
 * ```
 */
export function zeroModel(M: number): OneLayer {
  return { M, Y: new Float64Array(M * M), Z: new Float64Array(M * M) };
}

/** The forward pass of one sentence: attention, normalised hidden vector, probabilities. */
export interface Forward {
  /** Attention weights on x1 and on x2. */
  b: [number, number];
  /** Normalised hidden coefficients f₁, f₂ (on e_{x1}, e_{x2}). */
  f: [number, number];
  /** Next-token probabilities (length M). */
  p: Float64Array;
}

/**
 * Forward pass for the input (x1, x2); `p` may be passed in to avoid an allocation.
 *
 * @example
 * ```ts
 * import { forward, zeroModel } from "./onelayer.ts";
 * import assert from "node:assert/strict";
 * const fw = forward(zeroModel(5), 2, 0);
 * assert.ok(Math.abs(fw.p[3] - 1 / 5) < 1e-15 && fw.b[0] === 0.5);
 * ```
 */
export function forward(m: OneLayer, x1: number, x2: number, p?: Float64Array): Forward {
  const { M, Y, Z } = m;
  if (x1 === x2) throw new RangeError("the entity and the relation token must differ");
  const b1 = 1 / (1 + Math.exp(Z[x2 * M + x2] - Z[x2 * M + x1]));
  const b2 = 1 - b1;
  const nh = Math.hypot(b1, b2);
  const f1 = b1 / nh, f2 = b2 / nh;
  const out = p ?? new Float64Array(M);
  let mx = -Infinity;
  for (let v = 0; v < M; v++) {
    out[v] = f1 * Y[x1 * M + v] + f2 * Y[x2 * M + v];
    mx = Math.max(mx, out[v]);
  }
  let s = 0;
  for (let v = 0; v < M; v++) s += out[v] = Math.exp(out[v] - mx);
  for (let v = 0; v < M; v++) out[v] /= s;
  return { b: [b1, b2], f: [f1, f2], p: out };
}

/**
 * p(x3 | x1, x2) under the model.
 *
 * @example
 * ```ts
 * import { prob, zeroModel } from "./onelayer.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(prob(zeroModel(4), [2, 0, 3]) - 0.25) < 1e-15);
 * ```
 */
export function prob(m: OneLayer, s: Sentence, scratch?: Float64Array): number {
  return forward(m, s[0], s[1], scratch).p[s[2]];
}

/** Gradients of −log p(x3 | x1, x2) for one sentence (only the entries they touch). */
export interface Grads {
  /** −log p(x3 | x1, x2) before the update. */
  loss: number;
  /** ∂/∂Y[x1, ·] (length M). */
  dY1: Float64Array;
  /** ∂/∂Y[x2, ·] (length M). */
  dY2: Float64Array;
  /** ∂/∂Z[x2, x1]. */
  dZ1: number;
  /** ∂/∂Z[x2, x2]. */
  dZ2: number;
}

/**
 * Hand-written gradients for one sentence (exported for the autograd test).
 *
 * @example
 * ```ts
 * import { grads, zeroModel } from "./onelayer.ts";
 * import assert from "node:assert/strict";
 * const g = grads(zeroModel(4), [2, 0, 3]);
 * assert.ok(Math.abs(g.dY1[3] + (1 - 0.25) / Math.SQRT2) < 1e-15 && g.dZ1 === 0);
 * ```
 */
export function grads(m: OneLayer, s: Sentence): Grads {
  const { M, Y } = m;
  const [x1, x2, y] = s;
  const { b, f, p } = forward(m, x1, x2);
  const dY1 = new Float64Array(M), dY2 = new Float64Array(M);
  let gf1 = 0, gf2 = 0;
  for (let v = 0; v < M; v++) {
    const g = p[v] - (v === y ? 1 : 0);
    dY1[v] = f[0] * g;
    dY2[v] = f[1] * g;
    gf1 += Y[x1 * M + v] * g;
    gf2 += Y[x2 * M + v] * g;
  }
  // f = h/‖h‖: ∂L/∂h = (g_f − f (f·g_f)) / ‖h‖; h = b (the two coefficients).
  const nh = Math.hypot(b[0], b[1]);
  const ff = f[0] * gf1 + f[1] * gf2;
  const gh1 = (gf1 - f[0] * ff) / nh, gh2 = (gf2 - f[1] * ff) / nh;
  // b = softmax(a): ∂L/∂a_i = b_i (gh_i − Σ_j b_j gh_j).
  const bg = b[0] * gh1 + b[1] * gh2;
  return {
    loss: -Math.log(p[y]),
    dY1,
    dY2,
    dZ1: b[0] * (gh1 - bg),
    dZ2: b[1] * (gh2 - bg),
  };
}

/** Settings of an SGD run. */
export interface SgdOptions {
  /** Training sentences (sampled uniformly with replacement, one per step). */
  train: Sentence[];
  /** Decoder learning rate η_Y. */
  etaY: number;
  /** Attention learning rate η_Z. */
  etaZ: number;
  /** Number of SGD steps. */
  steps: number;
  /** Seed of the sampling order. */
  seed: number;
  /** Steps (0 = before any update) at which `onLog` is called with the current model. */
  logSteps: number[];
  /** Called at each logged step; read the model there (it is updated in place afterwards). */
  onLog: (step: number, model: OneLayer) => void;
  /** Progress over steps. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Train a zero-initialised model by SGD with batch size 1; returns the final model.
 *
 * @example
 * ```ts
 * import { prob, trainSgd } from "./onelayer.ts";
 * import assert from "node:assert/strict";
 * const train: [number, number, number][] = [[2, 0, 3], [4, 0, 5]];
 * const m = trainSgd(8, {
 *   train, etaY: 0.5, etaZ: 0.05, steps: 400, seed: 1, logSteps: [], onLog: () => {},
 * });
 * assert.ok(prob(m, [2, 0, 3]) > 0.9 && prob(m, [3, 1, 2]) < 1 / 8 + 1e-12);
 * ```
 */
export function trainSgd(M: number, opts: SgdOptions): OneLayer {
  const m = zeroModel(M);
  const { Y, Z } = m;
  const rng = new Rng(opts.seed);
  const logAt = new Set(opts.logSteps);
  const p = new Float64Array(M);
  const tick = Math.max(1, Math.floor(opts.steps / 100));
  const flush = (x: number) => (Math.abs(x) < 1e-15 ? 0 : x);
  for (let t = 0; t <= opts.steps; t++) {
    if (logAt.has(t)) opts.onLog(t, m);
    if (t === opts.steps) break;
    const [x1, x2, y] = opts.train[rng.int(opts.train.length)];
    // Inline of grads() without allocations: forward, then update Y rows and Z entries.
    const { b, f } = forward(m, x1, x2, p);
    let gf1 = 0, gf2 = 0;
    for (let v = 0; v < M; v++) {
      const g = p[v] - (v === y ? 1 : 0);
      gf1 += Y[x1 * M + v] * g;
      gf2 += Y[x2 * M + v] * g;
      p[v] = g;
    }
    const nh = Math.hypot(b[0], b[1]);
    const ff = f[0] * gf1 + f[1] * gf2;
    const gh1 = (gf1 - f[0] * ff) / nh, gh2 = (gf2 - f[1] * ff) / nh;
    const bg = b[0] * gh1 + b[1] * gh2;
    for (let v = 0; v < M; v++) {
      Y[x1 * M + v] = flush(Y[x1 * M + v] - opts.etaY * f[0] * p[v]);
      Y[x2 * M + v] = flush(Y[x2 * M + v] - opts.etaY * f[1] * p[v]);
    }
    Z[x2 * M + x1] = flush(Z[x2 * M + x1] - opts.etaZ * b[0] * (gh1 - bg));
    Z[x2 * M + x2] = flush(Z[x2 * M + x2] - opts.etaZ * b[1] * (gh2 - bg));
    if ((t + 1) % tick === 0 || t + 1 === opts.steps) opts.onProgress?.(t + 1, opts.steps);
  }
  return m;
}

/**
 * Theorem 3/4's train-side bound, 1 − (M−1)/(M·η_Y·t/N)^c, at step t (−∞ for t = 0).
 *
 * @example
 * ```ts
 * import { trainBound } from "./onelayer.ts";
 * import assert from "node:assert/strict";
 * // M = 122, η_Y = 0.5, N = 30, t = 7320 = N·M/η_Y: M·η_Y·t/N = M², bound = 1 − 121/122 for c = ½.
 * assert.ok(Math.abs(trainBound(122, 0.5, 30, 7320, 0.5) - 1 / 122) < 1e-12);
 * ```
 */
export function trainBound(M: number, etaY: number, N: number, t: number, c: number): number {
  return t > 0 ? 1 - (M - 1) / Math.pow((M * etaY * t) / N, c) : -Infinity;
}

/**
 * The largest c for which p ≥ 1 − (M−1)/(M·η_Y·t/N)^c holds: ln((M−1)/(1−p)) / ln(M·η_Y·t/N)
 * (∞ when p = 1; needs M·η_Y·t/N > 1).
 *
 * @example
 * ```ts
 * import { trainBound, rateExponent } from "./onelayer.ts";
 * import assert from "node:assert/strict";
 * const p = trainBound(122, 0.5, 30, 1e5, 0.8);
 * assert.ok(Math.abs(rateExponent(122, 0.5, 30, 1e5, p) - 0.8) < 1e-9);
 * ```
 */
export function rateExponent(M: number, etaY: number, N: number, t: number, p: number): number {
  return Math.log((M - 1) / (1 - p)) / Math.log((M * etaY * t) / N);
}

/**
 * Log-spaced integer steps from 0 to `steps` (about `perDecade` per decade, always 0 and
 * `steps`).
 *
 * @example
 * ```ts
 * import { logSpaced } from "./onelayer.ts";
 * import assert from "node:assert/strict";
 * const s = logSpaced(1000, 4);
 * assert.ok(s[0] === 0 && s[1] === 1 && s[s.length - 1] === 1000);
 * ```
 */
export function logSpaced(steps: number, perDecade: number): number[] {
  const out = new Set<number>([0]);
  const n = Math.ceil(Math.log10(steps) * perDecade);
  for (let i = 0; i <= n; i++) out.add(Math.min(steps, Math.round(Math.pow(10, i / perDecade))));
  out.add(steps);
  return [...out].sort((a, b) => a - b);
}

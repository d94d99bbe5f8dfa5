/**
 * JoMA's one-block setting (arXiv 2310.00535, Sec. 3–4, Fig. 2/3) simulated in Float64: one
 * query attends over M_c contextual tokens with logits z; the attended input
 * f_k = U_C b_k + u_q of class k feeds one linear layer W (one column per class), trained by
 * full-batch SGD on the cross-entropy over the K classes. Each class is represented by its
 * expected token frequencies X[:, k] (no sequences are sampled), as in the authors' script
 * `joma/draw_figure_2_3.py`. Embeddings are one-hot (U = [I; 0]), so v_k := U_Cᵀ w_k is
 * simply the first M_c entries of column k of W.
 *
 * Attention variants (b_l for class k; T is the temperature):
 * - `softmax`: b_l = x_l e^{z_l/T} / Σ_j x_j e^{z_j/T}  (the authors' code);
 * - `exp`:     b_l = x_l e^{z_l/T}                      (no normalisation);
 * - `linear`:  b_l = x_l z_l.
 *
 * Gradients are written by hand (checked against finite differences in the tests). The
 * trace records, before each update, the quantities of Theorem 1 (the estimated logits ẑ
 * and their normalised correlation NC with z), neuron 0's contextual components v_0[l]
 * (Fig. 3) and the top singular-value share of V = U_Cᵀ W.
 *
 * @module
 */

import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { Rng } from "../math/rng.ts";

/** How attention turns logits into weights over the contextual tokens. */
export type AttentionKind = "softmax" | "exp" | "linear";

/** The token-given-class table: a Gaussian bump on the distinct tokens, or uniform noise. */
export type XKind = "gaussian" | "random";

/** Settings of one simulation (defaults: the authors' script). */
export interface SimulationOptions {
  /** Attention variant. */
  attention: AttentionKind;
  /** Token-given-class table. */
  x: XKind;
  /** Seed of X's random part and of the initial W and z. */
  seed: number;
  /** SGD learning rate, shared by W and z (0.1). */
  lr?: number;
  /** Number of updates (2000). */
  iterations?: number;
  /** Record every this many iterations (and the last one) (10). */
  recordEvery?: number;
  /** Temperature T of softmax/exp attention (0.5). */
  temperature?: number;
  /** Distinct tokens (10); the Gaussian bump lives on them. */
  distinct?: number;
  /** Common tokens (10). */
  common?: number;
  /** Classes K (20). */
  classes?: number;
  /** Embedding dimension d ≥ M_c + 1 (30); unused rows of W only add a constant to ‖W‖². */
  dim?: number;
  /** Initial z: `small` N(0,1)/100 (authors), or 1 + N(0,1)/100 (our default for linear). */
  zInit?: "small" | "one";
  /** Iterations at which to keep a copy of the whole W (before that iteration's update). */
  snapshotW?: number[];
  /** Progress callback (iterations done of total). */
  onProgress?: (done: number, total: number) => void;
}

/** One recorded iteration (before its update). */
export interface TracePoint {
  /** Iteration index t (0 = initialisation). */
  t: number;
  /** Cross-entropy loss at t. */
  loss: number;
  /** Attention logits z (length M_c). */
  z: Float64Array;
  /** Σ_k v_k[l]² per token l (length M_c). */
  sumV2: Float64Array;
  /** ‖W‖²_F over all rows (the authors' code uses it in ẑ₂). */
  normW2: number;
  /** Σ_k ‖v_k‖² (contextual rows only, Theorem 1's ‖v_k‖²). */
  normV2: number;
  /** Neuron 0's contextual components v_0[l] (length M_c). */
  v0: Float64Array;
  /** σ₁²/Σσ² of V (M_c × K). */
  topMass: number;
}

/** What a simulation returns. */
export interface SimulationResult {
  /** The table X (M_c × K, row-major), columns sum to 1. */
  X: Float64Array;
  /** x̄_l = mean_k X[l, k] (the authors' b̄). */
  xbar: Float64Array;
  /** Recorded iterations. */
  trace: TracePoint[];
  /** Copies of W (d × K, row-major) at the requested iterations. */
  wSnapshots: Map<number, Float64Array>;
  /** Sizes used. */
  sizes: { Mc: number; K: number; d: number; T: number; lr: number; iterations: number };
}

/**
 * The authors' X: entries U(0, ½); with `gaussian`, distinct rows i of class k are replaced by
 * exp(−(i − k·D/K)²/30); then each column is normalised to sum 1.
 *
 * @example
 * ```ts
 * import { tokenTable } from "./attention.ts";
 * import assert from "node:assert/strict";
 * const X = tokenTable("gaussian", 10, 10, 20, 1);
 * let s = 0;
 * for (let l = 0; l < 20; l++) s += X[l * 20 + 0];
 * assert.ok(Math.abs(s - 1) < 1e-12);
 * ```
 */
export function tokenTable(
  kind: XKind,
  distinct: number,
  common: number,
  K: number,
  seed: number,
): Float64Array {
  const Mc = distinct + common;
  const rng = new Rng(seed);
  const X = new Float64Array(Mc * K);
  for (let i = 0; i < Mc * K; i++) X[i] = rng.uniform() / 2;
  if (kind === "gaussian") {
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < distinct; i++) {
        X[i * K + k] = Math.exp(-((i - (k / K) * distinct) ** 2) / 30);
      }
    }
  }
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let l = 0; l < Mc; l++) s += X[l * K + k];
    for (let l = 0; l < Mc; l++) X[l * K + k] /= s;
  }
  return X;
}

/**
 * Normalised correlation of the authors' script: Pearson correlation with 1e-8 added to each
 * centred norm.
 *
 * @example
 * ```ts
 * import { normCorr } from "./attention.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(normCorr([1, 2, 3], [2, 4, 6]) - 1) < 1e-6);
 * ```
 */
export function normCorr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / ((Math.sqrt(saa) + 1e-8) * (Math.sqrt(sbb) + 1e-8));
}

/**
 * Share of the squared Frobenius norm in the top singular value, σ₁²/Σσ², of an m × n
 * row-major matrix (via the top eigenvalue of AᵀA).
 *
 * @example
 * ```ts
 * import { topSingularMass } from "./attention.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(topSingularMass(new Float64Array([1, 2, 2, 4]), 2, 2) - 1) < 1e-12);
 * ```
 */
export function topSingularMass(A: Float64Array, m: number, n: number): number {
  const G = new Matrix(n, n);
  let fro = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let r = 0; r < m; r++) s += A[r * n + i] * A[r * n + j];
      G.set(i, j, s);
      G.set(j, i, s);
    }
    fro += G.get(i, i);
  }
  if (fro === 0) return NaN;
  const ev = new EigenvalueDecomposition(G, { assumeSymmetric: true }).realEigenvalues;
  return Math.max(...ev) / fro;
}

/**
 * Attention weights b (M_c × K, row-major) of every class for logits z.
 *
 * @example
 * ```ts
 * import { attentionWeights } from "./attention.ts";
 * import assert from "node:assert/strict";
 * const B = attentionWeights("softmax", new Float64Array([0, 0]), new Float64Array([0.5, 0.5]), 1, 0.5);
 * assert.ok(B[0] === 0.5 && B[1] === 0.5);
 * ```
 */
export function attentionWeights(
  kind: AttentionKind,
  z: Float64Array,
  X: Float64Array,
  K: number,
  T: number,
): Float64Array {
  const Mc = z.length;
  const B = new Float64Array(Mc * K);
  if (kind === "linear") {
    for (let l = 0; l < Mc; l++) for (let k = 0; k < K; k++) B[l * K + k] = X[l * K + k] * z[l];
    return B;
  }
  const zmax = kind === "softmax" ? Math.max(...z) : 0;
  const s = Float64Array.from(z, (v) => Math.exp((v - zmax) / T));
  for (let l = 0; l < Mc; l++) for (let k = 0; k < K; k++) B[l * K + k] = X[l * K + k] * s[l];
  if (kind === "softmax") {
    for (let k = 0; k < K; k++) {
      let a = 0;
      for (let l = 0; l < Mc; l++) a += B[l * K + k];
      for (let l = 0; l < Mc; l++) B[l * K + k] /= a;
    }
  }
  return B;
}

/**
 * Loss and gradients of the block for W (d × K, row-major; rows 0..M_c−1 contextual, row M_c
 * the query) and z: class k's input is f_k = (b_k, 1, 0, …), its logits f_kᵀW, the loss the
 * mean cross-entropy against label k. Exported for the gradient test.
 *
 * @example
 * ```ts
 * import { lossAndGrads, tokenTable } from "./attention.ts";
 * import assert from "node:assert/strict";
 * const X = tokenTable("random", 2, 1, 2, 1); // M_c = 3, K = 2
 * const g = lossAndGrads("softmax", new Float64Array(4 * 2), new Float64Array(3), X, 2, 4, 0.5);
 * assert.ok(Math.abs(g.loss - Math.log(2)) < 1e-12); // zero weights: uniform prediction
 * ```
 */
export function lossAndGrads(
  kind: AttentionKind,
  W: Float64Array,
  z: Float64Array,
  X: Float64Array,
  K: number,
  d: number,
  T: number,
): { loss: number; dW: Float64Array; dz: Float64Array } {
  const Mc = z.length;
  const B = attentionWeights(kind, z, X, K, T);
  // logits out[k, j] = Σ_l B[l,k] W[l,j] + W[Mc, j]
  const G = new Float64Array(K * K);
  let loss = 0;
  const row = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < K; j++) {
      let o = W[Mc * K + j];
      for (let l = 0; l < Mc; l++) o += B[l * K + k] * W[l * K + j];
      row[j] = o;
    }
    let mx = -Infinity;
    for (let j = 0; j < K; j++) mx = Math.max(mx, row[j]);
    let se = 0;
    for (let j = 0; j < K; j++) se += Math.exp(row[j] - mx);
    loss += (Math.log(se) + mx - row[k]) / K;
    for (let j = 0; j < K; j++) G[k * K + j] = (Math.exp(row[j] - mx) / se - (j === k ? 1 : 0)) / K;
  }
  const dW = new Float64Array(d * K);
  const dB = new Float64Array(Mc * K); // dB[l,k] = Σ_j W[l,j] G[k,j]
  for (let l = 0; l < Mc; l++) {
    for (let k = 0; k < K; k++) {
      const b = B[l * K + k];
      let g = 0;
      for (let j = 0; j < K; j++) {
        dW[l * K + j] += b * G[k * K + j];
        g += W[l * K + j] * G[k * K + j];
      }
      dB[l * K + k] = g;
    }
  }
  for (let k = 0; k < K; k++) for (let j = 0; j < K; j++) dW[Mc * K + j] += G[k * K + j];
  const dz = new Float64Array(Mc);
  if (kind === "linear") {
    for (let l = 0; l < Mc; l++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += X[l * K + k] * dB[l * K + k];
      dz[l] = s;
    }
  } else if (kind === "exp") {
    for (let l = 0; l < Mc; l++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += B[l * K + k] * dB[l * K + k];
      dz[l] = s / T;
    }
  } else {
    for (let k = 0; k < K; k++) {
      let mean = 0;
      for (let l = 0; l < Mc; l++) mean += B[l * K + k] * dB[l * K + k];
      for (let l = 0; l < Mc; l++) dz[l] += B[l * K + k] * (dB[l * K + k] - mean) / T;
    }
  }
  return { loss, dW, dz };
}

/**
 * Run one simulation: X from the seed, W ~ N(0,1)/100 (d × K), z ~ N(0,1)/100 (or 1 + that),
 * then `iterations` SGD steps, recording every `recordEvery` iterations and the last.
 *
 * @example
 * ```ts
 * import { simulate } from "./attention.ts";
 * import assert from "node:assert/strict";
 * const r = simulate({ attention: "softmax", x: "gaussian", seed: 1, iterations: 50 });
 * assert.ok(r.trace[0].t === 0 && r.trace.at(-1)!.t === 49);
 * ```
 */
export function simulate(opts: SimulationOptions): SimulationResult {
  const distinct = opts.distinct ?? 10, common = opts.common ?? 10;
  const Mc = distinct + common;
  const K = opts.classes ?? 20;
  const d = opts.dim ?? 30;
  const T = opts.temperature ?? 0.5;
  const lr = opts.lr ?? 0.1;
  const iterations = opts.iterations ?? 2000;
  const every = opts.recordEvery ?? 10;
  if (d < Mc + 1) throw new RangeError(`dim ${d} < M_c + 1 = ${Mc + 1}`);
  const X = tokenTable(opts.x, distinct, common, K, 2 * opts.seed + 1);
  const xbar = new Float64Array(Mc);
  for (let l = 0; l < Mc; l++) for (let k = 0; k < K; k++) xbar[l] += X[l * K + k] / K;
  const rng = new Rng(2 * opts.seed + 2);
  const W = rng.fill(d * K, (r) => r.normal() / 100);
  const z = rng.fill(Mc, (r) => r.normal() / 100);
  if ((opts.zInit ?? "small") === "one") { for (let l = 0; l < Mc; l++) z[l] += 1; }
  const trace: TracePoint[] = [];
  const wSnapshots = new Map<number, Float64Array>();
  const keep = new Set(opts.snapshotW ?? []);
  for (let t = 0; t < iterations; t++) {
    const { loss, dW, dz } = lossAndGrads(opts.attention, W, z, X, K, d, T);
    if (t % every === 0 || t === iterations - 1) trace.push(record(t, loss, W, z, Mc, K, d));
    if (keep.has(t)) wSnapshots.set(t, Float64Array.from(W));
    for (let i = 0; i < W.length; i++) W[i] -= lr * dW[i];
    for (let l = 0; l < Mc; l++) z[l] -= lr * dz[l];
    if (opts.onProgress && (t + 1) % 500 === 0) opts.onProgress(t + 1, iterations);
  }
  opts.onProgress?.(iterations, iterations);
  return { X, xbar, trace, wSnapshots, sizes: { Mc, K, d, T, lr, iterations } };
}

function record(
  t: number,
  loss: number,
  W: Float64Array,
  z: Float64Array,
  Mc: number,
  K: number,
  d: number,
): TracePoint {
  const sumV2 = new Float64Array(Mc);
  let normV2 = 0, normW2 = 0;
  for (let l = 0; l < Mc; l++) {
    for (let k = 0; k < K; k++) sumV2[l] += W[l * K + k] ** 2;
    normV2 += sumV2[l];
  }
  for (let i = 0; i < d * K; i++) normW2 += W[i] ** 2;
  const v0 = new Float64Array(Mc);
  for (let l = 0; l < Mc; l++) v0[l] = W[l * K];
  const topMass = topSingularMass(W.subarray(0, Mc * K), Mc, K);
  return { t, loss, z: Float64Array.from(z), sumV2, normW2, normV2, v0, topMass };
}

/**
 * Theorem 1's estimate ẑ for a trace point, with c fitted at the first point (c = z(0) − ẑ(0)):
 * - softmax: ẑ = (Σ_k v_k² − b̄ N)/(2T) + c, with N = ‖W‖²_F (`code`, the authors' script) or
 *   Σ_k ‖v_k‖² (`theorem`), and b̄ = x̄;
 * - exp: ẑ = Σ_k v_k²/(2T) + c;
 * - linear: ẑ² = Σ_k v_k² + c (ẑ takes the sign of z(0)).
 * Also returns the two parts of the softmax estimate, ẑ₁ = Σ_k v_k²/(2T), ẑ₂ = −b̄ N/(2T).
 *
 * @example
 * ```ts
 * import { estimateLogits, simulate } from "./attention.ts";
 * import assert from "node:assert/strict";
 * const r = simulate({ attention: "exp", x: "gaussian", seed: 1, iterations: 20 });
 * const e = estimateLogits("exp", r, r.trace.at(-1)!);
 * assert.ok(e.zhat.length === 20);
 * ```
 */
export function estimateLogits(
  kind: AttentionKind,
  res: SimulationResult,
  p: TracePoint,
  norm: "code" | "theorem" = "code",
): { zhat: Float64Array; z1: Float64Array; z2: Float64Array } {
  const { T } = res.sizes;
  const raw = (q: TracePoint) => {
    const Mc = q.z.length;
    const z1 = new Float64Array(Mc), z2 = new Float64Array(Mc), e = new Float64Array(Mc);
    const N = norm === "code" ? q.normW2 : q.normV2;
    for (let l = 0; l < Mc; l++) {
      if (kind === "linear") {
        z1[l] = q.sumV2[l];
        e[l] = q.sumV2[l]; // estimate of z²
      } else {
        z1[l] = q.sumV2[l] / (2 * T);
        z2[l] = kind === "softmax" ? -res.xbar[l] * N / (2 * T) : 0;
        e[l] = z1[l] + z2[l];
      }
    }
    return { z1, z2, e };
  };
  const p0 = res.trace[0];
  const r0 = raw(p0), r = raw(p);
  const zhat = new Float64Array(p.z.length);
  for (let l = 0; l < zhat.length; l++) {
    if (kind === "linear") {
      const c = p0.z[l] ** 2 - r0.e[l];
      zhat[l] = Math.sign(p0.z[l]) * Math.sqrt(Math.max(0, r.e[l] + c));
    } else {
      zhat[l] = r.e[l] + (p0.z[l] - r0.e[l]);
    }
  }
  return { zhat, z1: r.z1, z2: r.z2 };
}

/**
 * Drift of Theorem 1's exact invariant, relative to how much the invariant's terms moved:
 * linear: max_{t,l} |z² − Σ_k v_k² − c| / max_{t,l} |z²(t) − z²(0)|;
 * exp: max_{t,l} |z − Σ_k v_k²/(2T) − c| / max_{t,l} |z(t) − z(0)|;
 * softmax: the same with the approximate ẑ (not an invariant, for contrast).
 *
 * @example
 * ```ts
 * import { invariantDrift, simulate } from "./attention.ts";
 * import assert from "node:assert/strict";
 * const r = simulate({ attention: "exp", x: "gaussian", seed: 1, iterations: 200 });
 * assert.ok(invariantDrift("exp", r) < 0.05);
 * ```
 */
export function invariantDrift(kind: AttentionKind, res: SimulationResult): number {
  let worst = 0, moved = 0;
  const p0 = res.trace[0];
  for (const p of res.trace) {
    const { zhat } = estimateLogits(kind, res, p, "code");
    for (let l = 0; l < p.z.length; l++) {
      if (kind === "linear") {
        const c = p0.z[l] ** 2 - p0.sumV2[l];
        worst = Math.max(worst, Math.abs(p.z[l] ** 2 - p.sumV2[l] - c));
        moved = Math.max(moved, Math.abs(p.z[l] ** 2 - p0.z[l] ** 2));
      } else {
        worst = Math.max(worst, Math.abs(p.z[l] - zhat[l]));
        moved = Math.max(moved, Math.abs(p.z[l] - p0.z[l]));
      }
    }
  }
  return worst / moved;
}

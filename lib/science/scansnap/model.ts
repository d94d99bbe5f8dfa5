/**
 * Scan & Snap's synthetic setting and its reparameterised 1-layer transformer, trained on
 * tfjs with many runs batched into one set of tensor ops.
 *
 * Data (the paper's Sec. 3.2 / Sec. 8 "Syn-Small/Syn-Medium"; token layout as in the authors'
 * generator): `numLast` query tokens m, each with `nextPerLast` next tokens n (K classes);
 * 10 common tokens shared by every class, 10 distinct tokens per class with unnormalised
 * P(l|n) = linspace(0.1, 1, 10) (commons 1). A sequence draws its class uniformly, 127
 * contextual tokens i.i.d. from P(l|n), then the query; the label is the next token.
 *
 * Model ("Y/Z" reparameterisation): Z, Y ∈ R^{M×M}. For query m the attention over the
 * contextual tokens is softmax_t(Z[m, x_t]) (no positional term, the query is not a key);
 * c = Σ_t a_t e_{x_t}; f = c/‖c‖₂; logits = Y f; cross-entropy. Because attention depends on
 * token identity only, a sequence is summarised by its token counts, c_l ∝ count_l·e^{Z[m,l]}.
 * Gradients are written by hand (checked against tfjs autograd in the tests) and applied by
 * momentum SGD (PyTorch semantics: buf = μ·buf + g, θ −= η·buf) with separate η_Y, η_Z.
 *
 * @module
 */

import { FLUSH, flushBelow, type TfModule } from "../../tf.ts";
import { Categorical, Rng } from "../math/rng.ts";
import type * as tfjs from "@tensorflow/tfjs";

/** Sizes of the synthetic sequence-class data. */
export interface DataSpec {
  /** Number of distinct query ("last") tokens m. */
  numLast: number;
  /** Next tokens per query (classes per query). */
  nextPerLast: number;
  /** Contextual tokens per sequence (L − 1 = 127 in the paper). */
  contextLength: number;
}

/** Token layout and conditional distributions derived from a {@link DataSpec}. */
export interface Vocabulary {
  /** Vocabulary size M. */
  M: number;
  /** Number of classes K. */
  K: number;
  /** Per class: support token ids (10 commons, then its 10 distinct tokens, ascending P). */
  support: number[][];
  /** Per class: normalised P(l|n) over `support`. */
  prob: number[][];
  /** Per class: its query token id. */
  query: number[];
  /** Per class: its next-token id (the label). */
  next: number[];
  /** Ids of the common tokens. */
  commons: number[];
}

/** Number of common tokens (shared by all classes). */
export const NUM_COMMON = 10;
/** Number of distinct tokens per class. */
export const NUM_DISTINCT = 10;

/** Build the token layout: commons, distinct blocks per class, queries, next tokens. */
export function vocabulary(spec: DataSpec): Vocabulary {
  const K = spec.numLast * spec.nextPerLast;
  const distinctOffset = NUM_COMMON;
  const lastOffset = distinctOffset + NUM_DISTINCT * K;
  const nextOffset = lastOffset + spec.numLast;
  const M = nextOffset + K;
  const commons = Array.from({ length: NUM_COMMON }, (_, i) => i);
  const weights = [
    ...commons.map(() => 1),
    ...Array.from({ length: NUM_DISTINCT }, (_, i) => 0.1 + (0.9 * i) / (NUM_DISTINCT - 1)),
  ];
  const total = weights.reduce((a, b) => a + b, 0);
  const support: number[][] = [], prob: number[][] = [], query: number[] = [], next: number[] = [];
  for (let m = 0; m < spec.numLast; m++) {
    for (let j = 0; j < spec.nextPerLast; j++) {
      const u = m * spec.nextPerLast + j;
      support.push([
        ...commons,
        ...Array.from({ length: NUM_DISTINCT }, (_, i) => distinctOffset + NUM_DISTINCT * u + i),
      ]);
      prob.push(weights.map((w) => w / total));
      query.push(lastOffset + m);
      next.push(nextOffset + u);
    }
  }
  return { M, K, support, prob, query, next, commons };
}

/** A minibatch in count form: per sample the token counts, the query and the label. */
export interface Batch {
  /** counts[b·M + l] = occurrences of token l among the contextual tokens of sample b. */
  counts: Float32Array;
  /** Query token id per sample. */
  query: Int32Array;
  /** Next-token id (label) per sample. */
  label: Int32Array;
}

/** Draws minibatches from the sequence-class distribution with a seeded stream. */
export class SequenceSampler {
  readonly #vocab: Vocabulary;
  readonly #rng: Rng;
  readonly #cats: Categorical[];
  readonly #length: number;

  /** @param vocab the layout, @param contextLength tokens per sequence, @param seed stream seed */
  constructor(vocab: Vocabulary, contextLength: number, seed: number) {
    this.#vocab = vocab;
    this.#rng = new Rng(seed);
    this.#cats = vocab.prob.map((p) => new Categorical(p));
    this.#length = contextLength;
  }

  /** Draw `size` sequences. */
  batch(size: number): Batch {
    const { M, K, support, query, next } = this.#vocab;
    const counts = new Float32Array(size * M);
    const q = new Int32Array(size), y = new Int32Array(size);
    for (let b = 0; b < size; b++) {
      const u = this.#rng.int(K);
      const sup = support[u], cat = this.#cats[u];
      for (let t = 0; t < this.#length; t++) counts[b * M + sup[cat.sample(this.#rng)]] += 1;
      q[b] = query[u];
      y[b] = next[u];
    }
    return { counts, query: q, label: y };
  }
}

/** One training run of the batch: learning rates, data stream and init. */
export interface RunSpec {
  /** Attention (Z) learning rate η_Z. */
  etaZ: number;
  /** Decoder (Y) learning rate η_Y. */
  etaY: number;
  /** Seed of the run: data stream and (random init) initial weights. */
  seed: number;
}

/** Options of {@link trainBatched}. */
export interface TrainOptions {
  /** Data sizes. */
  data: DataSpec;
  /** Runs trained together (one leading tensor dimension). */
  runs: RunSpec[];
  /** SGD steps. */
  steps: number;
  /** Minibatch size (128 in the paper). */
  batchSize: number;
  /** Momentum (0.9 in the paper). */
  momentum: number;
  /** Zero init (Fig. 4) or U(±1/√M) (Fig. 6). */
  init: "zero" | "uniform";
  /** Steps (0 = before any update) at which Z and Y are snapshotted. */
  snapshotSteps: number[];
  /** Called after every step with the steps done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What a batched training returns. */
export interface TrainResult {
  /** The layout used. */
  vocab: Vocabulary;
  /** loss[r][t] = pre-update batch loss of run r at step t (t = 0..steps−1). */
  loss: Float64Array[];
  /** Z snapshots: z[s][r] is run r's M×M Z (row-major) at snapshotSteps[s]. */
  z: Float64Array[][];
  /** Y snapshots, same indexing. */
  y: Float64Array[][];
}

/**
 * Hand-written loss and gradients of the batched model (shapes: G runs, B samples, M tokens,
 * Q query rows). `Z` holds the query rows of Z (G×Q×M) and `queryOneHot` selects one per
 * sample (G×B×Q). Returns the per-run mean loss (G), dZ (G×Q×M) and dY (G×M×M).
 * Exported for the gradient test.
 */
export function lossAndGrads(
  tf: TfModule,
  Z: tfjs.Tensor3D,
  Y: tfjs.Tensor3D,
  counts: tfjs.Tensor3D,
  queryOneHot: tfjs.Tensor3D,
  labelOneHot: tfjs.Tensor3D,
): { loss: tfjs.Tensor1D; dZ: tfjs.Tensor3D; dY: tfjs.Tensor3D } {
  return tf.tidy(() => {
    const B = counts.shape[1];
    const zq = tf.matMul(queryOneHot, Z); // (G,B,M): row z_m of the sample's query
    const zmax = tf.max(zq, -1, true);
    const w = tf.mul(counts, tf.exp(tf.sub(zq, zmax)));
    const c = tf.div(w, tf.sum(w, -1, true)); // attention mass per token
    const cn = tf.norm(c, "euclidean", -1, true);
    const f = tf.div(c, cn);
    const logits = tf.matMul(f, Y, false, true); // (G,B,M): Y f
    const logp = tf.logSoftmax(logits);
    const loss = tf.mean(tf.neg(tf.sum(tf.mul(labelOneHot, logp), -1)), 1) as tfjs.Tensor1D;
    // probabilities below FLUSH.moment are exact zeros: exp of a very negative log-probability
    // is a float32 subnormal, and they change the gradient by less than 1e-30
    const p = flushBelow(tf, tf.exp(logp), FLUSH.moment);
    const gLogits = tf.div(tf.sub(p, labelOneHot), B);
    const dY = tf.matMul(gLogits, f, true, false) as tfjs.Tensor3D; // Σ_b g_b f_bᵀ
    const gF = tf.matMul(gLogits, Y); // Yᵀ g
    const gC = tf.div(tf.sub(gF, tf.mul(f, tf.sum(tf.mul(f, gF), -1, true))), cn);
    const gZq = tf.mul(c, tf.sub(gC, tf.sum(tf.mul(c, gC), -1, true)));
    const dZ = tf.matMul(queryOneHot, gZq, true, false) as tfjs.Tensor3D;
    return { loss, dZ, dY };
  });
}

/**
 * Train all runs together for `steps` momentum-SGD steps on fresh minibatches (runs with the
 * same seed share their data stream), recording every pre-update loss and Z/Y snapshots.
 */
export async function trainBatched(tf: TfModule, opts: TrainOptions): Promise<TrainResult> {
  const vocab = vocabulary(opts.data);
  const { M } = vocab;
  const G = opts.runs.length;
  const B = opts.batchSize;
  const seeds = [...new Set(opts.runs.map((r) => r.seed))];
  const samplers = new Map(
    seeds.map((s) => [s, new SequenceSampler(vocab, opts.data.contextLength, 2 * s + 1)]),
  );
  const initZ = new Float32Array(G * M * M), initY = new Float32Array(G * M * M);
  if (opts.init === "uniform") {
    const bound = 1 / Math.sqrt(M);
    opts.runs.forEach((r, g) => {
      const rng = new Rng(2 * r.seed + 2);
      for (let i = 0; i < M * M; i++) initY[g * M * M + i] = rng.range(-bound, bound);
      for (let i = 0; i < M * M; i++) initZ[g * M * M + i] = rng.range(-bound, bound);
    });
  }
  // Only the query rows of Z are ever read or updated (each query m owns row z_m), so the
  // trainable part is the block Zq = Z[:, queries, :] of shape G × numLast × M.
  const Lq = opts.data.numLast;
  const q0 = vocab.query[0];
  const initZq = new Float32Array(G * Lq * M);
  for (let g = 0; g < G; g++) {
    initZq.set(initZ.subarray(g * M * M + q0 * M, g * M * M + (q0 + Lq) * M), g * Lq * M);
  }
  let Z = tf.tensor3d(initZq, [G, Lq, M]);
  let Y = tf.tensor3d(initY, [G, M, M]);
  let bufZ = tf.zeros([G, Lq, M]) as tfjs.Tensor3D;
  let bufY = tf.zeros([G, M, M]) as tfjs.Tensor3D;
  const lrZ = tf.tensor3d(opts.runs.map((r) => r.etaZ), [G, 1, 1]);
  const lrY = tf.tensor3d(opts.runs.map((r) => r.etaY), [G, 1, 1]);
  const loss = opts.runs.map(() => new Float64Array(opts.steps));
  const z: Float64Array[][] = [], y: Float64Array[][] = [];
  const snapshot = async () => {
    const [zd, yd] = await Promise.all([Z.data(), Y.data()]);
    z.push(opts.runs.map((_, g) => {
      const full = Float64Array.from(initZ.subarray(g * M * M, (g + 1) * M * M));
      full.set(zd.subarray(g * Lq * M, (g + 1) * Lq * M), q0 * M);
      return full;
    }));
    y.push(opts.runs.map((_, g) => Float64Array.from(yd.subarray(g * M * M, (g + 1) * M * M))));
  };
  const counts = new Float32Array(G * B * M);
  const qIdx = new Int32Array(G * B), yIdx = new Int32Array(G * B);
  for (let step = 0; step <= opts.steps; step++) {
    if (opts.snapshotSteps.includes(step)) await snapshot();
    if (step === opts.steps) break;
    const batches = new Map(seeds.map((s) => [s, samplers.get(s)!.batch(B)]));
    opts.runs.forEach((r, g) => {
      const b = batches.get(r.seed)!;
      counts.set(b.counts, g * B * M);
      for (let i = 0; i < B; i++) qIdx[g * B + i] = b.query[i] - q0;
      yIdx.set(b.label, g * B);
    });
    const out = tf.tidy(() => {
      const N = tf.tensor3d(counts, [G, B, M]);
      // tf.oneHot needs depth ≥ 2; with a single query row every sample selects it.
      const Q = (Lq === 1
        ? tf.ones([G, B, 1])
        : tf.oneHot(tf.tensor1d(qIdx, "int32"), Lq).reshape([G, B, Lq]).toFloat()) as tfjs.Tensor3D;
      const L = tf.oneHot(tf.tensor1d(yIdx, "int32"), M).reshape([G, B, M])
        .toFloat() as tfjs.Tensor3D;
      const { loss, dZ, dY } = lossAndGrads(tf, Z, Y, N, Q, L);
      // weights and momentum buffers never hold float32 subnormals (see lib/tf.ts FLUSH)
      const nbZ = flushBelow(tf, tf.add(tf.mul(bufZ, opts.momentum), dZ), FLUSH.moment);
      const nbY = flushBelow(tf, tf.add(tf.mul(bufY, opts.momentum), dY), FLUSH.moment);
      return {
        loss,
        bufZ: nbZ as tfjs.Tensor3D,
        bufY: nbY as tfjs.Tensor3D,
        Z: flushBelow(tf, tf.sub(Z, tf.mul(lrZ, nbZ)), FLUSH.weight) as tfjs.Tensor3D,
        Y: flushBelow(tf, tf.sub(Y, tf.mul(lrY, nbY)), FLUSH.weight) as tfjs.Tensor3D,
      };
    });
    tf.dispose([Z, Y, bufZ, bufY]);
    ({ Z, Y, bufZ, bufY } = out);
    const l = await out.loss.data();
    out.loss.dispose();
    for (let g = 0; g < G; g++) loss[g][step] = l[g];
    opts.onProgress?.(step + 1, opts.steps);
  }
  tf.dispose([Z, Y, bufZ, bufY, lrZ, lrY]);
  return { vocab, loss, z, y };
}

/**
 * Expected attention mass over class n's support for T → ∞ (the quantity of Fig. 4):
 * c_l ∝ P(l|n)·e^{Z[m,l]}, normalised over the support.
 */
export function attentionMass(vocab: Vocabulary, Z: Float64Array, n: number): number[] {
  const { M } = vocab;
  const m = vocab.query[n];
  const w = vocab.support[n].map((l, i) => vocab.prob[n][i] * Math.exp(Z[m * M + l]));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

/**
 * Fig. 6's metric: mean over classes of the entropy (nats) of c restricted to the class's
 * distinct tokens and renormalised.
 */
export function distinctEntropy(vocab: Vocabulary, Z: Float64Array): number {
  let total = 0;
  for (let n = 0; n < vocab.K; n++) {
    const c = attentionMass(vocab, Z, n).slice(NUM_COMMON);
    const s = c.reduce((a, b) => a + b, 0);
    total += -c.reduce((h, x) => h + (x / s) * Math.log(x / s), 0);
  }
  return total / vocab.K;
}

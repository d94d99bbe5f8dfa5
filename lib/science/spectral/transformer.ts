/**
 * A small decoder-only transformer on tfjs (autograd) for the shortest-path task of
 * Spectral Journey (arXiv 2502.08794): token embedding, L pre-LayerNorm blocks of causal
 * multi-head self-attention with rotary position embeddings (RoPE, as the paper's models)
 * and a GELU MLP, a final LayerNorm and an untied unembedding.
 *
 * - Embedding is `oneHot(ids) @ E` (tfjs-wasm has no gradient for `tf.gather`).
 * - Weights are drawn from the harness {@link Rng} (normal, σ = 0.02; the residual output
 *   projections σ = 0.02/√(2L), as GPT-2), never from tfjs random ops.
 * - Optimiser: AdamW (decoupled weight decay on matrices only), global-norm gradient
 *   clipping, linear warm-up then cosine decay, on one flat copy of all parameters. After
 *   every update the weights below `FLUSH.weight` and the moments below `FLUSH.moment` are
 *   set to exact zeros (`flushBelow`), so no float32 subnormals slow tfjs-wasm down.
 * - The training loop never reads a tensor synchronously; losses are read with
 *   `await t.data()` only at logging steps.
 *
 * @module
 */

import { FLUSH, flushBelow, type Tensor, type TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import type { Example, Vocab } from "./tokens.ts";

/** Shape of the model. */
export interface TransformerConfig {
  /** Vocabulary size. */
  vocab: number;
  /** Residual width d. */
  width: number;
  /** Number of blocks (the paper: 2). */
  layers: number;
  /** Attention heads (d divisible by heads; head size even, for RoPE). */
  heads: number;
  /** MLP hidden width (default 4d). */
  mlp?: number;
  /** Longest sequence (RoPE tables). */
  maxLen: number;
  /**
   * Sequences per block of a block-diagonal attention (default {@link ATTENTION_GROUP}:
   * 0, tfjs' batched matmul).
   */
  attentionGroup?: number;
}

/** Named parameter tensors of the model, in a fixed order. */
export interface TransformerModel {
  /** The configuration. */
  config: Required<TransformerConfig>;
  /** The trainable variables, in `names` order. */
  vars: ReturnType<TfModule["variable"]>[];
  /** Parameter names (e.g. "l0.wqkv"). */
  names: string[];
  /** Whether weight decay applies (matrices yes, LayerNorm and biases no). */
  decay: boolean[];
}

/** Number of floats of each named parameter, in order. */
function paramShapes(c: Required<TransformerConfig>): [string, number[], boolean, number][] {
  const d = c.width;
  const out: [string, number[], boolean, number][] = [["emb", [c.vocab, d], true, 0.02]];
  const proj = 0.02 / Math.sqrt(2 * c.layers);
  for (let l = 0; l < c.layers; l++) {
    out.push(
      [`l${l}.wq`, [d, d], true, 0.02],
      [`l${l}.wk`, [d, d], true, 0.02],
      [`l${l}.wv`, [d, d], true, 0.02],
      [`l${l}.wo`, [d, d], true, proj],
      [`l${l}.w1`, [d, c.mlp], true, 0.02],
      [`l${l}.w2`, [c.mlp, d], true, proj],
    );
  }
  out.push(["unemb", [d, c.vocab], true, 0.02]);
  return out;
}

/**
 * A freshly initialised model (σ < 0: constant 1, σ = 0: zeros, else N(0, σ²)), weights
 * drawn from `new Rng(seed)` in parameter order.
 *
 * @example
 * ```ts ignore
 * const model = initTransformer(tf, { vocab: 12, width: 32, layers: 2, heads: 2, maxLen: 64 }, 1);
 * ```
 */
export function initTransformer(
  tf: TfModule,
  config: TransformerConfig,
  seed: number,
): TransformerModel {
  const c: Required<TransformerConfig> = {
    ...config,
    mlp: config.mlp ?? 4 * config.width,
    attentionGroup: config.attentionGroup ?? ATTENTION_GROUP,
  };
  if (c.width % c.heads !== 0 || (c.width / c.heads) % 2 !== 0) {
    throw new RangeError(`width ${c.width} must split into ${c.heads} heads of even size`);
  }
  const rng = new Rng(seed);
  const vars: TransformerModel["vars"] = [];
  const names: string[] = [];
  const decay: boolean[] = [];
  for (const [name, shape, dec, sigma] of paramShapes(c)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const init = sigma < 0
      ? new Float32Array(size).fill(1)
      : sigma === 0
      ? new Float32Array(size)
      : Float32Array.from(rng.fill(size, (r) => sigma * r.normal()));
    vars.push(tf.variable(tf.tensor(init, shape), true));
    names.push(name);
    decay.push(dec);
  }
  return { config: c, vars, names, decay };
}

/**
 * Total number of parameters.
 *
 * @example
 * ```ts ignore
 * assert.ok(parameterCount(initTransformer(tf, config, 1)) > 0);
 * ```
 */
export function parameterCount(model: TransformerModel): number {
  return model.vars.reduce((a, v) => a + v.size, 0);
}

/** Fixed tensors a forward pass needs for sequence length T (RoPE tables, causal mask). */
interface Consts {
  T: number;
  cos: Tensor;
  sin: Tensor;
  rot: Tensor;
  mask: Tensor;
}

const constCache = new WeakMap<TransformerModel, Map<number, Consts>>();

function consts(tf: TfModule, model: TransformerModel, T: number): Consts {
  let byT = constCache.get(model);
  if (!byT) constCache.set(model, byT = new Map());
  const hit = byT.get(T);
  if (hit) return hit;
  const d = model.config.width;
  const dh = d / model.config.heads;
  const half = dh / 2;
  const cos = new Float32Array(T * d);
  const sin = new Float32Array(T * d);
  for (let p = 0; p < T; p++) {
    for (let h = 0; h < d; h += dh) {
      for (let i = 0; i < half; i++) {
        const ang = p / Math.pow(10000, (2 * i) / dh);
        cos[p * d + h + i] = cos[p * d + h + i + half] = Math.cos(ang);
        sin[p * d + h + i] = sin[p * d + h + i + half] = Math.sin(ang);
      }
    }
  }
  // rotate-half of every head as one block-diagonal matrix: (x R)_{h+i} = −x_{h+i+half}
  // for i < half, x_{h+i−half} otherwise
  const rot = new Float32Array(d * d);
  for (let h = 0; h < d; h += dh) {
    for (let i = 0; i < half; i++) {
      rot[(h + i + half) * d + h + i] = -1;
      rot[(h + i) * d + h + i + half] = 1;
    }
  }
  const mask = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -1e9;
  const c: Consts = {
    T,
    cos: tf.keep(tf.tensor2d(cos, [T, d])),
    sin: tf.keep(tf.tensor2d(sin, [T, d])),
    rot: tf.keep(tf.tensor2d(rot, [d, d])),
    mask: tf.keep(tf.tensor2d(mask, [T, T])),
  };
  byT.set(T, c);
  return c;
}

/** LayerNorm over the last axis without gain and bias (their gradients are row sums). */
function layerNorm(tf: TfModule, x: Tensor): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)));
}

type MatMul = (a: Tensor, b: Tensor) => Tensor;
const matMulCache = new WeakMap<TfModule, MatMul>();

/**
 * `a @ b` (2-D, or 3-D batched) whose gradient uses explicit transposes: on tfjs-wasm a
 * matmul with a transpose flag is ~7× slower than transposing the operand first, and
 * tfjs' own matMul gradient uses the flags.
 */
function matMulOf(tf: TfModule): MatMul {
  const hit = matMulCache.get(tf);
  if (hit) return hit;
  const tr = (t: Tensor) => (t.rank === 2 ? tf.transpose(t) : tf.transpose(t, [0, 2, 1]));
  const f = tf.customGrad((a, b, save) => {
    (save as (ts: Tensor[]) => void)([a as Tensor, b as Tensor]);
    return {
      value: tf.matMul(a as Tensor, b as Tensor),
      gradFunc: (dy, saved) => [
        tf.matMul(dy as Tensor, tr(saved[0 + 1])),
        tf.matMul(tr(saved[0]), dy as Tensor),
      ],
    };
  }) as unknown as MatMul;
  matMulCache.set(tf, f);
  return f;
}

/** Default sequences per attention block: 0, tfjs' batched matmul (see {@link attention}). */
export const ATTENTION_GROUP = 0;

/**
 * Causal softmax attention of q, k, v `[S, T, dh]` (S = batch × heads). tfjs-wasm runs a
 * batched matmul with a naive loop, ~20× slower per flop than its 2-D kernel; with G ≥ 2
 * (and S a multiple of G) G sequences at a time are stacked into one `[G·T, dh]` block that
 * attends through 2-D matmuls with a block-diagonal causal mask (G× the flops). Measured on
 * the shared 2-core EPYC: ~25 % faster for the attention alone at T = 32–48 and G = 4, but
 * no faster in a whole training step (the extra ops cost as much), so it is off by default.
 */
function attention(
  tf: TfModule,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  c: Consts,
  dh: number,
  G: number,
): Tensor {
  const mm = matMulOf(tf);
  const [S, T] = q.shape as number[];
  const scale = 1 / Math.sqrt(dh);
  if (G <= 1 || S % G !== 0 || S === G) {
    const scores = tf.add(tf.mul(mm(q, tf.transpose(k, [0, 2, 1])), scale), c.mask);
    return mm(tf.softmax(scores), v);
  }
  const n = S / G;
  const flat = (t: Tensor) => tf.split(tf.reshape(t, [S * T, dh]), n, 0);
  const qs = flat(q);
  const ks = flat(k);
  const vs = flat(v);
  const block = blockMask(tf, c, G);
  const outs = qs.map((qq, i) =>
    mm(tf.softmax(tf.add(tf.mul(mm(qq, tf.transpose(ks[i])), scale), block)), vs[i])
  );
  return tf.reshape(tf.concat(outs, 0), [S, T, dh]);
}

const blockCache = new WeakMap<Consts, Map<number, Tensor>>();

/** The `[G·T, G·T]` block-diagonal causal mask (0 allowed, −1e9 not). */
function blockMask(tf: TfModule, c: Consts, G: number): Tensor {
  let byG = blockCache.get(c);
  if (!byG) blockCache.set(c, byG = new Map());
  const hit = byG.get(G);
  if (hit) return hit;
  const n = G * c.T;
  const m = new Float32Array(n * n).fill(-1e9);
  for (let b = 0; b < G; b++) {
    for (let i = 0; i < c.T; i++) {
      for (let j = 0; j <= i; j++) m[(b * c.T + i) * n + b * c.T + j] = 0;
    }
  }
  const t = tf.keep(tf.tensor2d(m, [n, n]));
  byG.set(G, t);
  return t;
}

/**
 * Forward pass on one-hot inputs `[B·T, vocab]`: the logits `[B·T, vocab]` and the residual
 * stream after block 1 `[B·T, d]` (the paper's "representation after the first layer").
 * Call inside `tf.tidy` (or dispose the outputs).
 *
 * @example
 * ```ts ignore
 * const { logits } = tf.tidy(() => forward(tf, model, tf.cast(tf.oneHot(ids, V), "float32"), B, T));
 * ```
 */
export function forward(
  tf: TfModule,
  model: TransformerModel,
  oneHotIn: Tensor,
  B: number,
  T: number,
): { logits: Tensor; hidden1: Tensor } {
  const c = model.config;
  const d = c.width;
  const H = c.heads;
  const dh = d / H;
  const k = consts(tf, model, T);
  const p = (name: string) => model.vars[model.names.indexOf(name)] as unknown as Tensor;
  const mm = matMulOf(tf);
  let x = mm(oneHotIn, p("emb"));
  let hidden1 = x;
  // [B·T, d] → [B·H, T, dh]; with one head a reshape (no transpose: 5-D and strided
  // transposes are slow on tfjs-wasm)
  const heads = (t: Tensor) =>
    H === 1 ? tf.reshape(t, [B, T, d]) : tf.reshape(
      tf.transpose(tf.reshape(t, [B, T, H, dh]), [0, 2, 1, 3]),
      [B * H, T, dh],
    );
  const unheads = (t: Tensor) =>
    H === 1
      ? tf.reshape(t, [B * T, d])
      : tf.reshape(tf.transpose(tf.reshape(t, [B, H, T, dh]), [0, 2, 1, 3]), [B * T, d]);
  // RoPE on [B·T, d]: x·cos + rotate_half(x)·sin, per head (rotate_half is a block matmul)
  const rope = (t: Tensor) =>
    tf.reshape(
      tf.add(
        tf.mul(tf.reshape(t, [B, T, d]), k.cos),
        tf.mul(tf.reshape(mm(t, k.rot), [B, T, d]), k.sin),
      ),
      [B * T, d],
    );
  for (let l = 0; l < c.layers; l++) {
    const h = layerNorm(tf, x);
    const q = heads(rope(mm(h, p(`l${l}.wq`))));
    const kk = heads(rope(mm(h, p(`l${l}.wk`))));
    const v = heads(mm(h, p(`l${l}.wv`)));
    const merged = unheads(attention(tf, q, kk, v, k, dh, c.attentionGroup));
    x = tf.add(x, mm(merged, p(`l${l}.wo`)));
    const u = mm(layerNorm(tf, x), p(`l${l}.w1`));
    x = tf.add(x, mm(tf.mul(u, tf.sigmoid(tf.mul(u, 1.702))), p(`l${l}.w2`)));
    if (l === 0) hidden1 = x;
  }
  const logits = mm(layerNorm(tf, x), p("unemb"));
  return { logits, hidden1 };
}

/** A padded batch: tokens `[B, T]` as a flat Int32Array plus the loss mask. */
export interface Batch {
  /** Batch size. */
  B: number;
  /** Padded length. */
  T: number;
  /** Input ids, B·T. */
  ids: Int32Array;
  /** Next-token targets, B·T (pad where untrained). */
  targets: Int32Array;
  /** 1 where the loss applies (positions predicting the path and `<eos>`), B·T. */
  mask: Float32Array;
}

/**
 * Pad examples into a batch (length rounded up to a multiple of 8, capped at `maxLen`).
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { encodeExample, makeVocab } from "./tokens.ts";
 * import { makeBatch } from "./transformer.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const v = makeVocab(4);
 * const ex = encodeExample(v, graphFromEdges(3, [[0, 1], [1, 2]]), 0, 2, new Rng(1));
 * const b = makeBatch([ex], v, 64);
 * assert.ok(b.T === 16 && b.mask.reduce((a, x) => a + x, 0) === 4);
 * ```
 */
export function makeBatch(examples: Example[], vocab: Vocab, maxLen: number): Batch {
  const longest = Math.max(...examples.map((e) => e.tokens.length));
  const T = Math.min(maxLen, Math.ceil(longest / 8) * 8);
  if (longest > T) throw new RangeError(`sequence of ${longest} tokens > maxLen ${maxLen}`);
  const B = examples.length;
  const ids = new Int32Array(B * T).fill(vocab.pad);
  const targets = new Int32Array(B * T).fill(vocab.pad);
  const mask = new Float32Array(B * T);
  examples.forEach((ex, b) => {
    const n = ex.tokens.length;
    for (let i = 0; i < n; i++) ids[b * T + i] = ex.tokens[i];
    for (let i = 0; i + 1 < n; i++) {
      targets[b * T + i] = ex.tokens[i + 1];
      if (i >= ex.pathStart) mask[b * T + i] = 1;
    }
  });
  return { B, T, ids, targets, mask };
}

/**
 * Masked next-token cross-entropy of a batch (mean over trained positions).
 *
 * @example
 * ```ts ignore
 * const loss = (await batchLoss(tf, model, makeBatch(examples, vocab, 64)).data())[0];
 * ```
 */
export function batchLoss(tf: TfModule, model: TransformerModel, batch: Batch): Tensor {
  return tf.tidy(() => {
    const V = model.config.vocab;
    const oh = tf.cast(tf.oneHot(tf.tensor1d(batch.ids, "int32"), V), "float32");
    const tg = tf.cast(tf.oneHot(tf.tensor1d(batch.targets, "int32"), V), "float32");
    const mask = tf.tensor2d(batch.mask, [batch.B * batch.T, 1]);
    const { logits } = forward(tf, model, oh, batch.B, batch.T);
    const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tg), -1, true));
    return tf.div(tf.sum(tf.mul(nll, mask)), tf.maximum(tf.sum(mask), 1));
  });
}

/** Optimiser and schedule settings. */
export interface TrainOptions {
  /** Number of updates. */
  steps: number;
  /** Peak learning rate. */
  lr: number;
  /** Warm-up steps (linear from 0). */
  warmup: number;
  /** Final learning rate as a fraction of the peak (cosine decay). Default 0.1. */
  finalLrFraction?: number;
  /** Decoupled weight decay on matrices. Default 0.01. */
  weightDecay?: number;
  /** Adam β₁, β₂. Default 0.9, 0.98. */
  betas?: [number, number];
  /** Adam ε. Default 1e-8. */
  eps?: number;
  /** Global gradient-norm clip. Default 1. */
  clip?: number;
  /**
   * Length of the learning-rate schedule (default `steps`). The schedule position is the
   * optimiser's update count, so training can be resumed in pieces of one schedule.
   */
  scheduleSteps?: number;
  /** Draws the batch of each step (called with the step index). */
  nextBatch: (step: number) => Batch;
  /** Steps (after that many updates) at which to read the training loss. */
  logSteps?: number[];
  /** Progress callback, after every update. */
  onProgress?: (done: number, total: number) => void;
}

/** The optimiser state: flat parameters and Adam moments. */
export interface OptState {
  /** Flat copy of all parameters. */
  theta: ReturnType<TfModule["variable"]>;
  /** First moment. */
  m: ReturnType<TfModule["variable"]>;
  /** Second moment. */
  v: ReturnType<TfModule["variable"]>;
  /** Updates done. */
  step: number;
}

/**
 * Create the optimiser state for a model (θ copied from its variables, zero moments).
 *
 * @example
 * ```ts ignore
 * const state = initOptState(tf, model); // state.step === 0
 * ```
 */
export function initOptState(tf: TfModule, model: TransformerModel): OptState {
  const flat = tf.tidy(() => tf.concat(model.vars.map((v) => tf.reshape(v, [-1]))));
  const theta = tf.variable(flat, false);
  flat.dispose();
  const size = theta.size;
  return {
    theta,
    m: tf.variable(tf.zeros([size]), false),
    v: tf.variable(tf.zeros([size]), false),
    step: 0,
  };
}

/**
 * Learning rate after `step` updates (warm-up, then cosine to `finalLrFraction`·lr).
 *
 * @example
 * ```ts
 * import { learningRate } from "./transformer.ts";
 * import assert from "node:assert/strict";
 * assert.ok(learningRate(10, { steps: 100, lr: 1, warmup: 10 }) === 1);
 * ```
 */
export function learningRate(
  step: number,
  o: Pick<TrainOptions, "steps" | "lr" | "warmup" | "finalLrFraction">,
): number {
  if (step < o.warmup) return (o.lr * (step + 1)) / o.warmup;
  const f = o.finalLrFraction ?? 0.1;
  const prog = Math.min(1, (step - o.warmup) / Math.max(1, o.steps - o.warmup));
  return o.lr * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * prog)));
}

/**
 * Train with AdamW. Returns the training losses read at `logSteps` (as [step, loss]).
 *
 * @example
 * ```ts ignore
 * const losses = await trainTransformer(tf, model, state, { steps: 100, lr: 1e-3, warmup: 10, nextBatch });
 * ```
 */
export async function trainTransformer(
  tf: TfModule,
  model: TransformerModel,
  state: OptState,
  opts: TrainOptions,
): Promise<[number, number][]> {
  const [b1, b2] = opts.betas ?? [0.9, 0.98];
  const eps = opts.eps ?? 1e-8;
  const wd = opts.weightDecay ?? 0.01;
  const clip = opts.clip ?? 1;
  const sizes = model.vars.map((v) => v.size);
  const decayMask = tf.keep(
    tf.concat(model.vars.map((v, i) => tf.fill([v.size], model.decay[i] ? 1 : 0))),
  );
  const logAt = new Set(opts.logSteps ?? []);
  const losses: [number, number][] = [];
  for (let s = 0; s < opts.steps; s++) {
    const batch = opts.nextBatch(s);
    const lr = learningRate(state.step, { ...opts, steps: opts.scheduleSteps ?? opts.steps });
    const t = state.step + 1;
    const lossValue = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => batchLoss(tf, model, batch) as never,
        model
          .vars,
      );
      const g0 = tf.concat(model.vars.map((v) => tf.reshape(grads[v.name], [-1])));
      const norm = tf.sqrt(tf.sum(tf.square(g0)));
      const g = tf.mul(g0, tf.minimum(1, tf.div(clip, tf.add(norm, 1e-12))));
      const m = flushBelow(tf, tf.add(tf.mul(state.m, b1), tf.mul(g, 1 - b1)), FLUSH.moment);
      const v = flushBelow(
        tf,
        tf.add(tf.mul(state.v, b2), tf.mul(tf.square(g), 1 - b2)),
        FLUSH.moment,
      );
      const mhat = tf.div(m, 1 - Math.pow(b1, t));
      const vhat = tf.div(v, 1 - Math.pow(b2, t));
      const upd = tf.add(
        tf.div(mhat, tf.add(tf.sqrt(vhat), eps)),
        tf.mul(decayMask, tf.mul(state.theta, wd)),
      );
      const theta = flushBelow(tf, tf.sub(state.theta, tf.mul(upd, lr)), FLUSH.weight);
      state.m.assign(m);
      state.v.assign(v);
      state.theta.assign(theta);
      const parts = tf.split(theta, sizes);
      model.vars.forEach((w, i) => w.assign(tf.reshape(parts[i], w.shape)));
      return tf.keep(value);
    });
    state.step = t;
    if (logAt.has(s + 1)) losses.push([s + 1, (await lossValue.data())[0]]);
    lossValue.dispose();
    opts.onProgress?.(s + 1, opts.steps);
  }
  decayMask.dispose();
  return losses;
}

/**
 * Greedy decoding of the path for each prompt (examples encoded with an empty path, i.e.
 * ending in `<p>`): up to `maxNew` tokens, stopping at `<eos>`. Returns the generated tokens
 * (without `<eos>`).
 *
 * @example
 * ```ts ignore
 * const paths = await greedyPaths(tf, model, vocab, prompts, 12);
 * ```
 */
export async function greedyPaths(
  tf: TfModule,
  model: TransformerModel,
  vocab: Vocab,
  prompts: Example[],
  maxNew: number,
): Promise<number[][]> {
  const B = prompts.length;
  const seqs = prompts.map((p) => [...p.tokens]);
  const done = new Array(B).fill(false);
  const out: number[][] = prompts.map(() => []);
  for (let step = 0; step < maxNew && done.some((x) => !x); step++) {
    const longest = Math.max(...seqs.map((s) => s.length));
    const T = Math.min(model.config.maxLen, Math.ceil(longest / 8) * 8);
    const ids = new Int32Array(B * T).fill(vocab.pad);
    const at = new Int32Array(B);
    seqs.forEach((s, b) => {
      for (let i = 0; i < s.length; i++) ids[b * T + i] = s[i];
      at[b] = b * T + s.length - 1;
    });
    const pred = tf.tidy(() => {
      const oh = tf.cast(tf.oneHot(tf.tensor1d(ids, "int32"), model.config.vocab), "float32");
      const { logits } = forward(tf, model, oh, B, T);
      return tf.argMax(tf.gather(logits, tf.tensor1d(at, "int32")), -1);
    });
    const next = await pred.data();
    pred.dispose();
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const tok = next[b];
      if (tok === vocab.eos || seqs[b].length >= model.config.maxLen) done[b] = true;
      else {
        out[b].push(tok);
        seqs[b].push(tok);
      }
    }
  }
  return out;
}

/**
 * The residual stream after block 1 at the given positions of each example (full
 * sequences), in Float64: `rows[b]` is a positions × d row-major array.
 *
 * @example
 * ```ts ignore
 * const reps = await layerOneStates(tf, model, vocab, examples, examples.map((e) => e.secondPos));
 * ```
 */
export async function layerOneStates(
  tf: TfModule,
  model: TransformerModel,
  vocab: Vocab,
  examples: Example[],
  positions: ArrayLike<number>[],
): Promise<Float64Array[]> {
  const batch = makeBatch(examples, vocab, model.config.maxLen);
  const { B, T } = batch;
  const d = model.config.width;
  const flat: number[] = [];
  positions.forEach((ps, b) => {
    for (let i = 0; i < ps.length; i++) flat.push(b * T + ps[i]);
  });
  const h = tf.tidy(() => {
    const oh = tf.cast(tf.oneHot(tf.tensor1d(batch.ids, "int32"), model.config.vocab), "float32");
    const { hidden1 } = forward(tf, model, oh, B, T);
    return tf.gather(hidden1, tf.tensor1d(Int32Array.from(flat), "int32"));
  });
  const data = await h.data();
  h.dispose();
  const out: Float64Array[] = [];
  let off = 0;
  for (const ps of positions) {
    out.push(Float64Array.from(data.subarray(off * d, (off + ps.length) * d)));
    off += ps.length;
  }
  return out;
}

/**
 * Dispose a model's variables and its cached constants (and the optimiser state, if given).
 *
 * @example
 * ```ts ignore
 * disposeModel(model, state);
 * ```
 */
export function disposeModel(model: TransformerModel, state?: OptState): void {
  for (const v of model.vars) v.dispose();
  for (const c of constCache.get(model)?.values() ?? []) {
    for (const t of blockCache.get(c)?.values() ?? []) t.dispose();
    c.cos.dispose();
    c.sin.dispose();
    c.rot.dispose();
    c.mask.dispose();
  }
  constCache.delete(model);
  if (state) {
    state.theta.dispose();
    state.m.dispose();
    state.v.dispose();
  }
}

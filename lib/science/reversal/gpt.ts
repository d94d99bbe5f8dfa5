/**
 * A small GPT-2-style decoder on tfjs for the authors' multi-layer reversal experiment
 * (Zhu et al., arXiv 2405.04669, Sec. 5 / Fig. 1; `src/scripts/train_reverse.py`), trained
 * with tfjs autograd and AdamW.
 *
 * Architecture as GPT-2 (Hugging Face `GPT2LMHeadModel`): learned token and absolute position
 * embeddings, pre-LayerNorm blocks (ε = 1e-5) of causal multi-head self-attention and a
 * 4×-wide MLP with the tanh GELU, a final LayerNorm, and the output head tied to the token
 * embedding. Init as GPT-2: weights N(0, 0.02²), the two residual output projections
 * N(0, (0.02/√(2L))²), biases 0, LayerNorm gains 1. No dropout (GPT-2's default is 0.1).
 *
 * Loss as the authors' default (`loss_last_word`): cross-entropy of the last token of the
 * three-token sentence only, i.e. of the prediction made at position 2 from tokens 1-2. With
 * causal attention that prediction does not depend on token 3, so the forward pass reads the
 * first two tokens only (the same function, a third cheaper).
 *
 * Optimiser: AdamW with PyTorch's semantics (decoupled weight decay on every parameter, bias
 * corrections, ε = 1e-8). The update runs on one flat float32 vector (gradients concatenated,
 * parameters split back), so it is a handful of ops; after each update weights below 1e-15 and moments below 1e-30 are set to
 * exact zeros (float32 subnormals are ~16× slower on wasm).
 *
 * @module
 */

import { FLUSH, flushBelow, type Tensor, type TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import type { Sentence } from "./data.ts";

/** Model sizes. */
export interface GptConfig {
  /** Vocabulary size M (the authors' vocab_size + 2 reserved tokens). */
  vocab: number;
  /** Embedding width d. */
  dModel: number;
  /** Number of blocks L. */
  layers: number;
  /** Attention heads (d must be divisible by it). */
  heads: number;
}

/** One named slice of the flat parameter vector. */
interface Slot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/**
 * The parameter layout of a config: named slots (GPT-2's tensors, in order) in one flat vector.
 *
 * @example
 * ```ts
 * import { layout } from "./gpt.ts";
 * import assert from "node:assert/strict";
 * const { slots, size } = layout({ vocab: 10, dModel: 8, layers: 1, heads: 2 });
 * assert.ok(slots.get("h0.attn.w")!.shape[1] === 24 && size === 10 * 8 + 2 * 8 + 1 * (12 * 64 + 13 * 8) + 16);
 * ```
 */
export function layout(cfg: GptConfig): { slots: Map<string, Slot>; size: number } {
  const d = cfg.dModel;
  const shapes: [string, number[]][] = [["wte", [cfg.vocab, d]], ["wpe", [2, d]]];
  for (let l = 0; l < cfg.layers; l++) {
    shapes.push(
      [`h${l}.ln1.g`, [d]],
      [`h${l}.ln1.b`, [d]],
      [`h${l}.attn.w`, [d, 3 * d]],
      [`h${l}.attn.b`, [3 * d]],
      [`h${l}.proj.w`, [d, d]],
      [`h${l}.proj.b`, [d]],
      [`h${l}.ln2.g`, [d]],
      [`h${l}.ln2.b`, [d]],
      [`h${l}.fc.w`, [d, 4 * d]],
      [`h${l}.fc.b`, [4 * d]],
      [`h${l}.fcproj.w`, [4 * d, d]],
      [`h${l}.fcproj.b`, [d]],
    );
  }
  shapes.push(["lnf.g", [d]], ["lnf.b", [d]]);
  const slots = new Map<string, Slot>();
  let offset = 0;
  for (const [name, shape] of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    slots.set(name, { name, shape, offset, size });
    offset += size;
  }
  return { slots, size: offset };
}

/**
 * GPT-2 initialisation of the flat parameter vector.
 *
 * @example
 * ```ts
 * import { initParams, layout } from "./gpt.ts";
 * import assert from "node:assert/strict";
 * const cfg = { vocab: 10, dModel: 8, layers: 1, heads: 2 };
 * const th = initParams(cfg, 1);
 * const g = layout(cfg).slots.get("h0.ln1.g")!;
 * assert.ok(th.length === layout(cfg).size && th[g.offset] === 1);
 * ```
 */
export function initParams(cfg: GptConfig, seed: number): Float32Array {
  const { slots, size } = layout(cfg);
  const th = new Float32Array(size);
  const rng = new Rng(seed);
  const residStd = 0.02 / Math.sqrt(2 * cfg.layers);
  for (const s of slots.values()) {
    const last = s.name.split(".").pop();
    if (last === "g") th.fill(1, s.offset, s.offset + s.size);
    else if (s.name === "wte" || s.name === "wpe" || last === "w") {
      const std = s.name.endsWith("proj.w") ? residStd : 0.02;
      for (let i = 0; i < s.size; i++) th[s.offset + i] = std * rng.normal();
    }
  }
  return th;
}

/**
 * Matrix products whose gradients avoid tfjs-wasm's transposed-operand matMul, which is ~10×
 * slower than an explicit transpose followed by a plain matMul (measured: 18.8 ms vs 1.7 ms
 * for a [102,64]ᵀ·[102,256] product). `mm(a, b)` = a·b, `mmT(a, b)` = a·bᵀ, both 2-D.
 */
function products(tf: TfModule): {
  mm: (a: Tensor, b: Tensor) => Tensor;
  mmT: (a: Tensor, b: Tensor) => Tensor;
} {
  type Save = (ts: Tensor[]) => void;
  type Fn = Parameters<TfModule["customGrad"]>[0];
  type Mat = Parameters<TfModule["matMul"]>[0];
  const m = (a: Tensor, b: Tensor) => tf.matMul(a as Mat, b as Mat) as Tensor;
  const t = (a: Tensor) => tf.transpose(a) as Tensor;
  const wrap = (f: (a: Tensor, b: Tensor, save: Save) => unknown) =>
    tf.customGrad(f as unknown as Fn) as unknown as (a: Tensor, b: Tensor) => Tensor;
  const mm = wrap((a, b, save) => {
    save([a, b]);
    return {
      value: m(a, b),
      gradFunc: (dy: Tensor, [sa, sb]: Tensor[]) => [m(dy, t(sb)), m(t(sa), dy)],
    };
  });
  const mmT = wrap((a, b, save) => {
    save([a, b]);
    return {
      value: m(a, t(b)),
      gradFunc: (dy: Tensor, [sa, sb]: Tensor[]) => [m(dy, sb), m(t(dy), sa)],
    };
  });
  return { mm, mmT };
}

/**
 * Log-probabilities log p(x3 | x1, x2) of a batch, as a tensor of shape [B] (call inside a
 * tidy). `params` are the parameter tensors in {@link layout} order, each of its slot's shape. `ids` holds the input tokens position-major ([x1 of every sentence, then x2 of every
 * sentence], int32, length 2B), `target` the x3 ([B], int32).
 *
 * With two positions, causal attention is written out: position 1 attends to itself only
 * (its output is v₁), position 2 puts weight a = σ((q₂·k₁ − q₂·k₂)/√d_h) on position 1 and
 * 1 − a on itself, per head. This is softmax attention exactly, in a few elementwise ops
 * instead of batched 2×2 matmuls (tfjs-wasm pays per op).
 *
 * @example
 * ```ts ignore
 * const { tf } = await loadTf("wasm");
 * const cfg = { vocab: 10, dModel: 8, layers: 1, heads: 2 };
 * const params = [...layout(cfg).slots.values()].map((s) => tf.zeros(s.shape));
 * const lp = logProbs(tf, cfg, params, tf.tensor1d([2, 0], "int32"), tf.tensor1d([3], "int32"));
 * // zero weights (and zero LayerNorm gains): uniform prediction, lp = [−ln 10]
 * ```
 */
export function logProbs(
  tf: TfModule,
  cfg: GptConfig,
  params: Tensor[],
  ids: Tensor,
  target: Tensor,
): Tensor {
  const { slots } = layout(cfg);
  const index = new Map([...slots.keys()].map((k, i) => [k, i]));
  const P = (name: string) => params[index.get(name)!];
  const { mm, mmT } = products(tf);
  const d = cfg.dModel, H = cfg.heads, dh = d / H;
  const B = target.shape[0]!;
  const ln = (x: Tensor, g: string) => {
    const mu = tf.mean(x, -1, true);
    const c = tf.sub(x, mu);
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(c), -1, true), 1e-5));
    return tf.add(tf.mul(tf.mul(c, r), P(`${g}.g`)), P(`${g}.b`));
  };
  const wte = P("wte");
  const wpe = P("wpe");
  // Token embedding as oneHot @ E (wasm has no gradient for gather); rows 0…B−1 are position 1,
  // rows B…2B−1 position 2.
  const pos = tf.concat([
    tf.tile(tf.slice(wpe, [0, 0], [1, d]), [B, 1]),
    tf.tile(tf.slice(wpe, [1, 0], [1, d]), [B, 1]),
  ]);
  let x = tf.add(mm(tf.oneHot(ids, cfg.vocab).toFloat(), wte), pos); // [2B, d]
  const rows = (t: Tensor, r: number, c: number) => tf.slice(t, [r * B, c * d], [B, d]);
  for (let l = 0; l < cfg.layers; l++) {
    const qkv = tf.add(mm(ln(x, `h${l}.ln1`), P(`h${l}.attn.w`)), P(`h${l}.attn.b`));
    const q2 = rows(qkv, 1, 0), k1 = rows(qkv, 0, 1), k2 = rows(qkv, 1, 1);
    const v1 = rows(qkv, 0, 2), v2 = rows(qkv, 1, 2);
    const score = (k: Tensor) => tf.sum(tf.reshape(tf.mul(q2, k), [B, H, dh]), -1, true);
    const a = tf.sigmoid(tf.mul(tf.sub(score(k1), score(k2)), 1 / Math.sqrt(dh))); // [B, H, 1]
    const v2h = tf.reshape(v2, [B, H, dh]);
    const y2 = tf.reshape(tf.add(v2h, tf.mul(a, tf.sub(tf.reshape(v1, [B, H, dh]), v2h))), [B, d]);
    const y = tf.concat([v1, y2]);
    x = tf.add(x, tf.add(mm(y, P(`h${l}.proj.w`)), P(`h${l}.proj.b`)));
    const u = tf.add(mm(ln(x, `h${l}.ln2`), P(`h${l}.fc.w`)), P(`h${l}.fc.b`));
    const inner = tf.mul(
      tf.add(u, tf.mul(tf.mul(u, tf.square(u)), 0.044715)),
      Math.sqrt(2 / Math.PI),
    );
    const gelu = tf.mul(tf.mul(u, 0.5), tf.add(tf.tanh(inner), 1));
    x = tf.add(x, tf.add(mm(gelu, P(`h${l}.fcproj.w`)), P(`h${l}.fcproj.b`)));
  }
  const last = ln(tf.slice(x, [B, 0], [B, d]), "lnf");
  const logits = mmT(last, wte); // tied head, [B, M]
  return tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(target, cfg.vocab).toFloat()), -1);
}

/** Training settings (defaults: the authors' `train_reverse.py`). */
export interface GptTrainOptions {
  /** Model sizes. */
  config: GptConfig;
  /** Training sentences. */
  train: Sentence[];
  /** Validation (test) sentences. */
  val: Sentence[];
  /** Epochs (3000 in the authors' code). */
  epochs: number;
  /** Minibatch size (64). */
  batchSize: number;
  /** AdamW learning rate (0.01). */
  lr: number;
  /** AdamW betas ((0.9, 0.999)). */
  betas: [number, number];
  /** Decoupled weight decay (PyTorch AdamW's default 0.01). */
  weightDecay: number;
  /** Seed of the initialisation and the batch order. */
  seed: number;
  /** Epochs (0 = before training) after which the mean log-probabilities are recorded. */
  logEpochs: number[];
  /** Progress over epochs. */
  onProgress?: (done: number, total: number) => void;
}

/** Mean log-probability of the last token, train and validation, after an epoch. */
export interface GptPoint {
  /** Epochs done. */
  epoch: number;
  /** Mean log p over training sentences. */
  trainLogProb: number;
  /** Mean log p over validation sentences. */
  valLogProb: number;
}

/** What a training run returns. */
export interface GptResult {
  /** The logged points. */
  log: GptPoint[];
  /** Final flat parameters (for tests). */
  theta: Float32Array;
  /** Final AdamW moments (for the subnormal test). */
  moments: [Float32Array, Float32Array];
}

/**
 * Train the GPT with AdamW on minibatches of the training sentences (reshuffled every epoch).
 *
 * @example
 * ```ts ignore
 * const { tf } = await loadTf("wasm");
 * const d = reverseDataset({ vocab: 120, seed: 1 });
 * const r = await trainGpt(tf, {
 *   config: { vocab: d.M, dModel: 64, layers: 2, heads: 4 }, train: d.train, val: d.test,
 *   epochs: 300, batchSize: 64, lr: 0.01, betas: [0.9, 0.999], weightDecay: 0.01, seed: 1,
 *   logEpochs: [0, 300],
 * });
 * // r.log[1].trainLogProb ≈ 0 while r.log[1].valLogProb ≤ −ln(M/2)
 * ```
 */
export async function trainGpt(tf: TfModule, opts: GptTrainOptions): Promise<GptResult> {
  const cfg = opts.config;
  if (cfg.dModel % cfg.heads !== 0) throw new RangeError("dModel must be divisible by heads");
  const rng = new Rng(opts.seed);
  const { slots } = layout(cfg);
  const sizes = [...slots.values()].map((s) => s.size);
  const shapes = [...slots.values()].map((s) => s.shape);
  let theta: Tensor = tf.tensor1d(initParams(cfg, opts.seed + 7919));
  const P = theta.shape[0]!;
  const unflatten = (th: Tensor) => tf.split(th, sizes).map((t, i) => tf.reshape(t, shapes[i]));
  let params = tf.tidy(() => unflatten(theta));
  let m1: Tensor = tf.zeros([P]), m2: Tensor = tf.zeros([P]);
  const [b1, b2] = opts.betas;
  const encode = (ss: Sentence[]) => ({
    ids: tf.tensor1d([...ss.map((s) => s[0]), ...ss.map((s) => s[1])], "int32"),
    target: tf.tensor1d(ss.map((s) => s[2]), "int32"),
  });
  const evalSets = [encode(opts.train), encode(opts.val)];
  const log: GptPoint[] = [];
  const logAt = new Set(opts.logEpochs);
  const record = async (epoch: number) => {
    const means = tf.tidy(() =>
      tf.stack(evalSets.map((e) => tf.mean(logProbs(tf, cfg, params, e.ids, e.target))))
    );
    const [tr, va] = await means.data();
    means.dispose();
    log.push({ epoch, trainLogProb: tr, valLogProb: va });
  };
  const lossOf = (ids: Tensor, target: Tensor) => (...ps: Tensor[]) =>
    tf.neg(tf.mean(logProbs(tf, cfg, ps, ids, target))) as ReturnType<TfModule["scalar"]>;
  let step = 0;
  const order = opts.train.map((_, i) => i);
  if (logAt.has(0)) await record(0);
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    rng.shuffle(order);
    for (let s = 0; s < order.length; s += opts.batchSize) {
      const batch = order.slice(s, s + opts.batchSize).map((i) => opts.train[i]);
      step++;
      const next = tf.tidy(() => {
        const { ids, target } = encode(batch);
        const gs = tf.grads(lossOf(ids, target))(params);
        const grad = tf.concat(gs.map((g) => tf.reshape(g, [-1])));
        const nm1 = flushBelow(tf, tf.add(tf.mul(m1, b1), tf.mul(grad, 1 - b1)), FLUSH.moment);
        const nm2 = flushBelow(
          tf,
          tf.add(tf.mul(m2, b2), tf.mul(tf.square(grad), 1 - b2)),
          FLUSH.moment,
        );
        const bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
        const denom = tf.add(tf.div(tf.sqrt(nm2), Math.sqrt(bc2)), 1e-8);
        const upd = tf.sub(
          tf.mul(theta, 1 - opts.lr * opts.weightDecay),
          tf.mul(tf.div(nm1, denom), opts.lr / bc1),
        );
        const th = flushBelow(tf, upd, FLUSH.weight);
        return [th, nm1, nm2, ...unflatten(th)];
      });
      tf.dispose([theta, m1, m2, ...params]);
      [theta, m1, m2] = next;
      params = next.slice(3);
    }
    if (logAt.has(epoch)) await record(epoch);
    opts.onProgress?.(epoch, opts.epochs);
  }
  const [th, a, b] = await Promise.all([theta.data(), m1.data(), m2.data()]);
  tf.dispose([theta, m1, m2, ...params, ...evalSets.flatMap((e) => [e.ids, e.target])]);
  return {
    log,
    theta: Float32Array.from(th),
    moments: [Float32Array.from(a), Float32Array.from(b)],
  };
}

/**
 * A small causal transformer language model on tfjs, trained with autograd: the PyTorch
 * word-language-model tutorial's `TransformerModel` as the Scan & Snap / JoMA authors ran it
 * (`decoder_wiki_util.py` in facebookresearch/luckmatters), with a causal mask.
 *
 * Model, per token stream x_1..x_T (batch-first; all activations kept as [B·T, d] so every
 * dense product is a plain 2-D matmul):
 * - `h = E[x]·√d + PE` (sinusoidal positions: PE[t, 2i] = sin(t·10000^(−2i/d)),
 *   PE[t, 2i+1] = cos(…)), then dropout;
 * - per layer (post-LN, single head): `a = softmax(q kᵀ/√d + causal)` with q, k, v = h W + b,
 *   dropout on a, `h = LN₁(h + drop(a v W_o + b_o))`, `h = LN₂(h + drop(W₂ drop(relu(W₁ h + b₁)) + b₂))`
 *   (LayerNorm ε = 1e-5, affine);
 * - logits `h W_dec + b_dec`; loss = mean token cross-entropy.
 * Initialisation as in PyTorch: E, W_dec ~ U(±0.1), b_dec = 0; q/k/v Xavier-uniform over the
 * stacked [3d, d] in-projection (bound √(6/4d)), zero biases; W_o ~ U(±1/√d), b_o = 0; FFN
 * weights and biases U(±1/√fan_in); LN γ = 1, β = 0. `nn.TransformerEncoder` deep-copies one
 * layer, so by default every layer starts from the SAME weights (`cloneLayers`).
 * Matrices are stored [in, out] (the transpose of PyTorch's `weight`), so `y = x W`.
 *
 * Parameters are named tf.Variables ({@link LmParam}: `embed`, `layers.0.attn.q`, …,
 * `layers.0.ffn.w1`, …, `decoder.w`); {@link TransformerLm.lossAndGrads} returns the loss
 * and the gradient of every parameter by name and leaves the update to the caller — the
 * optimisers here ({@link sgd}, {@link adam}, with global-norm clipping) or another one
 * (GaLore). Dropout masks are drawn with seeded tfjs uniforms, so a run is a function of
 * its seeds.
 *
 * Speed on tfjs-wasm (single-threaded): tfjs' own matmul gradient uses transpose flags,
 * which are ~10× slower there than an explicit transpose, so the dense and batched products
 * have custom gradients with explicit transposes; the embedding is a gather whose gradient
 * is a scatter-add (wasm has no gradient for `tf.gather`; this is the same as
 * oneHot(x)·E, checked in the tests); the cross-entropy has a fused gradient
 * (softmax − onehot)/N; LayerNorm has a fused gradient; batched attention products of
 * large sequences run as per-sequence 2-D products (the batched wasm kernel is a scalar
 * loop). The optimisers update each big tensor on its own and all small ones (biases,
 * LayerNorm) as one flat vector (a handful of kernels per step instead of ~25 per tensor).
 *
 * Where a step's time goes (AMD EPYC, one core, 3 layers, d = 200, V = 1001, batch 20 × 35:
 * ≈ 0.43 s, by ablation and by timing the same products alone): dense products ≈ 55 % (XNNPACK
 * runs every 2-D product here at ≈ 8.5 GMAC/s, whatever the shape), the per-sequence attention
 * products ≈ 15 % (a 35×200×35 product costs ≈ 0.11 ms, mostly the ≈ 65 µs XNNPACK spends
 * packing a right operand it has not seen), dropout ≈ 6 %, the optimiser 5-8 %, the rest
 * spread over ~2,800 small kernels. Tried and rejected (no gain or slower, measured A/B in
 * one process): column sums as 1ᵀx products (the operand packing costs what the strided sum
 * does), tfjs' transpose flags (≈ 10× slower than an explicit transpose). `tf.profile`
 * times small wasm kernels several-fold too long; time whole steps instead.
 *
 * @module
 */

import { FLUSH, flushBelow, type Tensor, type TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";

/** A tfjs variable. */
export type Variable = ReturnType<TfModule["variable"]>;

/** Architecture of a {@link TransformerLm}. */
export interface LmConfig {
  /** Vocabulary size (including `<unk>`). */
  vocab: number;
  /** Embedding width d (= attention width; single head). */
  dModel: number;
  /** FFN hidden width. */
  dFF: number;
  /** Number of encoder layers. */
  layers: number;
  /** Dropout probability (positions, attention weights, both residual branches, FFN hidden). */
  dropout: number;
  /** Longest sequence (bptt); sizes the positional table. */
  maxLen: number;
  /** Add sinusoidal positions (default true). */
  positional?: boolean;
  /** Start every layer from the same weights, as PyTorch's deep copy (default true). */
  cloneLayers?: boolean;
  /** FFN activation: `relu` (default, the authors') or exact `gelu` (PyTorch's other choice). */
  activation?: "relu" | "gelu";
}

/** Which part of the model a parameter belongs to (for per-group learning rates). */
export type LmGroup = "embed" | "attn" | "norm" | "ffn" | "decoder";

/** A named parameter. */
export interface LmParam {
  /** Name, e.g. `layers.0.ffn.w1`. */
  name: string;
  /** Group, e.g. `ffn`. */
  group: LmGroup;
  /** Layer index (−1 for the embedding and decoder). */
  layer: number;
  /** The variable ([in, out] for matrices). */
  variable: Variable;
}

/** A minibatch of token ids, batch-first [batch, seqLen] row-major. */
export interface TokenBatch {
  /** Input ids. */
  input: Int32Array;
  /** Next-token ids (unused by forward-only calls). */
  target: Int32Array;
  /** Number of streams B. */
  batch: number;
  /** Positions per stream T. */
  seqLen: number;
}

/**
 * Uniform-causal attention entropy (1/T)·Σ_{i=1..T} ln i: the ceiling of the entropy metric
 * (query i attends uniformly to its i keys).
 *
 * @example
 * ```ts
 * import { uniformCausalEntropy } from "./transformer.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(uniformCausalEntropy(35) - 2.632) < 5e-4);
 * ```
 */
export function uniformCausalEntropy(T: number): number {
  let s = 0;
  for (let i = 1; i <= T; i++) s += Math.log(i);
  return s / T;
}

/**
 * Attention entropy of attention matrices (the JoMA metric): mean over query rows (and
 * matrices) of −Σ_j a_ij ln(a_ij + 1e-8), from `data` = n matrices T×T row-major.
 *
 * @example
 * ```ts
 * import { attentionEntropy, uniformCausalEntropy } from "./transformer.ts";
 * import assert from "node:assert/strict";
 * const T = 3, a = new Float32Array([1, 0, 0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3]);
 * assert.ok(Math.abs(attentionEntropy(a, T) - uniformCausalEntropy(T)) < 1e-6);
 * ```
 */
export function attentionEntropy(data: ArrayLike<number>, T: number): number {
  const rows = data.length / T;
  let s = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < T; j++) {
      const a = data[r * T + j];
      s -= a * Math.log(a + 1e-8);
    }
  }
  return s / rows;
}

/**
 * Sinusoidal positional table [T, d] row-major (PyTorch tutorial's `PositionalEncoding`):
 * PE[t, 2i] = sin(t·10000^(−2i/d)), PE[t, 2i+1] = cos(t·10000^(−2i/d)).
 *
 * @example
 * ```ts
 * import { positionalTable } from "./transformer.ts";
 * import assert from "node:assert/strict";
 * const pe = positionalTable(2, 4); // t = 1: [sin 1, cos 1, sin 0.01, cos 0.01]
 * assert.ok(Math.abs(pe[4] - Math.sin(1)) < 1e-7 && pe[1] === 1);
 * ```
 */
export function positionalTable(T: number, d: number): Float32Array {
  const pe = new Float32Array(T * d);
  for (let t = 0; t < T; t++) {
    for (let i = 0; 2 * i < d; i++) {
      const w = Math.exp(-(2 * i) * Math.log(10000) / d);
      pe[t * d + 2 * i] = Math.sin(t * w);
      if (2 * i + 1 < d) pe[t * d + 2 * i + 1] = Math.cos(t * w);
    }
  }
  return pe;
}

let modelCount = 0;

/** What a forward pass can return besides the logits. */
interface ForwardOut {
  logits: Tensor | null;
  attn: Tensor[];
  hidden: Tensor;
}

/**
 * The language model: named variables, forward passes, loss and gradients.
 *
 * @example
 * ```ts ignore
 * const lm = new TransformerLm(tf, { vocab: 101, dModel: 32, dFF: 32, layers: 2, dropout: 0.2, maxLen: 35 }, 1);
 * const opt = adam(tf, lm.params, { lr: 1e-4 });
 * const { loss, grads } = lm.lossAndGrads(batch, 7);
 * opt.step(clipGradients(tf, lm.params.map((p) => grads[p.name]), 0.5));
 * ```
 */
export class TransformerLm {
  /** The architecture. */
  readonly config: Required<LmConfig>;
  /** All parameters, in a fixed order (embedding, layers, decoder). */
  readonly params: LmParam[];
  readonly #tf: TfModule;
  readonly #byName = new Map<string, Variable>();
  readonly #pe = new Map<string, Tensor>();
  readonly #mask = new Map<number, Tensor>();

  /**
   * @param tf tfjs
   * @param config architecture
   * @param seed seed of the initial weights (drawn with {@link Rng}, never tfjs random ops)
   */
  constructor(tf: TfModule, config: LmConfig, seed: number) {
    this.#tf = tf;
    this.config = { positional: true, cloneLayers: true, activation: "relu", ...config };
    const { vocab: V, dModel: d, dFF: f, layers: L } = this.config;
    if (![V, d, f, L, this.config.maxLen].every((n) => Number.isInteger(n) && n >= 1)) {
      throw new RangeError(`bad LmConfig ${JSON.stringify(config)}`);
    }
    const rng = new Rng(seed);
    const uni = (n: number, b: number) => Float32Array.from(rng.fill(n, (r) => r.range(-b, b)));
    const zeros = (n: number) => new Float32Array(n);
    const ones = (n: number) => new Float32Array(n).fill(1);
    const id = modelCount++;
    this.params = [];
    const add = (name: string, group: LmGroup, layer: number, v: Float32Array, shape: number[]) => {
      const variable = tf.variable(tf.tensor(v, shape), true, `lm${id}/${name}`);
      this.params.push({ name, group, layer, variable });
      this.#byName.set(name, variable);
    };
    add("embed", "embed", -1, uni(V * d, 0.1), [V, d]);
    const xav = Math.sqrt(6 / (4 * d));
    let first: Float32Array[] | null = null;
    for (let l = 0; l < L; l++) {
      const vals: Float32Array[] = first && this.config.cloneLayers ? first : [
        uni(d * d, xav), // q
        uni(d * d, xav), // k
        uni(d * d, xav), // v
        uni(d * d, 1 / Math.sqrt(d)), // o
        uni(d * f, 1 / Math.sqrt(d)), // w1
        uni(f, 1 / Math.sqrt(d)), // b1
        uni(f * d, 1 / Math.sqrt(f)), // w2
        uni(d, 1 / Math.sqrt(f)), // b2
      ];
      first ??= vals;
      const p = `layers.${l}.`;
      add(p + "attn.q", "attn", l, vals[0], [d, d]);
      add(p + "attn.bq", "attn", l, zeros(d), [d]);
      add(p + "attn.k", "attn", l, vals[1], [d, d]);
      add(p + "attn.bk", "attn", l, zeros(d), [d]);
      add(p + "attn.v", "attn", l, vals[2], [d, d]);
      add(p + "attn.bv", "attn", l, zeros(d), [d]);
      add(p + "attn.o", "attn", l, vals[3], [d, d]);
      add(p + "attn.bo", "attn", l, zeros(d), [d]);
      add(p + "norm1.g", "norm", l, ones(d), [d]);
      add(p + "norm1.b", "norm", l, zeros(d), [d]);
      add(p + "ffn.w1", "ffn", l, vals[4], [d, f]);
      add(p + "ffn.b1", "ffn", l, vals[5], [f]);
      add(p + "ffn.w2", "ffn", l, vals[6], [f, d]);
      add(p + "ffn.b2", "ffn", l, vals[7], [d]);
      add(p + "norm2.g", "norm", l, ones(d), [d]);
      add(p + "norm2.b", "norm", l, zeros(d), [d]);
    }
    add("decoder.w", "decoder", -1, uni(d * V, 0.1), [d, V]);
    add("decoder.b", "decoder", -1, zeros(V), [V]);
  }

  /** The variable of a parameter name (throws for an unknown name). */
  param(name: string): Variable {
    const v = this.#byName.get(name);
    if (!v) throw new Error(`no parameter "${name}"`);
    return v;
  }

  /** Total number of scalar parameters. */
  get size(): number {
    return this.params.reduce((n, p) => n + p.variable.size, 0);
  }

  #positions(B: number, T: number): Tensor {
    const key = `${B}x${T}`;
    let pe = this.#pe.get(key);
    if (!pe) {
      const d = this.config.dModel;
      if (T > this.config.maxLen) {
        throw new RangeError(`seqLen ${T} > maxLen ${this.config.maxLen}`);
      }
      const one = positionalTable(T, d);
      const all = new Float32Array(B * T * d);
      for (let b = 0; b < B; b++) all.set(one, b * T * d);
      pe = this.#tf.keep(this.#tf.tensor2d(all, [B * T, d]));
      this.#pe.set(key, pe);
    }
    return pe;
  }

  #causal(T: number): Tensor {
    let m = this.#mask.get(T);
    if (!m) {
      const v = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) v[i * T + j] = -1e9;
      m = this.#tf.keep(this.#tf.tensor2d(v, [T, T]));
      this.#mask.set(T, m);
    }
    return m;
  }

  /** Forward pass; call inside a tidy. `dropSeed` null = eval mode (no dropout). */
  #forward(batch: TokenBatch, dropSeed: number | null, logits: boolean): ForwardOut {
    const tf = this.#tf;
    const { dModel: d, layers: L, dropout: p } = this.config;
    const B = batch.batch, T = batch.seqLen, N = B * T;
    if (batch.input.length !== N) throw new RangeError("batch.input is not batch × seqLen");
    const rng = dropSeed === null ? null : new Rng(dropSeed);
    const drop = (x: Tensor): Tensor => {
      if (!rng || p === 0) return x;
      return tf.mul(x, tf.tensor(dropoutMask(x.size, p, rng.uint32()), x.shape));
    };
    const P = (n: string) => this.param(n);
    let h = tf.mul(embedding(tf, P("embed"), batch.input), Math.sqrt(d));
    if (this.config.positional) h = tf.add(h, this.#positions(B, T));
    h = drop(h);
    const mask = this.#causal(T);
    const attn: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const pre = `layers.${l}.`;
      const q = tf.reshape(linear(tf, h, P(pre + "attn.q"), P(pre + "attn.bq")), [B, T, d]);
      const k = tf.reshape(linear(tf, h, P(pre + "attn.k"), P(pre + "attn.bk")), [B, T, d]);
      const v = tf.reshape(linear(tf, h, P(pre + "attn.v"), P(pre + "attn.bv")), [B, T, d]);
      const scores = tf.add(tf.mul(bmm(tf, q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(d)), mask);
      const a = tf.softmax(scores);
      attn.push(a);
      const ctx = tf.reshape(bmm(tf, drop(a), v), [N, d]);
      const sa = linear(tf, ctx, P(pre + "attn.o"), P(pre + "attn.bo"));
      h = layerNorm(tf, tf.add(h, drop(sa)), P(pre + "norm1.g"), P(pre + "norm1.b"));
      const pre1 = linear(tf, h, P(pre + "ffn.w1"), P(pre + "ffn.b1"));
      const hid = drop(
        this.config.activation === "relu"
          ? tf.relu(pre1)
          : tf.mul(tf.mul(pre1, 0.5), tf.add(tf.erf(tf.mul(pre1, Math.SQRT1_2)), 1)),
      );
      const ff = linear(tf, hid, P(pre + "ffn.w2"), P(pre + "ffn.b2"));
      h = layerNorm(tf, tf.add(h, drop(ff)), P(pre + "norm2.g"), P(pre + "norm2.b"));
    }
    const out = logits ? linear(tf, h, P("decoder.w"), P("decoder.b")) : null;
    return { logits: out, attn, hidden: h };
  }

  /**
   * Training loss (dropout on, masks from `dropSeed`) and the gradient of every parameter,
   * keyed by parameter name. New tensors: the caller disposes them (or applies an optimiser
   * step, which does).
   */
  lossAndGrads(
    batch: TokenBatch,
    dropSeed: number,
  ): { loss: Tensor; grads: Record<string, Tensor> } {
    const tf = this.#tf;
    const vars = this.params.map((q) => q.variable);
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = this.#forward(batch, dropSeed, true);
      return crossEntropy(tf, logits!, batch.target) as never;
    }, vars);
    const out: Record<string, Tensor> = {};
    for (const q of this.params) out[q.name] = grads[q.variable.name];
    return { loss: value, grads: out };
  }

  /** Loss of a batch in eval mode (no dropout) or with dropout masks from `dropSeed` (a scalar tensor). */
  loss(batch: TokenBatch, dropSeed: number | null = null): Tensor {
    const tf = this.#tf;
    return tf.tidy(() =>
      crossEntropy(tf, this.#forward(batch, dropSeed, true).logits!, batch.target)
    );
  }

  /** Per-layer attention matrices [B, T, T] of a batch in eval mode (new tensors). */
  attention(batch: TokenBatch): Tensor[] {
    const tf = this.#tf;
    return tf.tidy(() => this.#forward(batch, null, false).attn);
  }

  /**
   * Eval-mode loss (summed over tokens, NaN when `withLoss` is false) and per-layer
   * attention entropy (mean over streams and query rows) of one batch, as tensors [1] and [L].
   */
  evalBatch(batch: TokenBatch, withLoss: boolean): { lossSum: Tensor | null; entropy: Tensor } {
    const tf = this.#tf;
    const out = tf.tidy(() => {
      const { logits, attn } = this.#forward(batch, null, withLoss);
      const ent = tf.stack(
        attn.map((a) => tf.neg(tf.mean(tf.sum(tf.mul(a, tf.log(tf.add(a, 1e-8))), -1)))),
      );
      const lossSum = logits
        ? tf.mul(crossEntropy(tf, logits, batch.target), batch.batch * batch.seqLen)
        : tf.scalar(NaN);
      return { lossSum, entropy: ent };
    });
    return {
      lossSum: withLoss ? out.lossSum : (out.lossSum.dispose(), null),
      entropy: out.entropy,
    };
  }

  /** Copies of all parameters (name → values), read with `await data()`. */
  async snapshot(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const q of this.params) out.set(q.name, (await q.variable.data()) as Float32Array);
    return out;
  }

  /** Free the variables and cached constants. */
  dispose(): void {
    for (const q of this.params) q.variable.dispose();
    for (const t of [...this.#pe.values(), ...this.#mask.values()]) t.dispose();
    this.#pe.clear();
    this.#mask.clear();
  }
}

// ---------------------------------------------------------------- ops with custom gradients

/**
 * `a · b` for 2-D tensors, with a gradient that transposes explicitly (`dy bᵀ`, `aᵀ dy`)
 * instead of tfjs' transpose flags (~10× slower on wasm).
 *
 * @example
 * ```ts ignore
 * const y = mm(tf, tf.ones([2, 3]), tf.ones([3, 4])); // [2, 4] of 3s
 * ```
 */
export function mm(tf: TfModule, a: Tensor, b: Tensor): Tensor {
  const op = tf.customGrad(
    ((x: Tensor, w: Tensor, save: (ts: Tensor[]) => void) => {
      save([x, w]);
      return {
        value: tf.matMul(x as never, w as never),
        gradFunc: (dy: Tensor, saved: Tensor[]) => [
          tf.matMul(dy as never, tf.transpose(saved[1]) as never),
          tf.matMul(tf.transpose(saved[0]) as never, dy as never),
        ],
      };
    }) as never,
  );
  return op(a, b);
}

/**
 * `x W + b` for x [N, in], W [in, out], b [out]: one fused wasm matmul with the bias, and a
 * gradient with explicit transposes (`dy Wᵀ`, `xᵀ dy`, Σ_rows dy).
 *
 * @example
 * ```ts ignore
 * const y = linear(tf, tf.ones([2, 3]), tf.ones([3, 4]), tf.zeros([4])); // [2, 4] of 3s
 * ```
 */
export function linear(tf: TfModule, x: Tensor, w: Tensor, b: Tensor): Tensor {
  const [N, din] = x.shape as [number, number];
  const wide = (w.shape[1] as number) >= 256;
  const op = tf.customGrad(
    ((a: Tensor, wt: Tensor, bias: Tensor, save: (ts: Tensor[]) => void) => {
      save([a, wt]);
      return {
        value: tf.fused.matMul({ a: a as never, b: wt as never, bias }),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const dx = tf.matMul(dy as never, tf.transpose(saved[1]) as never);
          if (!wide) {
            return [dx, tf.matMul(tf.transpose(saved[0]) as never, dy as never), tf.sum(dy, 0)];
          }
          // wide outputs (the decoder): a column sum over rows is slow on wasm, so the bias
          // gradient rides along as an extra row of [x, 1]ᵀ dy (one pass over dy)
          const aug = tf.matMul(
            tf.transpose(tf.concat([saved[0], tf.ones([N, 1])], 1)) as never,
            dy as never,
          );
          const [dw, db] = tf.split(aug, [din, 1], 0);
          return [dx, dw, tf.reshape(db, [-1])];
        },
      };
    }) as never,
  );
  return op(x, w, b);
}

/**
 * Batched `a · b` for [B, m, k] × [B, k, n], with explicit transposes in the gradient.
 *
 * @example
 * ```ts ignore
 * const y = bmm(tf, tf.ones([5, 2, 3]), tf.ones([5, 3, 4])); // [5, 2, 4]
 * ```
 */
export function bmm(tf: TfModule, a: Tensor, b: Tensor): Tensor {
  const op = tf.customGrad(
    ((x: Tensor, w: Tensor, save: (ts: Tensor[]) => void) => {
      save([x, w]);
      return {
        value: batchedProduct(tf, x, w),
        gradFunc: (dy: Tensor, saved: Tensor[]) => [
          batchedProduct(tf, dy, tf.transpose(saved[1], [0, 2, 1])),
          batchedProduct(tf, tf.transpose(saved[0], [0, 2, 1]), dy),
        ],
      };
    }) as never,
  );
  return op(a, b);
}

/**
 * [B, m, k] × [B, k, n]. The wasm BatchMatMul kernel runs batched products as a plain scalar
 * loop (only 2-D products without transpose flags reach XNNPACK); for large enough
 * matrices, B separate 2-D products (each sequence taken out with gatherND, whose kernel
 * copies only that slice) are ~3× faster (measured: 8.8 vs 3.1 ms for 20 × 35×200×35).
 */
function batchedProduct(tf: TfModule, a: Tensor, b: Tensor): Tensor {
  const [B, m, k] = a.shape as [number, number, number];
  const n = b.shape[2] as number;
  if (B > 64 || m * k * n < 100_000) return tf.matMul(a as never, b as never);
  const outs: Tensor[] = [];
  for (let i = 0; i < B; i++) {
    const at = tf.tensor2d([i], [1, 1], "int32");
    const ai = tf.reshape(tf.gatherND(a, at), [m, k]);
    const bi = tf.reshape(tf.gatherND(b, at), [k, n]);
    outs.push(tf.matMul(ai as never, bi as never));
  }
  return tf.stack(outs);
}

/**
 * Rows `ids` of the table E [V, d] (a gather), whose gradient is the scatter-add of the
 * upstream rows into [V, d] — the same as `oneHot(ids) · E`, without the V-wide product.
 *
 * @example
 * ```ts ignore
 * const x = embedding(tf, E, Int32Array.from([3, 1, 3])); // [3, d]
 * ```
 */
export function embedding(tf: TfModule, table: Tensor, ids: Int32Array): Tensor {
  const [V, d] = table.shape as [number, number];
  const op = tf.customGrad(
    ((e: Tensor, save: (ts: Tensor[]) => void) => {
      save([]);
      // gatherND: the wasm GatherV2 kernel is ~50× slower for this shape
      return {
        value: tf.gatherND(e, tf.tensor2d(ids, [ids.length, 1], "int32")),
        // tensors made in the forward function are disposed after it: rebuild the indices
        gradFunc: (
          dy: Tensor,
        ) => [tf.scatterND(tf.tensor2d(ids, [ids.length, 1], "int32"), dy, [V, d])],
      };
    }) as never,
  );
  return op(table);
}

/**
 * Mean softmax cross-entropy of logits [N, V] against integer targets, with the fused
 * gradient (softmax − onehot)/N.
 *
 * @example
 * ```ts ignore
 * const l = crossEntropy(tf, tf.zeros([4, 10]), Int32Array.from([0, 1, 2, 3])); // ln 10
 * ```
 */
export function crossEntropy(tf: TfModule, logits: Tensor, targets: Int32Array): Tensor {
  const [N, V] = logits.shape as [number, number];
  if (targets.length !== N) throw new RangeError(`${targets.length} targets for ${N} rows`);
  const at = () => tf.tensor2d(Int32Array.from(targets, (c, i) => i * V + c), [N, 1], "int32");
  const op = tf.customGrad(
    ((z: Tensor, save: (ts: Tensor[]) => void) => {
      // tf.softmax is one fused wasm kernel (several times faster than max/exp/sum/div);
      // −ln p_t is exact for p_t ≥ 1e-30, i.e. losses below 69 nats per token.
      const prob = tf.softmax(z);
      const pt = tf.gatherND(tf.reshape(prob, [N * V]), at());
      const loss = tf.neg(tf.mean(tf.log(tf.maximum(pt, 1e-30))));
      save([prob, pt]);
      return {
        value: loss,
        // (p − onehot)·dy/N: scale p, then overwrite the N target entries with (p_t − 1)·dy/N
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const s = tf.div(dy, N);
          const g = tf.reshape(tf.mul(saved[0], s), [N * V]);
          const gt = tf.mul(tf.sub(saved[1], 1), s);
          return [tf.reshape(tf.tensorScatterUpdate(g, at(), gt), [N, V])];
        },
      };
    }) as never,
  );
  return op(logits);
}

/**
 * A dropout mask of n entries: 0 with probability p, else 1/(1−p) (inverted dropout), from a
 * 32-bit seed (mulberry32 in plain JS: tfjs' seeded uniforms cost ~150 ns per draw).
 *
 * @example
 * ```ts
 * import { dropoutMask } from "./transformer.ts";
 * import assert from "node:assert/strict";
 * const m = dropoutMask(10000, 0.2, 7);
 * const kept = m.filter((x) => x > 0).length;
 * assert.ok(kept > 7800 && kept < 8200 && Math.abs(m[m.findIndex((x) => x > 0)] - 1.25) < 1e-6);
 * ```
 */
export function dropoutMask(n: number, p: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const keep = 1 / (1 - p);
  const cut = Math.floor(p * 4294967296);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) >= cut ? keep : 0;
  }
  return out;
}

/**
 * LayerNorm over the last axis (ε = 1e-5, PyTorch's) with gain g and bias b, with a fused
 * gradient: for x̂ = (x − μ)·r, r = 1/√(σ² + ε) and u = dy·g,
 * dx = r·(u − mean(u) − x̂·mean(u·x̂)), dg = Σ_rows dy·x̂, db = Σ_rows dy.
 *
 * @example
 * ```ts ignore
 * const y = layerNorm(tf, tf.tensor2d([[1, 2, 3]]), tf.ones([3]), tf.zeros([3])); // ≈ [−1.22, 0, 1.22]
 * ```
 */
export function layerNorm(tf: TfModule, x: Tensor, g: Tensor, b: Tensor): Tensor {
  const op = tf.customGrad(
    ((xin: Tensor, gain: Tensor, bias: Tensor, save: (ts: Tensor[]) => void) => {
      const c = tf.sub(xin, tf.mean(xin, -1, true));
      const r = tf.rsqrt(tf.add(tf.mean(tf.square(c), -1, true), 1e-5));
      const xhat = tf.mul(c, r);
      save([xhat, r, gain]);
      return {
        value: tf.add(tf.mul(xhat, gain), bias),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [xh, rr, gg] = saved;
          const u = tf.mul(dy, gg);
          const dx = tf.mul(
            tf.sub(tf.sub(u, tf.mean(u, -1, true)), tf.mul(xh, tf.mean(tf.mul(u, xh), -1, true))),
            rr,
          );
          return [dx, tf.sum(tf.mul(dy, xh), 0), tf.sum(dy, 0)];
        },
      };
    }) as never,
  );
  return op(x, g, b);
}

// ---------------------------------------------------------------- optimisers

/** An optimiser over a fixed list of parameters; gradients come in the same order. */
export interface LmOptimiser {
  /** Apply one update from `grads` (one per parameter, in order; clipped first when the
   * optimiser has a `clip`); disposes them. */
  step(grads: Tensor[]): void;
  /** The optimiser's state tensors (for subnormal checks); empty for plain SGD. */
  state(): Tensor[];
  /** Free the state. */
  dispose(): void;
}

/** Global L2 norm of a list of tensors (a scalar tensor). */
function globalNorm(tf: TfModule, ts: Tensor[]): Tensor {
  return tf.sqrt(tf.addN(ts.map((t) => tf.sum(tf.square(t)))));
}

/**
 * Rescale gradients so their global L2 norm is at most `maxNorm` (PyTorch's
 * `clip_grad_norm_`: factor min(1, maxNorm / (‖g‖ + 1e-6))). Disposes the inputs; returns
 * new tensors and the norm before clipping (a scalar tensor, no data read).
 *
 * @example
 * ```ts ignore
 * const { grads, norm } = clipGradients(tf, [tf.tensor1d([3, 4])], 0.5); // norm 5, grads [0.3, 0.4]
 * ```
 */
export function clipGradients(
  tf: TfModule,
  grads: Tensor[],
  maxNorm: number,
): { grads: Tensor[]; norm: Tensor } {
  const out = tf.tidy(() => {
    const norm = globalNorm(tf, grads);
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return { grads: grads.map((g) => tf.mul(g, coef)), norm };
  });
  tf.dispose(grads);
  return out;
}

/**
 * The parameters grouped for the optimisers' elementwise math: every tensor of at least
 * `BIG` entries on its own, all smaller ones (biases, LayerNorm) concatenated into one flat
 * bucket. One flat vector for everything would need a split of the whole vector per step,
 * and the wasm Slice kernel copies its whole input for every part (34 parts × 1 M floats);
 * one update per tensor would cost ~25 small kernels per bias.
 */
class Buckets {
  /** Per bucket: indices of its parameters (a single index for a big tensor). */
  readonly members: number[][];
  readonly #tf: TfModule;
  readonly #vars: Variable[];
  static readonly BIG = 16384;

  constructor(tf: TfModule, params: LmParam[]) {
    this.#tf = tf;
    this.#vars = params.map((p) => p.variable);
    const small = params.map((_, i) => i).filter((i) => this.#vars[i].size < Buckets.BIG);
    this.members = params.map((_, i) => i).filter((i) => this.#vars[i].size >= Buckets.BIG)
      .map((i) => [i]);
    if (small.length > 0) this.members.push(small);
  }

  /** Size of each bucket. */
  sizes(): number[] {
    return this.members.map((m) => m.reduce((n, i) => n + this.#vars[i].size, 0));
  }

  /** Tensors (one per parameter, in order) gathered per bucket as flat vectors. */
  gather(ts: Tensor[]): Tensor[] {
    const tf = this.#tf;
    return this.members.map((m) =>
      m.length === 1 ? tf.reshape(ts[m[0]], [-1]) : tf.concat(m.map((i) => tf.reshape(ts[i], [-1])))
    );
  }

  /** Write new flat bucket values into the variables. */
  assign(values: Tensor[]): void {
    const tf = this.#tf;
    tf.tidy(() => {
      this.members.forEach((m, b) => {
        if (m.length === 1) {
          this.#vars[m[0]].assign(tf.reshape(values[b], this.#vars[m[0]].shape));
          return;
        }
        const parts = tf.split(values[b], m.map((i) => this.#vars[i].size));
        m.forEach((i, k) => this.#vars[i].assign(tf.reshape(parts[k], this.#vars[i].shape)));
      });
    });
  }

  /** Per bucket: a scalar learning rate, or a vector when its parameters' rates differ. */
  rates(params: LmParam[], lr: number | ((p: LmParam) => number)): Tensor[] {
    const tf = this.#tf;
    const of = typeof lr === "number" ? () => lr : lr;
    return this.members.map((m) => {
      const rs = m.map((i) => of(params[i]));
      if (rs.every((r) => r === rs[0])) return tf.keep(tf.scalar(rs[0]));
      const vec = new Float32Array(m.reduce((n, i) => n + this.#vars[i].size, 0));
      let off = 0;
      m.forEach((i, k) => {
        vec.fill(rs[k], off, off + this.#vars[i].size);
        off += this.#vars[i].size;
      });
      return tf.keep(tf.tensor1d(vec));
    });
  }

  /** The gradients per bucket, rescaled to global norm ≤ clip when clip is given (disposes grads). */
  grads(grads: Tensor[], clip: number | undefined): Tensor[] {
    const tf = this.#tf;
    const out = tf.tidy(() => {
      const g = this.gather(grads);
      if (clip === undefined) return g;
      const coef = tf.minimum(tf.div(clip, tf.add(globalNorm(tf, g), 1e-6)), 1);
      return g.map((x) => tf.mul(x, coef));
    });
    tf.dispose(grads);
    return out;
  }

  /** The current weights per bucket (new tensors). */
  weights(): Tensor[] {
    return this.#tf.tidy(() => this.gather(this.#vars));
  }
}

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Learning rate: one number, or one per parameter (e.g. FFN lr 10, the rest 5). */
  lr: number | ((p: LmParam) => number);
  /** Momentum (PyTorch semantics, buf = μ·buf + g; default 0 = plain SGD). */
  momentum?: number;
  /** Clip the global gradient norm to this value before the update (PyTorch's clip_grad_norm_). */
  clip?: number;
}

/**
 * SGD with per-parameter learning rates (and optional momentum). After each update weights
 * below `FLUSH.weight` (and the momentum buffer below `FLUSH.moment`) are set to exact zeros.
 *
 * @example
 * ```ts ignore
 * const opt = sgd(tf, lm.params, { lr: (p) => (p.group === "ffn" ? 10 : 5), clip: 0.5 });
 * ```
 */
export function sgd(tf: TfModule, params: LmParam[], opts: SgdOptions): LmOptimiser {
  const buckets = new Buckets(tf, params);
  const lr = buckets.rates(params, opts.lr);
  const mu = opts.momentum ?? 0;
  let buf: Tensor[] | null = null;
  return {
    step(grads: Tensor[]) {
      const g = buckets.grads(grads, opts.clip);
      if (mu > 0) {
        const next = tf.tidy(() =>
          g.map((x, b) =>
            flushBelow(tf, buf ? tf.add(tf.mul(buf[b], mu), x) : x.clone(), FLUSH.moment)
          )
        );
        if (buf) tf.dispose(buf);
        buf = next.map((t) => tf.keep(t));
      }
      const upd = buf ?? g;
      const w = tf.tidy(() =>
        buckets.weights().map((cur, b) =>
          flushBelow(tf, tf.sub(cur, tf.mul(lr[b], upd[b])), FLUSH.weight)
        )
      );
      buckets.assign(w);
      tf.dispose([...w, ...g]);
    },
    state: () => buf ?? [],
    dispose() {
      tf.dispose(lr);
      if (buf) tf.dispose(buf);
    },
  };
}

/** Options of {@link adam}. */
export interface AdamOptions {
  /** Learning rate: one number, or one per parameter. */
  lr: number | ((p: LmParam) => number);
  /** β₁, β₂ (default 0.9, 0.999, PyTorch's). */
  betas?: [number, number];
  /** ε (default 1e-8). */
  eps?: number;
  /** Clip the global gradient norm to this value before the update (PyTorch's clip_grad_norm_). */
  clip?: number;
}

/**
 * Adam as `torch.optim.Adam` (no weight decay): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * θ ← θ − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε). Weights below `FLUSH.weight` and moments below
 * `FLUSH.moment` are set to exact zeros after each update.
 *
 * @example
 * ```ts ignore
 * const opt = adam(tf, lm.params, { lr: 1e-4, clip: 0.5 });
 * ```
 */
export function adam(tf: TfModule, params: LmParam[], opts: AdamOptions): LmOptimiser {
  const buckets = new Buckets(tf, params);
  const [b1, b2] = opts.betas ?? [0.9, 0.999];
  const eps = opts.eps ?? 1e-8;
  const lr = buckets.rates(params, opts.lr);
  let m = buckets.sizes().map((n) => tf.keep(tf.zeros([n])));
  let v = buckets.sizes().map((n) => tf.keep(tf.zeros([n])));
  let t = 0;
  return {
    step(grads: Tensor[]) {
      t++;
      const g = buckets.grads(grads, opts.clip);
      const bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
      const out = tf.tidy(() => {
        const cur = buckets.weights();
        return g.map((gb, b) => {
          const mNew = flushBelow(tf, tf.add(tf.mul(m[b], b1), tf.mul(gb, 1 - b1)), FLUSH.moment);
          const vNew = flushBelow(
            tf,
            tf.add(tf.mul(v[b], b2), tf.mul(tf.square(gb), 1 - b2)),
            FLUSH.moment,
          );
          const denom = tf.add(tf.mul(tf.sqrt(vNew), 1 / Math.sqrt(bc2)), eps);
          const step = tf.mul(tf.mul(tf.div(mNew, denom), 1 / bc1), lr[b]);
          return [mNew, vNew, flushBelow(tf, tf.sub(cur[b], step), FLUSH.weight)];
        });
      });
      tf.dispose([...g, ...m, ...v]);
      m = out.map((o) => tf.keep(o[0]));
      v = out.map((o) => tf.keep(o[1]));
      const w = out.map((o) => o[2]);
      buckets.assign(w);
      tf.dispose(w);
    },
    state: () => [...m, ...v],
    dispose() {
      tf.dispose([...m, ...v, ...lr]);
    },
  };
}

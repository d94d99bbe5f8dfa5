/**
 * The multi-block transformer of JoMA's Table 1 (the authors' `Model` / `SABlock` in
 * `decoder_only_hier.py`, re-implemented on tfjs with autograd) and its Adam trainer.
 *
 * Model: token embedding E (M × d, N(0, 1)), no positional encoding; `blocks` blocks, each
 * single-head causal self-attention with bias-free W_q, W_k, W_v (d × d) and no output
 * projection, logits / √d; residual; LayerNorm (ε = 1e−5, affine); MLP d → K → d with
 * biases and ReLU; residual; LayerNorm. The ReLU output of block s's MLP (B × L × K) is the
 * "hidden" layer whose units are correlated with the latents of layer s. Head: a linear map
 * d → C on the last position, cross-entropy against the class. Linear weights and biases
 * are U(±1/√fan_in) (PyTorch's `nn.Linear` default), LayerNorm γ = 1, β = 0, all drawn from
 * the seeded {@link Rng}, never from tfjs random ops. Weights are stored input-major
 * (x @ W), which has the same distribution as PyTorch's W xᵀ.
 *
 * Training: Adam (β = 0.9, 0.999, ε = 1e−8, PyTorch bias correction) with COUPLED L2 weight
 * decay on every parameter (g ← g + wd·θ, as `torch.optim.Adam(weight_decay=wd)`), a fresh
 * batch of `batchSize` uniformly drawn classes each step. Because every class is one fixed
 * sequence, a batch is exactly the C class sequences weighted by their counts in the batch
 * (the loss Σ_c n_c·CE_c / batchSize equals the batch mean), so each step runs the C
 * sequences once instead of `batchSize` rows: the same gradient, C/batchSize of the work.
 * After every update the weights below `FLUSH.weight` and the moments below `FLUSH.moment`
 * are set to exact zeros (lib/tf.ts: float32 subnormals slow tfjs-wasm ~16×).
 *
 * How it is fast on tfjs-wasm: the embedding is `oneHot @ E` of a constant one-hot matrix
 * (wasm has no gradient for `tf.gather`); all dense maps are 2-D matmuls over the flattened
 * C·L rows; Adam runs on one flat vector (all gradients concatenated) so a step costs a
 * fixed ~30 ops for the optimiser instead of ~30 per parameter tensor. No tensor is read
 * synchronously (`await t.data()` only at evaluation), so it runs on webgpu too.
 *
 * @module
 */

import { FLUSH, flushBelow, type Tensor, type TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";

/** Sizes of the model. */
export interface HierModelSpec {
  /** Vocabulary size M (including the padding id). */
  vocab: number;
  /** Sequence length L. */
  length: number;
  /** Number of classes C (outputs of the head). */
  classes: number;
  /** Embedding / residual width d. */
  dim: number;
  /** MLP hidden width K (the authors use 4·M = 400). */
  hidden: number;
  /** Number of blocks (3 in Table 1). */
  blocks: number;
}

type Variable = ReturnType<TfModule["variable"]>;

/** The trainable tensors of one block. */
interface BlockVars {
  wq: Variable;
  wk: Variable;
  wv: Variable;
  ln1g: Variable;
  ln1b: Variable;
  w1: Variable;
  b1: Variable;
  w2: Variable;
  b2: Variable;
  ln2g: Variable;
  ln2b: Variable;
}

/** A model: its sizes and its tfjs variables. */
export interface HierModel {
  /** Sizes. */
  spec: HierModelSpec;
  /** Token embedding, M × d. */
  embed: Variable;
  /** Per-block parameters. */
  blocks: BlockVars[];
  /** Head weight d × C and bias C. */
  headW: Variable;
  /** Head bias. */
  headB: Variable;
  /** Every variable, in a fixed order (the order of the optimiser's flat vector). */
  vars: Variable[];
}

/**
 * Create a model with seeded initial weights (see the module header for the distributions).
 *
 * @example
 * ```ts ignore
 * const { tf } = await loadTf("wasm");
 * const spec = { vocab: 100, length: 30, classes: 20, dim: 64, hidden: 400, blocks: 3 };
 * const model = initHierModel(tf, spec, 1);
 * ```
 */
export function initHierModel(tf: TfModule, spec: HierModelSpec, seed: number): HierModel {
  const rng = new Rng(seed);
  const { vocab: M, dim: d, hidden: K, classes: C } = spec;
  const vars: Variable[] = [];
  const mk = (shape: number[], sample: () => number): Variable => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = sample();
    const init = tf.tensor(data, shape, "float32");
    const v = tf.variable(init, true);
    init.dispose(); // the variable holds its own reference to the data
    vars.push(v);
    return v;
  };
  const uniform = (fanIn: number) => () => rng.range(-1, 1) / Math.sqrt(fanIn);
  const embed = mk([M, d], () => rng.normal());
  const blocks: BlockVars[] = [];
  for (let b = 0; b < spec.blocks; b++) {
    blocks.push({
      wq: mk([d, d], uniform(d)),
      wk: mk([d, d], uniform(d)),
      wv: mk([d, d], uniform(d)),
      ln1g: mk([d], () => 1),
      ln1b: mk([d], () => 0),
      w1: mk([d, K], uniform(d)),
      b1: mk([K], uniform(d)),
      w2: mk([K, d], uniform(K)),
      b2: mk([d], uniform(K)),
      ln2g: mk([d], () => 1),
      ln2b: mk([d], () => 0),
    });
  }
  const headW = mk([d, C], uniform(d));
  const headB = mk([C], uniform(d));
  return { spec, embed, blocks, headW, headB, vars };
}

/** Release a model's variables. */
export function disposeHierModel(model: HierModel): void {
  for (const v of model.vars) v.dispose();
}

/** Number of trainable scalars of a model. */
export function parameterCount(model: HierModel): number {
  return model.vars.reduce((a, v) => a + v.size, 0);
}

/** Constant inputs of a batch of sequences: one-hot rows, attention mask, pooling mask. */
export interface HierInputs {
  /** One-hot tokens, (B·L') × M, rows b·L' + t. */
  oneHot: Tensor;
  /** Additive attention mask, B × L' × L' (causal; see {@link makeInputs} for folding). */
  mask: Tensor;
  /** 1 for the rows that stand for real positions, 0 for filler rows, (B·L') × 1. */
  rows: Tensor;
  /** Number of sequences B. */
  batch: number;
  /** Rows per sequence L' (= L unless folded). */
  length: number;
}

/**
 * Encode B sequences of length L for {@link forwardHier}.
 *
 * With `fold` (default), each sequence's leading run of identical tokens (the left
 * padding) is folded into ONE row: causal attention makes those positions identical in
 * every block (each sees only copies of itself), so the run of P copies acts on the later
 * positions exactly like one key whose attention logit is raised by ln P, and their hidden
 * units equal that row's (the max over positions is unchanged). Sequences are then
 * right-aligned to the longest folded length L'; the filler rows in front are masked out as
 * keys (they attend to themselves only) and marked 0 in `rows`. The model's function,
 * loss and gradients are unchanged up to float rounding; the work shrinks by L/L'.
 *
 * @example
 * ```ts ignore
 * const inputs = makeInputs(tf, sequences, 100); // folded
 * const plain = makeInputs(tf, sequences, 100, { fold: false });
 * ```
 */
export function makeInputs(
  tf: TfModule,
  sequences: Int32Array[],
  vocab: number,
  opts: { fold?: boolean } = {},
): HierInputs {
  const fold = opts.fold ?? true;
  const B = sequences.length;
  if (B === 0) throw new RangeError("makeInputs: no sequences");
  const L = sequences[0].length;
  // per sequence: the folded tokens and the multiplicity of its first row
  const folded = sequences.map((x, b) => {
    if (x.length !== L) throw new RangeError(`sequence ${b} has length ${x.length}, not ${L}`);
    let run = 1;
    if (fold) { while (run < L && x[run] === x[0]) run++; }
    return { tokens: Array.from(x.subarray(run - 1)), multiplicity: run };
  });
  const Lf = Math.max(...folded.map((f) => f.tokens.length));
  const oh = new Float32Array(B * Lf * vocab);
  const mask = new Float32Array(B * Lf * Lf);
  const rows = new Float32Array(B * Lf);
  folded.forEach(({ tokens, multiplicity }, b) => {
    const filler = Lf - tokens.length;
    const first = filler; // the row of the folded run
    for (let t = 0; t < Lf; t++) {
      const id = t < filler ? tokens[0] : tokens[t - filler];
      if (!(id >= 0 && id < vocab)) throw new RangeError(`token ${id} outside the vocabulary`);
      oh[(b * Lf + t) * vocab + id] = 1;
      rows[b * Lf + t] = t < filler ? 0 : 1;
      for (let j = 0; j < Lf; j++) {
        const visible = t < filler ? j === t : j >= first && j <= t;
        mask[(b * Lf + t) * Lf + j] = !visible
          ? -1e9
          : j === first && t >= filler
          ? Math.log(multiplicity)
          : 0;
      }
    }
  });
  return {
    oneHot: tf.tensor2d(oh, [B * Lf, vocab]),
    mask: tf.tensor3d(mask, [B, Lf, Lf]),
    rows: tf.tensor2d(rows, [B * Lf, 1]),
    batch: B,
    length: Lf,
  };
}

/** Release the tensors of {@link makeInputs}. */
export function disposeInputs(inputs: HierInputs): void {
  inputs.oneHot.dispose();
  inputs.mask.dispose();
  inputs.rows.dispose();
}

/**
 * x @ w for 2-D x, w with a gradient that transposes explicitly: on tfjs-wasm a matmul with a
 * transpose flag (what the built-in gradient uses) is ~10× slower than a plain one.
 *
 * @example
 * ```ts ignore
 * const y = linear(tf, tf.ones([4, 3]), tf.ones([3, 2])); // = tf.matMul, all entries 3
 * ```
 */
export function linear(tf: TfModule, x: Tensor, w: Tensor): Tensor {
  let f = linearOps.get(tf);
  if (!f) {
    f = tf.customGrad(
      ((a: Tensor, b: Tensor, save: (ts: Tensor[]) => void) => {
        save([a, b]);
        return {
          value: tf.matMul(a, b),
          gradFunc: (dy: Tensor, saved: Tensor[]) => [
            tf.matMul(dy, tf.transpose(saved[1])),
            tf.matMul(tf.transpose(saved[0]), dy),
          ],
        };
      }) as unknown as Parameters<TfModule["customGrad"]>[0],
    ) as unknown as LinearOp;
    linearOps.set(tf, f);
  }
  return f(x, w);
}

type LinearOp = (x: Tensor, w: Tensor) => Tensor;
const linearOps = new WeakMap<TfModule, LinearOp>();

function layerNorm(tf: TfModule, x: Tensor, g: Tensor, b: Tensor): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/**
 * Forward pass: the head's logits at the last position (B × C) and each block's ReLU
 * hidden activations ((B·L') × K, rows b·L' + t, filler rows included). Call inside
 * `tf.tidy`.
 *
 * @example
 * ```ts ignore
 * const { logits, hidden } = tf.tidy(() => forwardHier(tf, model, inputs));
 * ```
 */
export function forwardHier(
  tf: TfModule,
  model: HierModel,
  inputs: HierInputs,
): { logits: Tensor; hidden: Tensor[] } {
  const { dim: d } = model.spec;
  const { batch: B, length: L } = inputs;
  const scale = 1 / Math.sqrt(d);
  let x = linear(tf, inputs.oneHot, model.embed); // (B·L) × d
  const hidden: Tensor[] = [];
  for (const p of model.blocks) {
    const q = tf.reshape(linear(tf, x, p.wq), [B, L, d]);
    const k = tf.reshape(linear(tf, x, p.wk), [B, L, d]);
    const v = tf.reshape(linear(tf, x, p.wv), [B, L, d]);
    const logits = tf.add(tf.mul(tf.matMul(q, k, false, true), scale), inputs.mask);
    const att = tf.reshape(tf.matMul(tf.softmax(logits), v), [B * L, d]);
    const y = layerNorm(tf, tf.add(att, x), p.ln1g, p.ln1b);
    const h = tf.relu(tf.add(linear(tf, y, p.w1), p.b1));
    hidden.push(h);
    x = layerNorm(tf, tf.add(tf.add(linear(tf, h, p.w2), p.b2), y), p.ln2g, p.ln2b);
  }
  const last = tf.reshape(tf.slice(tf.reshape(x, [B, L, d]), [0, L - 1, 0], [B, 1, d]), [B, d]);
  return { logits: tf.add(linear(tf, last, model.headW), model.headB), hidden };
}

/** What {@link evaluateHier} reads from a model on the class sequences. */
export interface HierEvaluation {
  /** Per block: max over the L positions of the hidden units, B × K row-major (Float64). */
  pooled: Float64Array[];
  /** Mean cross-entropy over the B sequences (sequence b has label b). */
  loss: number;
  /** Share of sequences whose argmax logit is their label. */
  accuracy: number;
}

/**
 * Run the model on the class sequences (sequence b has label b) and read back the
 * max-pooled hidden activations of every block, the loss and the accuracy.
 *
 * @example
 * ```ts ignore
 * const ev = await evaluateHier(tf, model, inputs);
 * console.log(ev.loss, ev.accuracy, ev.pooled[0].length); // C·K values per block
 * ```
 */
export async function evaluateHier(
  tf: TfModule,
  model: HierModel,
  inputs: HierInputs,
): Promise<HierEvaluation> {
  const { hidden: K, classes: C } = model.spec;
  const { batch: B, length: L } = inputs;
  const [logitsT, ...pooledT] = tf.tidy(() => {
    const out = forwardHier(tf, model, inputs);
    // hidden units are ReLU outputs (≥ 0): zeroing the filler rows leaves the max unchanged
    const pool = (h: Tensor) => tf.max(tf.reshape(tf.mul(h, inputs.rows), [B, L, K]), 1);
    return [out.logits, ...out.hidden.map(pool)];
  });
  const logits = await logitsT.data();
  const pooled = await Promise.all(pooledT.map(async (t) => Float64Array.from(await t.data())));
  logitsT.dispose();
  pooledT.forEach((t) => t.dispose());
  let loss = 0, correct = 0;
  for (let b = 0; b < B; b++) {
    let mx = -Infinity, arg = 0;
    for (let c = 0; c < C; c++) {
      const z = logits[b * C + c];
      if (z > mx) (mx = z), (arg = c);
    }
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(logits[b * C + c] - mx);
    loss += Math.log(s) + mx - logits[b * C + b];
    if (arg === b) correct++;
  }
  return { pooled, loss: loss / B, accuracy: correct / B };
}

/** Where the Adam update runs. */
export type AdamMode = "js" | "tensor";

/** Optimiser and batch settings. */
export interface HierTrainOptions {
  /** Adam learning rate. */
  lr: number;
  /** Coupled L2 weight decay. */
  weightDecay: number;
  /** Classes drawn per step (the authors' batch size, 128). */
  batchSize: number;
  /** Seed of the batch draws (the batch of step t depends on seed and t only). */
  seed: number;
  /** Adam β₁, β₂ (default 0.9, 0.999). */
  betas?: [number, number];
  /** Adam ε (default 1e−8). */
  eps?: number;
  /**
   * `"js"`: the update runs in a JS loop over Float32Array copies of the weights and moments
   * (on tfjs-wasm ~5× faster than ~30 elementwise tensor ops, whose per-op cost dominates);
   * `"tensor"`: on one flat tensor (for webgpu, where reading gradients back is the cost).
   * Default: `"js"` on the wasm and cpu backends, `"tensor"` otherwise. Same arithmetic.
   */
  adam?: AdamMode;
  /** Flush weights and moments below `FLUSH` to zero after each update (default true). */
  flush?: boolean;
}

/**
 * Adam (coupled weight decay) over a model's variables, fed with class batches. Use
 * {@link HierTrainer.step} for one update; {@link HierTrainer.moments} reads the optimiser
 * state back (for the subnormal test).
 *
 * @example
 * ```ts ignore
 * const opts = { lr: 1e-3, weightDecay: 1e-4, batchSize: 128, seed: 1 };
 * const trainer = new HierTrainer(tf, model, inputs, opts);
 * for (let t = 0; t < 100; t++) await trainer.step();
 * const loss = await trainer.lastLoss();
 * trainer.dispose();
 * ```
 */
export class HierTrainer {
  readonly #tf: TfModule;
  readonly #model: HierModel;
  readonly #inputs: HierInputs;
  readonly #opts: Required<HierTrainOptions>;
  readonly #sizes: number[];
  readonly #labels: Tensor;
  // tensor mode: flat moments; js mode: per-variable copies of weights and moments
  #m: Tensor | null = null;
  #v: Tensor | null = null;
  #js: { theta: Float32Array[]; m: Float32Array[]; v: Float32Array[] } | null = null;
  #t = 0;
  #loss: Tensor | null = null;

  /**
   * @param tf tfjs
   * @param model the model to train (its variables are updated in place)
   * @param inputs the C class sequences, sequence c with label c
   * @param opts optimiser settings
   */
  constructor(tf: TfModule, model: HierModel, inputs: HierInputs, opts: HierTrainOptions) {
    if (inputs.batch !== model.spec.classes) {
      throw new RangeError(
        `inputs hold ${inputs.batch} sequences for ${model.spec.classes} classes`,
      );
    }
    const backend = tf.getBackend();
    const adam: AdamMode = backend === "wasm" || backend === "cpu" ? "js" : "tensor";
    this.#tf = tf;
    this.#model = model;
    this.#inputs = inputs;
    this.#opts = {
      ...opts,
      betas: opts.betas ?? [0.9, 0.999],
      eps: opts.eps ?? 1e-8,
      adam: opts.adam ?? adam,
      flush: opts.flush ?? true,
    };
    this.#sizes = model.vars.map((v) => v.size);
    if (this.#opts.adam === "tensor") {
      const n = this.#sizes.reduce((a, b) => a + b, 0);
      this.#m = tf.zeros([n]);
      this.#v = tf.zeros([n]);
    }
    this.#labels = tf.oneHot(tf.range(0, inputs.batch, 1, "int32"), model.spec.classes);
  }

  /** Number of updates done. */
  get steps(): number {
    return this.#t;
  }

  /**
   * Class counts of the batch of step t (`batchSize` uniform draws from a generator seeded
   * by (seed, t), so a resumed run draws the same batches), divided by the batch size.
   */
  #batchWeights(t: number): Float32Array {
    const C = this.#model.spec.classes;
    const rng = new Rng((Math.imul(this.#opts.seed, 0x9e3779b1) + t) >>> 0);
    const w = new Float32Array(C);
    for (let i = 0; i < this.#opts.batchSize; i++) w[rng.int(C)] += 1;
    for (let c = 0; c < C; c++) w[c] /= this.#opts.batchSize;
    return w;
  }

  /** Batch loss and its gradients (kept; the caller disposes them). */
  #gradients(t: number): { value: Tensor; grads: Tensor[] } {
    const tf = this.#tf;
    const weights = tf.tensor1d(this.#batchWeights(t));
    const vars = this.#model.vars;
    const out = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = forwardHier(tf, this.#model, this.#inputs);
        const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), this.#labels), 1));
        return tf.sum(tf.mul(nll, weights)) as ReturnType<TfModule["scalar"]>;
      }, vars);
      return { value, grads: vars.map((v) => grads[v.name]) };
    });
    weights.dispose();
    return out;
  }

  /** One Adam update on a fresh batch. */
  async step(): Promise<void> {
    const tf = this.#tf;
    const { lr, weightDecay: wd, betas: [b1, b2], eps, flush } = this.#opts;
    const fm = flush ? FLUSH.moment : 0, fw = flush ? FLUSH.weight : 0;
    const vars = this.#model.vars;
    this.#t += 1;
    const t = this.#t;
    const stepSize = lr / (1 - b1 ** t);
    const bc2 = Math.sqrt(1 - b2 ** t);
    const { value, grads } = this.#gradients(t);
    this.#loss?.dispose();
    this.#loss = value;
    if (this.#opts.adam === "js") {
      if (!this.#js) {
        const theta = await Promise.all(vars.map(async (v) => Float32Array.from(await v.data())));
        this.#js = {
          theta,
          m: this.#sizes.map((n) => new Float32Array(n)),
          v: this.#sizes.map((n) => new Float32Array(n)),
        };
      }
      const st = this.#js;
      const gs = await Promise.all(grads.map((g) => g.data()));
      grads.forEach((g) => g.dispose());
      for (let k = 0; k < vars.length; k++) {
        const p = st.theta[k], m = st.m[k], v = st.v[k], g = gs[k];
        for (let i = 0; i < p.length; i++) {
          const gi = g[i] + wd * p[i];
          let mi = b1 * m[i] + (1 - b1) * gi;
          if (Math.abs(mi) < fm) mi = 0;
          let vi = b2 * v[i] + (1 - b2) * gi * gi;
          if (vi < fm) vi = 0;
          m[i] = mi;
          v[i] = vi;
          let pi = p[i] - (stepSize * mi) / (Math.sqrt(vi) / bc2 + eps);
          if (Math.abs(pi) < fw) pi = 0;
          p[i] = pi;
        }
        const next = tf.tensor(p, vars[k].shape, "float32");
        vars[k].assign(next);
        next.dispose();
      }
      return;
    }
    const cut = (x: Tensor, threshold: number) => flush ? flushBelow(tf, x, threshold) : x;
    const out = tf.tidy(() => {
      const theta = tf.concat(vars.map((v) => tf.reshape(v, [-1])));
      const g = tf.add(tf.concat(grads.map((x) => tf.reshape(x, [-1]))), tf.mul(theta, wd));
      const m = cut(tf.add(tf.mul(this.#m!, b1), tf.mul(g, 1 - b1)), FLUSH.moment);
      const v = cut(tf.add(tf.mul(this.#v!, b2), tf.mul(tf.square(g), 1 - b2)), FLUSH.moment);
      const denom = tf.add(tf.div(tf.sqrt(v), bc2), eps);
      const next = cut(tf.sub(theta, tf.mul(tf.div(m, denom), stepSize)), FLUSH.weight);
      tf.split(next, this.#sizes).forEach((p, i) => vars[i].assign(tf.reshape(p, vars[i].shape)));
      return { m, v };
    });
    grads.forEach((g) => g.dispose());
    this.#m!.dispose();
    this.#v!.dispose();
    this.#m = out.m;
    this.#v = out.v;
  }

  /** The batch loss of the last update (NaN before the first). */
  async lastLoss(): Promise<number> {
    return this.#loss ? (await this.#loss.data())[0] : NaN;
  }

  /** The Adam moments, flat in the order of `model.vars` (copies). */
  async moments(): Promise<{ m: Float32Array; v: Float32Array }> {
    if (this.#js) {
      const cat = (xs: Float32Array[]) => {
        const out = new Float32Array(xs.reduce((a, x) => a + x.length, 0));
        let o = 0;
        for (const x of xs) (out.set(x, o), (o += x.length));
        return out;
      };
      return { m: cat(this.#js.m), v: cat(this.#js.v) };
    }
    if (this.#m && this.#v) {
      return {
        m: Float32Array.from(await this.#m.data()),
        v: Float32Array.from(await this.#v.data()),
      };
    }
    const n = this.#sizes.reduce((a, b) => a + b, 0);
    return { m: new Float32Array(n), v: new Float32Array(n) };
  }

  /**
   * Replace the optimiser state (step count and flat moments, as {@link HierTrainer.moments}
   * returns them) to resume a run in another process; the weights are the model's own.
   * With the same seed the resumed run takes exactly the steps the uninterrupted one takes.
   */
  async restore(state: { steps: number; m: Float32Array; v: Float32Array }): Promise<void> {
    const n = this.#sizes.reduce((a, b) => a + b, 0);
    if (state.m.length !== n || state.v.length !== n) {
      throw new RangeError(`state holds ${state.m.length} moments for ${n} parameters`);
    }
    this.#t = state.steps;
    if (this.#opts.adam === "tensor") {
      this.#m?.dispose();
      this.#v?.dispose();
      this.#m = this.#tf.tensor1d(state.m);
      this.#v = this.#tf.tensor1d(state.v);
      return;
    }
    const split = (x: Float32Array) => {
      let o = 0;
      return this.#sizes.map((k) => x.slice(o, o += k));
    };
    const theta = await Promise.all(
      this.#model.vars.map(async (v) => Float32Array.from(await v.data())),
    );
    this.#js = { theta, m: split(state.m), v: split(state.v) };
  }

  /** Release the optimiser state. */
  dispose(): void {
    this.#m?.dispose();
    this.#v?.dispose();
    this.#labels.dispose();
    this.#loss?.dispose();
  }
}

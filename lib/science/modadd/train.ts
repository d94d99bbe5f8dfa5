/**
 * Modular addition a + b mod d with the two-layer network of Tian's CoGO / Li² papers,
 * trained full-batch on tfjs with hand-written gradients and a hand-written Adam; one or
 * several runs (seeds × weight decays) per call. Weights and Adam moments never hold
 * float32 subnormals (they are flushed to exact zeros, see {@link ModAddConfig.flushSubnormals}).
 *
 * Model (no biases): inputs one-hot(a), one-hot(b);
 * `h = W_a[:, a] + W_b[:, b]` (q), `s = σ(h)` (σ = square by default, or relu), `o = V s` (d).
 * W_a, W_b are q×d, V is d×q, initialised U(±1/√fan_in) (PyTorch's `nn.Linear` default) from
 * the seeded {@link Rng} of lib/science/math/rng.ts — never from tfjs random ops.
 *
 * Losses: `"mse"` is the centred squared error of the CoGO code,
 * `‖P o − (e_y − 1/d·1)‖²` with `P = I − 11ᵀ/d`, summed over the d classes and averaged over
 * samples (zero output gives `1 − 1/d`); `"ce"` is softmax cross-entropy averaged over samples.
 *
 * Optimiser: Adam (β = 0.9, 0.999, ε = 1e-8, PyTorch's bias correction) with COUPLED L2
 * weight decay (`g ← g + wd·θ` before the moments, as `torch.optim.Adam(weight_decay=wd)`),
 * or decoupled (AdamW) on request. Full batch, no schedule.
 *
 * Each run has its own seed: the seed draws the train/test split (a uniform permutation of
 * the d² ordered pairs, {@link initRun}) and then the initial weights. All runs share d, q,
 * lr, loss and the split sizes ({@link splitSizes}).
 *
 * How it is fast on tfjs-wasm (single-threaded, ~0.05 ms per op, measured on 2 cores):
 * - the one-hot inputs are exploited without a gather (wasm has no gradient for `tf.gather`,
 *   and gradients are hand-written anyway): the hidden layer is computed on the FULL d×d grid
 *   by broadcasting, `H[a,b,:] = W_aᵀ[a,:] + W_bᵀ[b,:]`, the loss is masked to the training
 *   pairs, and the input-layer gradients are reductions `∂W_aᵀ[a,:] = Σ_b ∂H[a,b,:]`, done as
 *   small matmuls with a ones vector (tf.sum over a non-last axis is slower on wasm). Only the
 *   output layer costs real matmuls (three of d²·q·d per step);
 * - every matmul is a plain 2-D product without transpose flags: on wasm a transpose flag
 *   made a matmul 5–20× slower than an explicit transpose of the small operand, and a
 *   batched matmul over R runs was ~10× slower than R separate 2-D matmuls, so runs are NOT
 *   stacked into batched tensors (stacking the Adam state of all runs and unstacking it each
 *   step was also slower: wasm slices cost more than the ops they save);
 * - scalars are tensors made once; the loss's factor 2 is folded into the mask.
 * The training loop never reads a tensor synchronously (only `await t.data()` at evaluation
 * and checkpoint steps), so it runs on webgpu too.
 *
 * @module
 */

import { countSubnormals, FLUSH, flushBelow, type TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";

type Tensor = ReturnType<TfModule["tensor"]>;

/** Activation of the hidden layer. */
export type ModAddActivation = "square" | "relu";

/** Training loss. */
export type ModAddLoss = "mse" | "ce";

/** One run of a batch: its seed (split and init) and its weight decay. */
export interface ModAddRun {
  /** Seed of the split and the initial weights. */
  seed: number;
  /** L2 weight decay coefficient. */
  weightDecay: number;
}

/** Shared settings of a batch of runs. */
export interface ModAddConfig {
  /** Modulus d (number of classes). */
  d: number;
  /** Hidden width q. */
  hidden: number;
  /** Adam learning rate. */
  lr: number;
  /** Number of full-batch updates. */
  steps: number;
  /** The runs trained together (at least one). */
  runs: ModAddRun[];
  /** Loss, default `"mse"` (centred). */
  loss?: ModAddLoss;
  /** Activation, default `"square"`. */
  activation?: ModAddActivation;
  /** Test share of the d² pairs: n_test = ceil(f·d²) (sklearn's rule); default 0.1. */
  testFraction?: number;
  /** Train share instead: n_train = floor(f·d²), the rest is test. Overrides testFraction. */
  trainFraction?: number;
  /** Explicit number of training pairs, the rest is test. Overrides both fractions. */
  trainCount?: number;
  /** Adam β₁, β₂, ε; default 0.9, 0.999, 1e-8. */
  betas?: [number, number];
  /** Adam ε, default 1e-8. */
  eps?: number;
  /** Decoupled weight decay (AdamW: θ ← θ − lr·wd·θ) instead of coupled L2; default false. */
  decoupled?: boolean;
  /** Steps t (weights after t updates, 0 ≤ t ≤ steps) at which train/test loss and accuracy are evaluated. */
  evalSteps?: number[];
  /** Steps t at which the weights are copied out (see {@link ModAddResult.checkpoints}). */
  checkpointSteps?: number[];
  /**
   * Called at each checkpoint step with the weights of every run, instead of keeping them
   * (use for long checkpoint series, e.g. the r-dynamics; the result's `checkpoints` then stays empty).
   */
  onCheckpoint?: (step: number, weights: ModAddWeights[]) => void | Promise<void>;
  /** Called after every update with the number of updates done (for progress bars). */
  onStep?: (step: number) => void;
  /**
   * Set weights below `FLUSH.weight` and Adam moments below `FLUSH.moment` to exact zeros
   * after every update (default true), so no float32 subnormal ever enters the arithmetic
   * (see lib/tf.ts). `false` only to measure what the subnormals cost.
   */
  flushSubnormals?: boolean;
  /** Steps at which the subnormal entries of every run's weights and moments are counted. */
  subnormalSteps?: number[];
}

/** The weights of one run, in Float64, row-major. */
export interface ModAddWeights {
  /** W_a, q×d: `wa[j*d + m]` = W_a[j, m]. */
  wa: Float64Array;
  /** W_b, q×d. */
  wb: Float64Array;
  /** V, d×q: `v[m*q + j]` = V[m, j]. */
  v: Float64Array;
  /** d. */
  d: number;
  /** q. */
  q: number;
}

/** Train/test metrics of one run at one step. */
export interface ModAddEval {
  /** Weights after `step` updates. */
  step: number;
  /** Index of the run in `config.runs`. */
  run: number;
  /** Loss on the training pairs (the training objective without the weight-decay term). */
  trainLoss: number;
  /** Loss on the test pairs (NaN when there are none). */
  testLoss: number;
  /** argmax accuracy on the training pairs. */
  trainAcc: number;
  /** argmax accuracy on the test pairs (NaN when there are none). */
  testAcc: number;
}

/** What {@link trainModAdd} returns. */
export interface ModAddResult {
  /** One entry per evaluated (step, run), in step order then run order. */
  evals: ModAddEval[];
  /** step → the weights of every run at that step (absent when `onCheckpoint` is given). */
  checkpoints: Map<number, ModAddWeights[]>;
  /** The final weights (after `steps` updates) of every run. */
  final: ModAddWeights[];
  /** Per run: the training pairs as [a, b] index lists (a outer, b inner pair id = a·d + b). */
  splits: { train: Int32Array; test: Int32Array }[];
  /** Wall time of the training loop in seconds (excluding evaluation and copies). */
  trainSeconds: number;
  /** Subnormal counts at each of `config.subnormalSteps` (weights and Adam moments). */
  subnormals: ModAddSubnormals[];
}

/** Float32 subnormal entries in one run's state at one step. */
export interface ModAddSubnormals {
  /** Weights after `step` updates. */
  step: number;
  /** Index of the run in `config.runs`. */
  run: number;
  /** Subnormal entries of W_a, W_b, V. */
  weights: number;
  /** Subnormal entries of the Adam moments. */
  moments: number;
}

/** Number of train and test pairs for a config's split options. */
export function splitSizes(
  d: number,
  opts: Pick<ModAddConfig, "testFraction" | "trainFraction" | "trainCount"> = {},
): { nTrain: number; nTest: number } {
  const n = d * d;
  let nTrain: number;
  if (opts.trainCount !== undefined) nTrain = opts.trainCount;
  else if (opts.trainFraction !== undefined) nTrain = Math.floor(opts.trainFraction * n);
  else nTrain = n - Math.ceil((opts.testFraction ?? 0.1) * n);
  if (!(nTrain >= 1 && nTrain <= n) || !Number.isInteger(nTrain)) {
    throw new RangeError(`train size ${nTrain} out of range for d=${d}`);
  }
  return { nTrain, nTest: n - nTrain };
}

/**
 * The seeded split and initial weights of one run: a uniform permutation of the pair ids
 * 0..d²−1 (pair id = a·d + b), the first nTrain train; then W_a, W_b ~ U(±1/√d), V ~ U(±1/√q).
 */
export function initRun(
  seed: number,
  d: number,
  q: number,
  nTrain: number,
): { train: Int32Array; test: Int32Array; weights: ModAddWeights } {
  const rng = new Rng(seed);
  const ids = Array.from({ length: d * d }, (_, i) => i);
  rng.shuffle(ids);
  const train = Int32Array.from(ids.slice(0, nTrain));
  const test = Int32Array.from(ids.slice(nTrain));
  const ua = 1 / Math.sqrt(d);
  const uv = 1 / Math.sqrt(q);
  const wa = rng.fill(q * d, (r) => r.range(-ua, ua));
  const wb = rng.fill(q * d, (r) => r.range(-ua, ua));
  const v = rng.fill(d * q, (r) => r.range(-uv, uv));
  return { train, test, weights: { wa, wb, v, d, q } };
}

/** Plain-JS forward pass of one run on the given pair ids: outputs, n×d row-major (Float64). */
export function forwardModAdd(
  w: ModAddWeights,
  pairs: ArrayLike<number>,
  activation: ModAddActivation = "square",
): Float64Array {
  const { d, q } = w;
  const out = new Float64Array(pairs.length * d);
  const s = new Float64Array(q);
  for (let i = 0; i < pairs.length; i++) {
    const a = Math.floor(pairs[i] / d);
    const b = pairs[i] % d;
    for (let j = 0; j < q; j++) {
      const h = w.wa[j * d + a] + w.wb[j * d + b];
      s[j] = activation === "square" ? h * h : Math.max(0, h);
    }
    for (let m = 0; m < d; m++) {
      let acc = 0;
      for (let j = 0; j < q; j++) acc += w.v[m * q + j] * s[j];
      out[i * d + m] = acc;
    }
  }
  return out;
}

/**
 * Plain-JS loss and accuracy of one run on pair ids (Float64; for tests and small checks).
 */
export function lossModAdd(
  w: ModAddWeights,
  pairs: ArrayLike<number>,
  loss: ModAddLoss = "mse",
  activation: ModAddActivation = "square",
): { loss: number; acc: number } {
  const { d } = w;
  const o = forwardModAdd(w, pairs, activation);
  let total = 0;
  let correct = 0;
  for (let i = 0; i < pairs.length; i++) {
    const y = (Math.floor(pairs[i] / d) + (pairs[i] % d)) % d;
    const row = o.subarray(i * d, (i + 1) * d);
    let mean = 0;
    let best = 0;
    for (let m = 0; m < d; m++) {
      mean += row[m] / d;
      if (row[m] > row[best]) best = m;
    }
    if (best === y) correct++;
    if (loss === "mse") {
      for (let m = 0; m < d; m++) {
        const t = (m === y ? 1 : 0) - 1 / d;
        total += (row[m] - mean - t) ** 2;
      }
    } else {
      let mx = -Infinity;
      for (let m = 0; m < d; m++) mx = Math.max(mx, row[m]);
      let z = 0;
      for (let m = 0; m < d; m++) z += Math.exp(row[m] - mx);
      total += -(row[y] - mx - Math.log(z));
    }
  }
  return { loss: total / pairs.length, acc: correct / pairs.length };
}

/**
 * Train a batch of runs (see the module doc). All tensors live on `tf`'s current backend;
 * reads are asynchronous (`await t.data()`), so any backend, WebGPU included, works.
 *
 * @example
 * ```ts ignore
 * const { tf } = await loadTf("wasm");
 * const res = await trainModAdd(tf, {
 *   d: 23, hidden: 512, lr: 0.01, steps: 10_000,
 *   runs: [1, 2, 3].map((seed) => ({ seed, weightDecay: 5e-5 })),
 *   evalSteps: [0, 100, 9900], checkpointSteps: [9900],
 * });
 * const w = res.checkpoints.get(9900)![0]; // Float64 weights of seed 1
 * ```
 */
export async function trainModAdd(tf: TfModule, config: ModAddConfig): Promise<ModAddResult> {
  const { d, hidden: q, lr, steps, runs } = config;
  if (runs.length === 0) throw new RangeError("trainModAdd needs at least one run");
  const loss = config.loss ?? "mse";
  const activation = config.activation ?? "square";
  const [beta1, beta2] = config.betas ?? [0.9, 0.999];
  const eps = config.eps ?? 1e-8;
  const flush = config.flushSubnormals ?? true;
  const { nTrain, nTest } = splitSizes(d, config);
  const N = d * d;
  const inits = runs.map((r) => initRun(r.seed, d, q, nTrain));
  const splits = inits.map((x) => ({ train: x.train, test: x.test }));
  const evalSet = new Set(config.evalSteps ?? []);
  const ckptSet = new Set(config.checkpointSteps ?? []);

  // Constants shared by all runs: one-hot labels of the full d×d grid (a outer, b inner).
  const yBuf = new Float32Array(N * d);
  const labelBuf = new Int32Array(N);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      const c = (a + b) % d;
      yBuf[(a * d + b) * d + c] = 1;
      labelBuf[a * d + b] = c;
    }
  }
  const y = tf.tensor2d(yBuf, [N, d]);
  const yc = tf.sub(y, 1 / d);
  const labels = tf.tensor1d(labelBuf, "int32");
  const maskOf = (ids: Int32Array, scale: number) => {
    const m = new Float32Array(N);
    for (const p of ids) m[p] = scale;
    return tf.tensor2d(m, [N, 1]);
  };

  /** Per-run state: parameters stored as W_aᵀ, W_bᵀ (d×q) and V (d×q), Adam moments alike. */
  interface State {
    p: Tensor[];
    m: Tensor[];
    s: Tensor[];
    trainMask: Tensor; // 1/nTrain on train pairs, 0 elsewhere
    trainMask2: Tensor; // 2/nTrain on train pairs (the MSE's factor 2 folded in)
    trainInd: Tensor; // 1 on train pairs
    testInd: Tensor; // 1 on test pairs
  }
  const transposeQd = (w: Float64Array) => {
    const t = new Float32Array(d * q);
    for (let j = 0; j < q; j++) for (let m = 0; m < d; m++) t[m * q + j] = w[j * d + m];
    return tf.tensor2d(t, [d, q]);
  };
  const states: State[] = inits.map((x) => {
    const p = [
      transposeQd(x.weights.wa),
      transposeQd(x.weights.wb),
      tf.tensor2d(Float32Array.from(x.weights.v), [d, q]),
    ];
    return {
      p,
      m: p.map((t) => tf.zerosLike(t)),
      s: p.map((t) => tf.zerosLike(t)),
      trainMask: maskOf(x.train, 1 / nTrain),
      trainMask2: maskOf(x.train, 2 / nTrain),
      trainInd: maskOf(x.train, 1),
      testInd: maskOf(x.test, 1),
    };
  });

  const act = (h: Tensor) => activation === "square" ? tf.square(h) : tf.relu(h);
  /** Hidden pre-activations of every pair: H[a·d+b] = W_a[:,a] + W_b[:,b], N×q. */
  const hidden = (st: State) =>
    tf.reshape(tf.add(tf.expandDims(st.p[0], 1), tf.expandDims(st.p[1], 0)), [N, q]);
  const output = (s: Tensor, st: State) => tf.matMul(s, tf.transpose(st.p[2]));
  /** Per-pair loss, N×1. */
  const pairLoss = (o: Tensor) =>
    loss === "mse"
      ? tf.sum(tf.square(tf.sub(tf.sub(o, tf.mean(o, 1, true)), yc)), 1, true)
      : tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(o)), 1, true));

  const evaluate = async (step: number, out: ModAddEval[]) => {
    const t = tf.tidy(() =>
      tf.stack(states.map((st) => {
        const o = output(act(hidden(st)), st);
        const l = pairLoss(o);
        const ok = tf.expandDims(tf.cast(tf.equal(tf.argMax(o, 1), labels), "float32"), 1);
        const sum = (x: Tensor, ind: Tensor) => tf.sum(tf.mul(x, ind));
        return tf.stack([
          sum(l, st.trainInd),
          sum(ok, st.trainInd),
          sum(l, st.testInd),
          sum(ok, st.testInd),
        ]);
      }))
    );
    const v = await t.data();
    t.dispose();
    states.forEach((_, k) => {
      out.push({
        step,
        run: k,
        trainLoss: v[4 * k] / nTrain,
        trainAcc: v[4 * k + 1] / nTrain,
        testLoss: nTest > 0 ? v[4 * k + 2] / nTest : NaN,
        testAcc: nTest > 0 ? v[4 * k + 3] / nTest : NaN,
      });
    });
  };

  const snapshot = async (): Promise<ModAddWeights[]> => {
    const out: ModAddWeights[] = [];
    for (const st of states) {
      const [at, bt, c] = await Promise.all(st.p.map((t) => t.data()));
      const wa = new Float64Array(q * d);
      const wb = new Float64Array(q * d);
      for (let m = 0; m < d; m++) {
        for (let j = 0; j < q; j++) {
          wa[j * d + m] = at[m * q + j];
          wb[j * d + m] = bt[m * q + j];
        }
      }
      out.push({ wa, wb, v: Float64Array.from(c), d, q });
    }
    return out;
  };

  // Scalars as tensors, made once: a JS number in a tfjs op uploads a new scalar every call,
  // which doubles the per-op overhead of the small Adam ops on wasm.
  const sc = (x: number) => tf.scalar(x);
  const k = {
    b1: sc(beta1),
    c1: sc(1 - beta1),
    b2: sc(beta2),
    c2: sc(1 - beta2),
    eps: sc(eps),
    two: sc(2),
    wd: runs.map((r) => sc(r.weightDecay)),
    lrwd: runs.map((r) => sc(lr * r.weightDecay)),
  };
  const adam = (p: Tensor, g: Tensor, m: Tensor, s: Tensor, run: number, t: number) => {
    const wd = runs[run].weightDecay;
    const gg = config.decoupled || wd === 0 ? g : tf.add(g, tf.mul(p, k.wd[run]));
    const m2 = tf.add(tf.mul(m, k.b1), tf.mul(gg, k.c1));
    const s2 = tf.add(tf.mul(s, k.b2), tf.mul(tf.square(gg), k.c2));
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    // p − lr/bc1 · m / (√s/√bc2 + ε) = p − (lr·√bc2/bc1) · m / (√s + ε·√bc2)
    const denom = tf.add(tf.sqrt(s2), tf.scalar(eps * Math.sqrt(bc2)));
    let p2 = tf.sub(p, tf.mul(tf.div(m2, denom), tf.scalar((lr * Math.sqrt(bc2)) / bc1)));
    if (config.decoupled && wd !== 0) p2 = tf.sub(p2, tf.mul(p, k.lrwd[run]));
    if (!flush) return [p2, m2, s2];
    return [
      flushBelow(tf, p2, FLUSH.weight),
      flushBelow(tf, m2, FLUSH.moment),
      flushBelow(tf, s2, FLUSH.moment),
    ];
  };

  // Reductions over the grid as matmuls (tf.sum over a non-last axis is slow on wasm).
  const onesRow = tf.ones([1, d]);
  const onesBatch = tf.ones([d, 1, d]);
  const update = (st: State, run: number, t: number) => {
    const next = tf.tidy(() => {
      const h = hidden(st);
      const s = act(h);
      const o = output(s, st);
      const dO = loss === "mse"
        ? tf.mul(tf.sub(tf.sub(o, tf.mean(o, 1, true)), yc), st.trainMask2)
        : tf.mul(tf.sub(tf.softmax(o), y), st.trainMask);
      const dV = tf.matMul(tf.transpose(dO), s); // d×q
      const dS = tf.matMul(dO, st.p[2]); // N×q
      const dH = tf.reshape(
        activation === "square"
          ? tf.mul(dS, tf.mul(h, k.two))
          : tf.mul(dS, tf.cast(tf.greater(h, 0), "float32")),
        [d, d, q],
      );
      const dWa = tf.sum(dH, 1); // Σ_b ∂H[a,b,:]
      const dWb = tf.sum(dH, 0); // Σ_a
      const grads = [dWa, dWb, dV];
      return grads.map((g, i) => adam(st.p[i], g, st.m[i], st.s[i], run, t));
    });
    tf.dispose([...st.p, ...st.m, ...st.s]);
    st.p = next.map((x) => x[0]);
    st.m = next.map((x) => x[1]);
    st.s = next.map((x) => x[2]);
  };

  const evals: ModAddEval[] = [];
  const checkpoints = new Map<number, ModAddWeights[]>();
  const subnormals: ModAddSubnormals[] = [];
  const subSet = new Set(config.subnormalSteps ?? []);
  const countState = async (step: number) => {
    for (const [run, st] of states.entries()) {
      const count = async (ts: Tensor[]) => {
        let n = 0;
        for (const t of ts) n += countSubnormals(await t.data());
        return n;
      };
      subnormals.push({
        step,
        run,
        weights: await count(st.p),
        moments: await count([...st.m, ...st.s]),
      });
    }
  };
  let trainSeconds = 0;
  try {
    for (let t = 0; t <= steps; t++) {
      if (evalSet.has(t)) await evaluate(t, evals);
      if (subSet.has(t)) await countState(t);
      if (ckptSet.has(t)) {
        const w = await snapshot();
        if (config.onCheckpoint) await config.onCheckpoint(t, w);
        else checkpoints.set(t, w);
      }
      if (t === steps) break;
      const t0 = performance.now();
      states.forEach((st, run) => update(st, run, t + 1));
      trainSeconds += (performance.now() - t0) / 1000;
      config.onStep?.(t + 1);
      // let the event loop breathe (progress output, pending reads) now and then
      if ((t & 255) === 255) await states[0].p[2].data();
    }
    const final = await snapshot();
    return { evals, checkpoints, final, splits, trainSeconds, subnormals };
  } finally {
    for (const st of states) {
      tf.dispose([...st.p, ...st.m, ...st.s, st.trainMask, st.trainMask2, st.trainInd, st.testInd]);
    }
    tf.dispose([y, yc, labels, onesRow, onesBatch, k.b1, k.c1, k.b2, k.c2, k.eps, k.two]);
    tf.dispose([...k.wd, ...k.lrwd]);
  }
}

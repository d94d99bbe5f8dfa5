/**
 * Modular addition a + b mod d with the two-layer network of Tian's CoGO / Li² papers,
 * trained full-batch on tfjs with hand-written gradients and a hand-written Adam, several
 * runs (seeds × weight decays) at once as one batched tensor program.
 *
 * Model (no biases): inputs one-hot(a), one-hot(b);
 * `h = W_a[:, a] + W_b[:, b]` (q), `s = σ(h)` (σ = square by default), `o = V s` (d).
 * W_a, W_b are q×d, V is d×q, initialised U(±1/√fan_in) (PyTorch's `nn.Linear` default) from
 * the harness's seeded {@link Rng} — never from tfjs random ops.
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
 * the d² ordered pairs) and then the initial weights. All runs share d, q, lr, loss and the
 * split sizes, so they stack into `[runs, …]` tensors; the one-hot inputs are multiplied as
 * batched matmuls (the wasm backend has no gradient for `tf.gather`, and the gradients are
 * written by hand anyway).
 *
 * @module
 */

import type { TfModule } from "./backend.ts";
import { Rng } from "./rng.ts";

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
    const y = ((Math.floor(pairs[i] / d) + (pairs[i] % d)) % d);
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

/** One-hot [runs, n, d] tensors of a, b and the label for each run's pair list. */
function pairTensors(tf: TfModule, d: number, lists: Int32Array[]) {
  const n = lists[0].length;
  const r = lists.length;
  const xa = new Float32Array(r * n * d);
  const xb = new Float32Array(r * n * d);
  const y = new Float32Array(r * n * d);
  const labels = new Int32Array(r * n);
  for (let k = 0; k < r; k++) {
    for (let i = 0; i < n; i++) {
      const p = lists[k][i];
      const a = Math.floor(p / d);
      const b = p % d;
      const c = (a + b) % d;
      const base = (k * n + i) * d;
      xa[base + a] = 1;
      xb[base + b] = 1;
      y[base + c] = 1;
      labels[k * n + i] = c;
    }
  }
  return {
    n,
    xa: tf.tensor3d(xa, [r, n, d]),
    xb: tf.tensor3d(xb, [r, n, d]),
    y: tf.tensor3d(y, [r, n, d]),
    labels: tf.tensor2d(labels, [r, n], "int32"),
  };
}

/**
 * Train a batch of runs (see the module doc). All tensors live on `tf`'s current backend;
 * reads are asynchronous (`await t.data()`), so any backend, WebGPU included, works.
 *
 * @example
 * ```ts
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
  const { nTrain, nTest } = splitSizes(d, config);
  const R = runs.length;
  const inits = runs.map((r) => initRun(r.seed, d, q, nTrain));
  const splits = inits.map((x) => ({ train: x.train, test: x.test }));
  const evalSet = new Set(config.evalSteps ?? []);
  const ckptSet = new Set(config.checkpointSteps ?? []);

  const stack = (get: (w: ModAddWeights) => Float64Array, shape: [number, number, number]) => {
    const buf = new Float32Array(R * shape[1] * shape[2]);
    inits.forEach((x, k) => buf.set(get(x.weights), k * shape[1] * shape[2]));
    return tf.tensor3d(buf, shape);
  };
  let wa = stack((w) => w.wa, [R, q, d]);
  let wb = stack((w) => w.wb, [R, q, d]);
  let v = stack((w) => w.v, [R, d, q]);
  let ma = tf.zerosLike(wa), va = tf.zerosLike(wa);
  let mb = tf.zerosLike(wb), vb = tf.zerosLike(wb);
  let mv = tf.zerosLike(v), vv = tf.zerosLike(v);
  const wdT = tf.tensor3d(Float32Array.from(runs.map((r) => r.weightDecay)), [R, 1, 1]);
  const trainT = pairTensors(tf, d, splits.map((s) => s.train));
  const testT = nTest > 0 ? pairTensors(tf, d, splits.map((s) => s.test)) : null;
  // centred targets e_y − 1/d for the MSE
  const yc = tf.sub(trainT.y, 1 / d);

  const act = (h: Tensor) => activation === "square" ? tf.square(h) : tf.relu(h);
  const forward = (xa: Tensor, xb: Tensor) => {
    const h = tf.add(tf.matMul(xa, wa, false, true), tf.matMul(xb, wb, false, true));
    const s = act(h);
    return { h, s, o: tf.matMul(s, v, false, true) };
  };

  const evaluate = async (step: number, out: ModAddEval[]) => {
    const metric = (t: ReturnType<typeof pairTensors>) =>
      tf.tidy(() => {
        const { o } = forward(t.xa, t.xb);
        let l: Tensor;
        if (loss === "mse") {
          const oc = tf.sub(o, tf.mean(o, -1, true));
          l = tf.mean(tf.sum(tf.square(tf.sub(oc, tf.sub(t.y, 1 / d))), -1), -1);
        } else {
          l = tf.neg(tf.mean(tf.sum(tf.mul(t.y, tf.logSoftmax(o)), -1), -1));
        }
        const acc = tf.mean(tf.cast(tf.equal(tf.argMax(o, -1), t.labels), "float32"), -1);
        return tf.stack([l, acc]);
      });
    const tr = metric(trainT);
    const te = testT ? metric(testT) : null;
    const trv = await tr.data();
    const tev = te ? await te.data() : null;
    tr.dispose();
    te?.dispose();
    for (let k = 0; k < R; k++) {
      out.push({
        step,
        run: k,
        trainLoss: trv[k],
        trainAcc: trv[R + k],
        testLoss: tev ? tev[k] : NaN,
        testAcc: tev ? tev[R + k] : NaN,
      });
    }
  };

  const snapshot = async (): Promise<ModAddWeights[]> => {
    const [a, b, c] = await Promise.all([wa.data(), wb.data(), v.data()]);
    return runs.map((_, k) => ({
      wa: Float64Array.from(a.subarray(k * q * d, (k + 1) * q * d)),
      wb: Float64Array.from(b.subarray(k * q * d, (k + 1) * q * d)),
      v: Float64Array.from(c.subarray(k * d * q, (k + 1) * d * q)),
      d,
      q,
    }));
  };

  const adam = (p: Tensor, g: Tensor, m: Tensor, s: Tensor, t: number) => {
    const gg = config.decoupled ? g : tf.add(g, tf.mul(wdT, p));
    const m2 = tf.add(tf.mul(m, beta1), tf.mul(gg, 1 - beta1));
    const s2 = tf.add(tf.mul(s, beta2), tf.mul(tf.square(gg), 1 - beta2));
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    const denom = tf.add(tf.div(tf.sqrt(s2), Math.sqrt(bc2)), eps);
    let p2 = tf.sub(p, tf.mul(tf.div(m2, denom), lr / bc1));
    if (config.decoupled) p2 = tf.sub(p2, tf.mul(wdT, tf.mul(p, lr)));
    return [p2, m2, s2];
  };

  const update = (t: number) => {
    const next = tf.tidy(() => {
      const { h, s, o } = forward(trainT.xa, trainT.xb);
      let dO: Tensor;
      if (loss === "mse") {
        const oc = tf.sub(o, tf.mean(o, -1, true));
        dO = tf.mul(tf.sub(oc, yc), 2 / trainT.n);
      } else {
        dO = tf.mul(tf.sub(tf.softmax(o), trainT.y), 1 / trainT.n);
      }
      const dV = tf.matMul(dO, s, true, false); // [R,d,q]
      const dS = tf.matMul(dO, v); // [R,n,q]
      const dH = activation === "square"
        ? tf.mul(dS, tf.mul(h, 2))
        : tf.mul(dS, tf.cast(tf.greater(h, 0), "float32"));
      const dWa = tf.matMul(dH, trainT.xa, true, false); // [R,q,d]
      const dWb = tf.matMul(dH, trainT.xb, true, false);
      return [
        ...adam(wa, dWa, ma, va, t),
        ...adam(wb, dWb, mb, vb, t),
        ...adam(v, dV, mv, vv, t),
      ];
    });
    tf.dispose([wa, ma, va, wb, mb, vb, v, mv, vv]);
    [wa, ma, va, wb, mb, vb, v, mv, vv] = next;
  };

  const evals: ModAddEval[] = [];
  const checkpoints = new Map<number, ModAddWeights[]>();
  let trainSeconds = 0;
  try {
    for (let t = 0; t <= steps; t++) {
      if (evalSet.has(t)) await evaluate(t, evals);
      if (ckptSet.has(t)) {
        const w = await snapshot();
        if (config.onCheckpoint) await config.onCheckpoint(t, w);
        else checkpoints.set(t, w);
      }
      if (t === steps) break;
      const t0 = performance.now();
      update(t + 1);
      trainSeconds += (performance.now() - t0) / 1000;
      config.onStep?.(t + 1);
      // let the event loop breathe (progress output, other awaits) now and then
      if ((t & 255) === 255) await wa.data();
    }
    const final = await snapshot();
    return { evals, checkpoints, final, splits, trainSeconds };
  } finally {
    tf.dispose([wa, ma, va, wb, mb, vb, v, mv, vv, wdT, yc]);
    tf.dispose([trainT.xa, trainT.xb, trainT.y, trainT.labels]);
    if (testT) tf.dispose([testT.xa, testT.xb, testT.y, testT.labels]);
  }
}

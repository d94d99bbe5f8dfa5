/**
 * Training loop of the {@link TransformerLm} on a token stream, as the authors' scripts
 * (`decoder_wiki.py`, `scan_snap/figure_7.ipynb`): the train stream is batchified into
 * `batchSize` columns and walked in consecutive `bptt` windows, epoch after epoch (no
 * shuffling); one update per window; at the checkpoint steps (weights after `step` updates,
 * step 0 = initialisation) the model is evaluated in eval mode on the validation stream
 * (batchified into `evalBatchSize` columns): mean token loss and, per layer, the attention
 * entropy (mean over streams and query rows of −Σ_j a_ij ln(a_ij + 1e-8)), averaged over
 * the evaluated windows. Optionally the attention maps of one fixed train window (stream 0)
 * are copied out, as the Scan & Snap figure.
 *
 * Deviation from the authors' loop: only full `bptt` windows are used (the PyTorch example
 * also trains on one shorter window at the end of each epoch).
 *
 * @module
 */

import type { Tensor, TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { type Batched, batchify, fullWindows, getBatch } from "../corpus/brown.ts";
import {
  adam,
  type LmConfig,
  type LmOptimiser,
  type LmParam,
  sgd,
  TransformerLm,
} from "./transformer.ts";

/** The optimiser of a run. */
export type LmOptimiserSpec =
  | {
    /** Plain SGD (optionally with momentum), with its own lr for the FFN group. */
    kind: "sgd";
    /** Learning rate of every parameter outside the FFN. */
    lr: number;
    /** Learning rate of the FFN weights and biases (default `lr`). */
    ffnLr?: number;
    /** Momentum (default 0). */
    momentum?: number;
  }
  | {
    /** Adam, PyTorch defaults (β 0.9, 0.999, ε 1e-8), no weight decay. */
    kind: "adam";
    /** Learning rate (constant). */
    lr: number;
  }
  | {
    /**
     * Any other optimiser (e.g. GaLore): built from the model's parameters; its `step` gets
     * the raw gradients in parameter order (the loop's `clip` is NOT applied — clip inside).
     */
    kind: "custom";
    /** Build the optimiser for the parameters. */
    make: (params: LmParam[]) => LmOptimiser;
  };

/** One training run. */
export interface LmTrainConfig {
  /** Architecture without vocabulary and length (taken from the data and `bptt`). */
  model: Omit<LmConfig, "vocab" | "maxLen">;
  /** Window length (35 in the papers). */
  bptt: number;
  /** Train streams per minibatch (20). */
  batchSize: number;
  /** Validation streams (10). */
  evalBatchSize: number;
  /** Number of updates. */
  steps: number;
  /** The optimiser. */
  optimiser: LmOptimiserSpec;
  /** Global gradient-norm clip (0.5 in the papers). */
  clip: number;
  /** Seed of the initial weights and of the dropout masks. */
  seed: number;
  /** Steps (0 … steps) at which to evaluate. */
  checkpoints: number[];
  /** Validation windows for the attention entropy, evenly spaced (≥ all → all). */
  entropyWindows: number;
  /** Validation windows for the loss, evenly spaced (0 → no loss; ≥ all → all). */
  lossWindows: number;
  /** Checkpoint steps at which the attention maps of the train window `mapWindow` are kept. */
  mapSteps?: number[];
  /** Index of that train window (default 100, as the authors' figure): rows 100·bptt…, stream 0. */
  mapWindow?: number;
  /** Called with each checkpoint as soon as it is measured (e.g. to log a long run). */
  onCheckpoint?: (cp: LmCheckpoint) => void;
}

/** What is measured at a checkpoint. */
export interface LmCheckpoint {
  /** Updates done. */
  step: number;
  /** Mean training loss (with dropout) over the updates since the previous checkpoint; NaN at 0. */
  trainLoss: number;
  /** Mean validation token loss (eval mode), NaN when `lossWindows` is 0. */
  valLoss: number;
  /** Per layer: attention entropy on validation. */
  entropy: number[];
  /** Per layer: the T×T attention map of the fixed train window, stream 0 (at `mapSteps`). */
  maps?: Float32Array[];
}

/** What {@link trainLm} returns. */
export interface LmTrainResult {
  /** One entry per checkpoint step, in order. */
  checkpoints: LmCheckpoint[];
  /** Wall seconds of the updates (evaluation excluded). */
  trainSeconds: number;
  /** Wall seconds of the evaluations. */
  evalSeconds: number;
  /** Number of parameters. */
  parameters: number;
  /** Full windows per epoch of the train stream. */
  windowsPerEpoch: number;
}

/**
 * Evenly spaced window indices: k·n/count rounded down, or all n when count ≥ n.
 *
 * @example
 * ```ts
 * import { spacedWindows } from "./train.ts";
 * import assert from "node:assert/strict";
 * assert.ok(spacedWindows(10, 3).join() === "0,3,6" && spacedWindows(2, 5).length === 2);
 * ```
 */
export function spacedWindows(n: number, count: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, k) => Math.floor((k * n) / count));
}

/**
 * Evaluate a model on windows of a batched stream: mean token loss over `lossIdx` windows
 * (NaN when empty) and per-layer attention entropy averaged over `entropyIdx` windows.
 *
 * @example
 * ```ts ignore
 * const { loss, entropy } = await evaluateLm(lm, batchify(valid, 10), 35, [0, 5], [0, 5]);
 * ```
 */
export async function evaluateLm(
  lm: TransformerLm,
  data: Batched,
  bptt: number,
  lossIdx: number[],
  entropyIdx: number[],
): Promise<{ loss: number; entropy: number[] }> {
  const L = lm.config.layers;
  const entSum = new Float64Array(L);
  let lossSum = 0, tokens = 0;
  const all = [...new Set([...lossIdx, ...entropyIdx])].sort((a, b) => a - b);
  const wantLoss = new Set(lossIdx), wantEnt = new Set(entropyIdx);
  for (const w of all) {
    const batch = getBatch(data, w * bptt, bptt);
    const withLoss = wantLoss.has(w);
    const { lossSum: ls, entropy } = lm.evalBatch(batch, withLoss);
    if (ls) {
      lossSum += (await ls.data())[0];
      tokens += batch.batch * batch.seqLen;
      ls.dispose();
    }
    if (wantEnt.has(w)) {
      const e = await entropy.data();
      for (let l = 0; l < L; l++) entSum[l] += e[l];
    }
    entropy.dispose();
  }
  return {
    loss: tokens > 0 ? lossSum / tokens : NaN,
    entropy: Array.from(entSum, (s) => s / Math.max(1, entropyIdx.length)),
  };
}

/**
 * Train one model and evaluate it at the checkpoint steps.
 *
 * @example
 * ```ts ignore
 * const c = loadBrown({ vocabSize: 2000 });
 * const res = await trainLm(tf, { train: c.train, valid: c.valid, vocab: c.vocab.length }, {
 *   model: { dModel: 64, dFF: 64, layers: 1, dropout: 0.2 }, bptt: 35, batchSize: 20,
 *   evalBatchSize: 10, steps: 300, optimiser: { kind: "adam", lr: 1e-3 }, clip: 0.5, seed: 1,
 *   checkpoints: [0, 100, 200, 300], entropyWindows: 20, lossWindows: 20,
 * });
 * ```
 */
export async function trainLm(
  tf: TfModule,
  data: { train: Int32Array; valid: Int32Array; vocab: number },
  cfg: LmTrainConfig,
  onProgress?: (done: number, total: number) => void,
): Promise<LmTrainResult> {
  const train = batchify(data.train, cfg.batchSize);
  const valid = batchify(data.valid, cfg.evalBatchSize);
  const nTrain = fullWindows(train, cfg.bptt);
  const nValid = fullWindows(valid, cfg.bptt);
  const lossIdx = cfg.lossWindows > 0 ? spacedWindows(nValid, cfg.lossWindows) : [];
  const entIdx = spacedWindows(nValid, cfg.entropyWindows);
  const mapSteps = new Set(cfg.mapSteps ?? []);
  const mapWindow = cfg.mapWindow ?? 100;
  if (mapSteps.size > 0 && mapWindow >= nTrain) {
    throw new RangeError(`map window ${mapWindow} ≥ ${nTrain} train windows`);
  }
  const checkpoints = [...new Set(cfg.checkpoints)].sort((a, b) => a - b);
  if (checkpoints.some((s) => s < 0 || s > cfg.steps || !Number.isInteger(s))) {
    throw new RangeError(`checkpoints must be integers in [0, ${cfg.steps}]`);
  }
  const lm = new TransformerLm(tf, { ...cfg.model, vocab: data.vocab, maxLen: cfg.bptt }, cfg.seed);
  const spec = cfg.optimiser;
  const opt: LmOptimiser = spec.kind === "adam"
    ? adam(tf, lm.params, { lr: spec.lr, clip: cfg.clip })
    : spec.kind === "sgd"
    ? sgd(tf, lm.params, {
      lr: (p) => (p.group === "ffn" ? spec.ffnLr ?? spec.lr : spec.lr),
      momentum: spec.momentum,
      clip: cfg.clip,
    })
    : spec.make(lm.params);
  const dropRng = new Rng(cfg.seed * 7919 + 104729);
  const out: LmCheckpoint[] = [];
  let trainSeconds = 0, evalSeconds = 0;
  let lossAcc: Tensor | null = null;
  let sinceLast = 0;
  const evaluate = async (step: number) => {
    const t0 = performance.now();
    let trainLoss = NaN;
    if (lossAcc) {
      trainLoss = (await lossAcc.data())[0] / sinceLast;
      lossAcc.dispose();
      lossAcc = null;
      sinceLast = 0;
    }
    const { loss, entropy } = await evaluateLm(lm, valid, cfg.bptt, lossIdx, entIdx);
    const cp: LmCheckpoint = { step, trainLoss, valLoss: loss, entropy };
    if (mapSteps.has(step)) {
      const b = getBatch(train, mapWindow * cfg.bptt, cfg.bptt);
      const one = { input: b.input.slice(0, b.seqLen), target: b.target.slice(0, b.seqLen) };
      const attn = lm.attention({ ...one, batch: 1, seqLen: b.seqLen });
      cp.maps = [];
      for (const a of attn) cp.maps.push((await a.data()) as Float32Array);
      tf.dispose(attn);
    }
    out.push(cp);
    evalSeconds += (performance.now() - t0) / 1000;
    cfg.onCheckpoint?.(cp);
  };
  let next = 0;
  try {
    for (let step = 0; step <= cfg.steps; step++) {
      if (step === checkpoints[next]) {
        await evaluate(step);
        next++;
      }
      if (step === cfg.steps) break;
      const t0 = performance.now();
      const batch = getBatch(train, (step % nTrain) * cfg.bptt, cfg.bptt);
      const { loss, grads } = lm.lossAndGrads(batch, dropRng.uint32());
      opt.step(lm.params.map((p) => grads[p.name]));
      const acc: Tensor = lossAcc ? tf.add(lossAcc, loss) : loss.clone();
      (lossAcc as Tensor | null)?.dispose();
      loss.dispose();
      lossAcc = acc;
      sinceLast++;
      // wasm runs ops eagerly; reading nothing here keeps the loop webgpu-friendly
      trainSeconds += (performance.now() - t0) / 1000;
      onProgress?.(step + 1, cfg.steps);
    }
  } finally {
    (lossAcc as Tensor | null)?.dispose();
    opt.dispose();
  }
  const parameters = lm.size;
  lm.dispose();
  return { checkpoints: out, trainSeconds, evalSeconds, parameters, windowsPerEpoch: nTrain };
}

/** What {@link estimateRunSeconds} needs to know about a run. */
export interface RunSize {
  /** Vocabulary size. */
  vocab: number;
  /** Width d (= FFN width). */
  dModel: number;
  /** Layers. */
  layers: number;
  /** Training steps (batch 20 × 35). */
  steps: number;
  /** Number of checkpoints evaluated. */
  checkpoints: number;
  /** Validation windows per checkpoint for the entropy (10 × 35 tokens each; capped at 330, Brown's). */
  entropyWindows: number;
  /** Validation windows per checkpoint for the loss (capped at 330). */
  lossWindows: number;
}

/**
 * CPU seconds of one run on tfjs-wasm, from timed runs on one core of the development machine
 * (AMD EPYC, shared, load 3–4): a training step costs ≈ 0.005 + L·(0.030 + 2.1e-6·d²) +
 * 4.25e-7·V·d seconds (within ~15 % of the measured 0.07 s at V 1000, d 64, 1 layer; 0.40 s
 * at V 1000, d 200, 3 layers; 1.80 s and 2.87 s at V 20000, d 200, 1 and 10 layers); an
 * evaluation window with the loss ≈ 0.14 steps, one for the entropy only ≈ 0.13 × the layer part.
 *
 * @example
 * ```ts
 * import { estimateRunSeconds } from "./train.ts";
 * import assert from "node:assert/strict";
 * const s = estimateRunSeconds({ vocab: 20001, dModel: 200, layers: 1, steps: 58000, checkpoints: 59, entropyWindows: 330, lossWindows: 330 });
 * assert.ok(s > 1e5 && s < 1.3e5); // ≈ 31 hours
 * ```
 */
export function estimateRunSeconds(r: RunSize): number {
  const layer = r.layers * (0.030 + 2.1e-6 * r.dModel ** 2);
  const step = 0.005 + layer + 4.25e-7 * r.vocab * r.dModel;
  const windows = (n: number) => Math.min(n, 330);
  const evalOne = windows(r.lossWindows) * 0.14 * step +
    Math.max(0, windows(r.entropyWindows) - windows(r.lossWindows)) * (0.003 + 0.13 * layer);
  return r.steps * step + r.checkpoints * evalOne;
}

/**
 * Pre-train the small transformer language model of `lib/science/lm/transformer.ts` on a
 * token stream with one of the four methods of GaLore's Table 2 (Zhao et al., arXiv
 * 2403.03507, §5.1): full-rank Adam, GaLore-Adam, low-rank W = BA, or LoRA W = W₀ + s·BA.
 *
 * As in the authors' `torchrun_main.py` (`target_modules_list = ["attn", "mlp"]`), the
 * method applies to the attention matrices (q, k, v, o) and the FFN matrices (w1, w2); the
 * embedding, the decoder (LM head), biases and LayerNorms get plain Adam under every method.
 * One Adam implementation ({@link GaLoreOptimizer}) serves all four, so only the treatment of
 * the target matrices differs. Schedule: linear warm-up over the first 10 % of the steps,
 * then cosine decay to 10 % of the peak (App. C.1). No weight decay, no clipping (the 60M
 * script's settings).
 *
 * @module
 */

import type { Tensor, TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { type LmConfig, type TokenBatch, TransformerLm } from "../lm/transformer.ts";
import { FactoredMatrix } from "./lowrank.ts";
import { GaLoreOptimizer, type OptimParam } from "./optimizer.ts";
import { stableRank } from "./svd.ts";

/** The method applied to the target (attention + FFN) matrices. */
export type LmMethod = "full" | "galore" | "lowrank" | "lora";

/** A token stream cut into columns (`corpus/brown.ts`'s `Batched`). */
export interface ColumnStream {
  /** Row-major [rows, cols] ids. */
  data: Int32Array;
  /** Rows. */
  rows: number;
  /** Columns (batch size). */
  cols: number;
}

/** One pre-training run. */
export interface LmRunConfig {
  /** Method for the target matrices. */
  method: LmMethod;
  /** Architecture (dropout should be 0 for pre-training, as LLaMA). */
  model: LmConfig;
  /** Seed of the initial weights (the same for every method). */
  initSeed: number;
  /** Seed of LoRA's A. */
  seed: number;
  /** Rank r of GaLore / LoRA / low-rank. */
  rank: number;
  /** GaLore's subspace change frequency T. */
  updateGap: number;
  /** GaLore's scale α. */
  scale: number;
  /** LoRA's α (s = α / r; default 32, the paper's). */
  loraAlpha?: number;
  /** Peak learning rate. */
  lr: number;
  /** Updates. */
  steps: number;
  /** Warm-up share of the steps (default 0.1). */
  warmupFrac?: number;
  /** Final learning rate as a share of the peak (default 0.1). */
  minLrRatio?: number;
  /** Training stream (columns = batch size). */
  train: ColumnStream;
  /** Validation stream. */
  valid: ColumnStream;
  /** Tokens per window (sequence length). */
  bptt: number;
  /** Evaluate every this many steps (and at the end). */
  evalEvery: number;
  /** Validation windows per evaluation (evenly spaced over the validation stream). */
  evalWindows: number;
  /** Record the stable rank of every target matrix's (mini-batch) gradient every k steps. */
  stableRankEvery?: number;
}

/** Stable rank of one target matrix's gradient at one step. */
export interface GradStableRank {
  /** Step (the gradient of the update about to be made). */
  step: number;
  /** Target matrix name. */
  name: string;
  /** ‖G‖_F² / ‖G‖₂². */
  stableRank: number;
}

/** One point of the training curve. */
export interface LmCurvePoint {
  /** Updates done. */
  step: number;
  /** Mean training loss over the updates since the previous point (NaN at step 0). */
  trainLoss: number;
  /** Validation loss (mean token cross-entropy, nats). */
  validLoss: number;
}

/** Result of {@link trainLm}. */
export interface LmRunResult {
  /** Training curve, step 0 first. */
  curve: LmCurvePoint[];
  /** Floats of the optimiser state, all parameters. */
  stateFloats: number;
  /** Floats of the optimiser state of the target matrices (their factors for LoRA/low-rank). */
  targetStateFloats: number;
  /** Σ mn over the target matrices. */
  targetParams: number;
  /** Weight floats the method holds (dense non-targets + target W or W₀, B, A). */
  weightFloats: number;
  /** Shapes [rows, cols] of the target matrices. */
  targetShapes: [number, number][];
  /** Names of the target matrices. */
  targetNames: string[];
  /** Gradient stable ranks, when `stableRankEvery` is set. */
  gradStableRanks: GradStableRank[];
}

/**
 * Whether a parameter of the LM is an attention or FFN matrix (GaLore's targets).
 *
 * @example
 * ```ts
 * import { isTarget } from "./train_lm.ts";
 * import assert from "node:assert/strict";
 * assert.ok(isTarget("layers.0.attn.q") && !isTarget("layers.0.attn.bq"));
 * ```
 */
export function isTarget(name: string): boolean {
  return /\.attn\.(q|k|v|o)$/.test(name) || /\.ffn\.w[12]$/.test(name);
}

/**
 * The learning-rate multiplier at update `t` (0-based) of `steps`: linear warm-up to 1 over
 * the first ⌈warm·steps⌉ updates, then cosine to `min`.
 *
 * @example
 * ```ts
 * import { lrFactor } from "./train_lm.ts";
 * import assert from "node:assert/strict";
 * assert.ok(lrFactor(0, 100, 0.1, 0.1) === 0.1);
 * assert.ok(Math.abs(lrFactor(99, 100, 0.1, 0.1) - 0.1) < 1e-3);
 * ```
 */
export function lrFactor(t: number, steps: number, warm: number, min: number): number {
  const w = Math.max(1, Math.ceil(warm * steps));
  if (t < w) return (t + 1) / w;
  const p = (t - w) / Math.max(1, steps - w - 1);
  return min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p)));
}

/** The window of a column stream at row i (inputs rows i…i+T−1, targets shifted by one). */
function windowAt(src: ColumnStream, i: number, T: number): TokenBatch {
  const B = src.cols;
  const input = new Int32Array(B * T), target = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      input[b * T + t] = src.data[(i + t) * B + b];
      target[b * T + t] = src.data[(i + t + 1) * B + b];
    }
  }
  return { input, target, batch: B, seqLen: T };
}

/**
 * Train one LM with one method and record its curve and state sizes.
 *
 * @example
 * ```ts ignore
 * const c = loadBrown({ vocabSize: 1000 });
 * const res = await trainLm(tf, {
 *   method: "galore", model: { vocab: 1001, dModel: 64, dFF: 256, layers: 2, dropout: 0, maxLen: 32 },
 *   initSeed: 1, seed: 1, rank: 16, updateGap: 200, scale: 0.25, lr: 0.01, steps: 300,
 *   train: batchify(c.train, 8), valid: batchify(c.valid, 8), bptt: 32, evalEvery: 50, evalWindows: 8,
 * });
 * ```
 */
export async function trainLm(
  tf: TfModule,
  cfg: LmRunConfig,
  onProgress?: (done: number, total: number) => void,
): Promise<LmRunResult> {
  const lm = new TransformerLm(tf, cfg.model, cfg.initSeed);
  const rng = new Rng(cfg.seed * 7 + 1);
  const targets = lm.params.filter((p) => isTarget(p.name));
  const others = lm.params.filter((p) => !isTarget(p.name));
  const factored = new Map<string, FactoredMatrix>();
  const params: OptimParam[] = others.map((p) => ({ name: p.name, variable: p.variable }));
  if (cfg.method === "full" || cfg.method === "galore") {
    for (const p of targets) {
      params.push({ name: p.name, variable: p.variable, galore: cfg.method === "galore" });
    }
  } else {
    for (const p of targets) {
      const [m, n] = p.variable.shape as [number, number];
      const init = await p.variable.data();
      const fm = new FactoredMatrix(
        tf,
        p.name,
        cfg.method,
        init,
        m,
        n,
        cfg.rank,
        rng,
        cfg.loraAlpha ?? 32,
      );
      factored.set(p.name, fm);
      params.push({ name: `${p.name}.B`, variable: fm.B }, { name: `${p.name}.A`, variable: fm.A });
      const w = fm.materialise();
      p.variable.assign(w);
      w.dispose();
    }
  }
  const opt = new GaLoreOptimizer(tf, params, {
    lr: cfg.lr,
    rank: cfg.rank,
    updateGap: cfg.updateGap,
    scale: cfg.scale,
  });
  const T = cfg.bptt;
  const trainWindows = Math.floor((cfg.train.rows - 1) / T);
  const validWindows = Math.floor((cfg.valid.rows - 1) / T);
  const evalAt = Array.from(
    { length: cfg.evalWindows },
    (_, k) => Math.floor(k * validWindows / cfg.evalWindows) * T,
  );
  const evaluate = async () => {
    let s = 0;
    for (const row of evalAt) {
      const l = lm.loss(windowAt(cfg.valid, row, T));
      s += (await l.data())[0];
      l.dispose();
    }
    return s / evalAt.length;
  };
  const curve: LmCurvePoint[] = [{ step: 0, trainLoss: NaN, validLoss: await evaluate() }];
  const warm = cfg.warmupFrac ?? 0.1, minLr = cfg.minLrRatio ?? 0.1;
  let acc = 0, accN = 0;
  const gradStableRanks: GradStableRank[] = [];
  try {
    for (let t = 0; t < cfg.steps; t++) {
      const batch = windowAt(cfg.train, (t % trainWindows) * T, T);
      const { loss, grads } = lm.lossAndGrads(batch, t);
      acc += (await loss.data())[0];
      accN++;
      loss.dispose();
      if (cfg.stableRankEvery && (t % cfg.stableRankEvery === 0 || t === cfg.steps - 1)) {
        for (const p of targets) {
          const [m, n] = p.variable.shape as [number, number];
          const sr = stableRank(await grads[p.name].data(), m, n);
          gradStableRanks.push({ step: t, name: p.name, stableRank: sr });
        }
      }
      const step: Record<string, Tensor> = {};
      for (const p of others) step[p.name] = grads[p.name];
      for (const p of targets) {
        const fm = factored.get(p.name);
        if (!fm) {
          step[p.name] = grads[p.name];
        } else {
          const g = fm.factorGrads(grads[p.name]);
          grads[p.name].dispose();
          step[`${p.name}.B`] = g.B;
          step[`${p.name}.A`] = g.A;
        }
      }
      await opt.step(step, lrFactor(t, cfg.steps, warm, minLr));
      for (const g of Object.values(step)) g.dispose();
      for (const [name, fm] of factored) {
        const w = fm.materialise();
        lm.param(name).assign(w);
        w.dispose();
      }
      if ((t + 1) % cfg.evalEvery === 0 || t + 1 === cfg.steps) {
        curve.push({ step: t + 1, trainLoss: acc / accN, validLoss: await evaluate() });
        acc = 0;
        accN = 0;
      }
      onProgress?.(t + 1, cfg.steps);
    }
    const targetNames = targets.map((p) => p.name);
    const stateNames = factored.size
      ? targetNames.flatMap((n) => [`${n}.B`, `${n}.A`])
      : targetNames;
    let weightFloats = others.reduce((s, p) => s + p.variable.size, 0);
    for (const p of targets) weightFloats += factored.get(p.name)?.heldFloats() ?? p.variable.size;
    return {
      curve,
      stateFloats: opt.stateFloats().total,
      targetStateFloats: opt.stateFloats(stateNames).total,
      targetParams: targets.reduce((s, p) => s + p.variable.size, 0),
      weightFloats,
      targetShapes: targets.map((p) => p.variable.shape as [number, number]),
      targetNames,
      gradStableRanks,
    };
  } finally {
    opt.dispose();
    for (const fm of factored.values()) fm.dispose();
    lm.dispose();
  }
}

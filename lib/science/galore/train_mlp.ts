/**
 * Train a bias-free MLP ({@link Mlp}) on teacher–student data with {@link GaLoreOptimizer}
 * (full-rank when no parameter is marked GaLore), recording at chosen steps the loss, a copy
 * of the weights, and the stable rank ‖G‖_F²/‖G‖₂² of every weight gradient and weight.
 *
 * Full batch by default (Lemma 3.3's setting: constant A_i, B_i, C_i); `batch` switches to
 * mini-batches drawn without replacement from a seeded permutation each epoch.
 *
 * @module
 */

import type { Tensor, TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { Mlp, type MlpActivation, type MlpLoss, teacherData } from "./mlp.ts";
import { type GaLoreConfig, GaLoreOptimizer } from "./optimizer.ts";
import { stableRank } from "./svd.ts";

/** One training run of an MLP. */
export interface MlpRunConfig {
  /** Student widths, input first. */
  sizes: number[];
  /** Teacher widths (same input and output widths as the student). */
  teacher: number[];
  /** Hidden activation of the student (default relu). */
  activation?: MlpActivation;
  /** Loss. */
  loss: MlpLoss;
  /** Training samples N. */
  samples: number;
  /** Seed of the data. */
  dataSeed: number;
  /** Seed of the student's initial weights. */
  initSeed: number;
  /** Updates. */
  steps: number;
  /** Optimiser settings. */
  optimizer: GaLoreConfig;
  /** Whether GaLore projects every weight matrix (false: full-rank). */
  galore: boolean;
  /** Steps after which to record (0 = before training); sorted ascending. */
  record: number[];
  /** Keep a copy of the weights at each record (default false). */
  keepWeights?: boolean;
  /** Compute stable ranks of gradients and weights at each record (default false). */
  stableRanks?: boolean;
  /** Mini-batch size (default: full batch). */
  batch?: number;
  /**
   * Relative jitter of the initial weights: each is multiplied by 1 + j·ξ with a seeded sign ξ
   * (default 0). With j = 2⁻²³ (one float32 ulp) it measures how much the training trajectory
   * itself amplifies a rounding-sized perturbation.
   */
  initJitter?: number;
}

/** What is recorded at one step. */
export interface MlpRecord {
  /** Updates done. */
  step: number;
  /** Full-data training loss at that point. */
  loss: number;
  /** The weights (first layer first), when `keepWeights`. */
  weights?: Float32Array[];
  /** Stable rank of each weight's full-data gradient, when `stableRanks`. */
  gradStableRank?: number[];
  /** Frobenius norm of each weight's full-data gradient, when `stableRanks`. */
  gradNorm?: number[];
  /** Stable rank of each weight, when `stableRanks`. */
  weightStableRank?: number[];
}

/** Result of {@link trainMlp}. */
export interface MlpRunResult {
  /** One record per requested step. */
  records: MlpRecord[];
  /** Weight names, first layer first. */
  names: string[];
  /** Weight shapes [rows, cols]. */
  shapes: [number, number][];
  /** Floats of the optimiser state at the end. */
  stateFloats: number;
}

/**
 * Train one MLP and record the requested snapshots.
 *
 * @example
 * ```ts ignore
 * const res = await trainMlp(tf, {
 *   sizes: [16, 32, 4], teacher: [16, 32, 4], loss: "mse", samples: 128, dataSeed: 1,
 *   initSeed: 2, steps: 100, galore: false, record: [0, 100],
 *   optimizer: { lr: 0.05, rank: 4, updateGap: 50, scale: 1, rule: "sgd" },
 * });
 * ```
 */
export async function trainMlp(
  tf: TfModule,
  cfg: MlpRunConfig,
  onProgress?: (done: number, total: number) => void,
): Promise<MlpRunResult> {
  const data = teacherData(tf, {
    sizes: cfg.teacher,
    samples: cfg.samples,
    loss: cfg.loss,
    seed: cfg.dataSeed,
  });
  const net = new Mlp(tf, cfg.sizes, new Rng(cfg.initSeed), cfg.activation ?? "relu");
  if (cfg.initJitter) jitter(tf, net, cfg.initJitter, new Rng(cfg.initSeed + 0x9e3779b9));
  const opt = new GaLoreOptimizer(tf, net.params(cfg.galore), cfg.optimizer);
  const batchRng = new Rng(cfg.initSeed * 31 + 7);
  let order: number[] = [];
  const records: MlpRecord[] = [];
  const recordAt = new Set(cfg.record);
  try {
    for (let step = 0; step <= cfg.steps; step++) {
      if (recordAt.has(step)) records.push(await snapshot(net, data, cfg, step));
      if (step === cfg.steps) break;
      let batch = data;
      let owned: Tensor[] = [];
      if (cfg.batch && cfg.batch < cfg.samples) {
        if (order.length < cfg.batch) {
          order = batchRng.shuffle(Array.from({ length: cfg.samples }, (_, i) => i));
        }
        const ids = tf.tensor1d(order.splice(0, cfg.batch), "int32");
        batch = { X: tf.gather(data.X, ids, 1), Y: tf.gather(data.Y, ids, 1) };
        owned = [ids, batch.X, batch.Y];
      }
      const { loss, grads } = net.lossAndGrads(batch, cfg.loss);
      await opt.step(grads);
      loss.dispose();
      for (const g of Object.values(grads)) g.dispose();
      for (const t of owned) t.dispose();
      if (onProgress && (step + 1) % 50 === 0) onProgress(step + 1, cfg.steps);
    }
    return {
      records,
      names: net.names,
      shapes: net.weights.map((w) => [w.shape[0], w.shape[1]] as [number, number]),
      stateFloats: opt.stateFloats().total,
    };
  } finally {
    opt.dispose();
    net.dispose();
    data.X.dispose();
    data.Y.dispose();
  }
}

function jitter(tf: TfModule, net: Mlp, j: number, rng: Rng): void {
  for (const w of net.weights) {
    const v = w.dataSync() as Float32Array;
    const out = v.map((x) => x * (1 + (rng.uniform() < 0.5 ? -j : j)));
    const t = tf.tensor(out, w.shape);
    w.assign(t);
    t.dispose();
  }
}

async function snapshot(
  net: Mlp,
  data: { X: Tensor; Y: Tensor },
  cfg: MlpRunConfig,
  step: number,
): Promise<MlpRecord> {
  const rec: MlpRecord = { step, loss: NaN };
  if (cfg.stableRanks) {
    const { loss, grads } = net.lossAndGrads(data, cfg.loss);
    rec.loss = (await loss.data())[0];
    loss.dispose();
    rec.gradStableRank = [];
    rec.gradNorm = [];
    rec.weightStableRank = [];
    for (let l = 0; l < net.weights.length; l++) {
      const w = net.weights[l];
      const [m, n] = w.shape as [number, number];
      const g = await grads[net.names[l]].data();
      rec.gradStableRank.push(stableRank(g, m, n));
      let f = 0;
      for (let i = 0; i < g.length; i++) f += g[i] * g[i];
      rec.gradNorm.push(Math.sqrt(f));
      rec.weightStableRank.push(stableRank(await w.data(), m, n));
    }
    for (const g of Object.values(grads)) g.dispose();
  } else {
    const loss = net.loss(data, cfg.loss);
    rec.loss = (await loss.data())[0];
    loss.dispose();
  }
  if (cfg.keepWeights) {
    rec.weights = [];
    for (const w of net.weights) rec.weights.push(Float32Array.from(await w.data()));
  }
  return rec;
}

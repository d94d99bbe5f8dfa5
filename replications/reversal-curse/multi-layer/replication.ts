/**
 * reversal-curse/multi-layer — Zhu et al. (NeurIPS'24) Sec. 5 / Fig. 1: a multi-layer GPT-2
 * style transformer trained on "A_i → B_i" / "B_i ← A_i" sentences (70 % of the pairs in both
 * directions, the rest in one) drives the log-probability of every training sentence to 0,
 * while the untrained direction of the held-out pairs stays no better than a uniform guess.
 *
 * Read top to bottom: the claim, the grid (one cell = one training run for one seed), the
 * cell, the check.
 *
 * @module
 */

import {
  atLeast,
  atMost,
  type CellContext,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  groupBy,
  holds,
  num,
  type Profile,
  type Row,
  verdictOf,
} from "../../../mod.ts";
import { reverseDataset } from "../../../lib/science/reversal/data.ts";
import { type GptConfig, trainGpt } from "../../../lib/science/reversal/gpt.ts";
import { logSpaced } from "../../../lib/science/reversal/onelayer.ts";

// ---------------------------------------------------------------- claim
const claim: Claim = {
  statement: "A multi-layer causal transformer trained with AdamW on the authors' reversal " +
    "dataset learns the training sentences (the log-probability of their last token → 0) " +
    "while the untrained direction of every held-out pair is predicted no better than a " +
    "uniform random guess, 1/M: the reversal curse beyond one layer. Averaged over seeds.",
  source: "Zhu et al., NeurIPS 2024, arXiv 2405.04669, Sec. 5, Fig. 1 (default configuration " +
    "of their Table 3; code marlo-z/reversal_curse_analysis, src/scripts/train_reverse.py)",
  paperValue: "training curve: negative log-probability → 0 (probability → 1); validation: " +
    "not better than uniform random guessing (−log p ≳ ln M); averaged over 10 seeds",
  scale: {
    quick: "2 layers, 4 heads, d = 64, vocab 120 (M = 122, 30 pairs: 51 training, 9 test " +
      "sentences), 250 epochs of full-batch AdamW (51 < 64), 3 seeds",
    full: "4 layers, 4 heads, d = 128, the authors' vocab 800 (M = 802, 200 pairs: 340 " +
      "training, 60 test sentences), batch 64, 300 epochs, 10 seeds",
  },
  deviations: [
    "Model size: the authors' default is GPT-2 with 24 layers, 12 heads, d = 768 and 3000 " +
    "epochs (on a GPU); on CPU tfjs-wasm we use 2 layers/d 64/250 epochs (quick) and 4 " +
    "layers/d 128/300 epochs (full), the largest whose 10 seeds fit as ≈ 7-minute (CPU) " +
    "cells. The training sentences are memorised by epoch ≈ 75 of 300 (full, probe) and by " +
    "epoch 120–250 (quick).",
    "No dropout (GPT-2's default 0.1 on embeddings, attention and residuals): tfjs dropout " +
    "would add noise without bearing on the claim.",
    "Train and validation log-probabilities are measured after each logged epoch in " +
    "evaluation mode; the authors' training curve averages the per-batch values seen during " +
    "the epoch (in training mode).",
    "Only the first two tokens are fed forward: with causal attention the prediction of the " +
    "third token (the only one in the loss, the authors' default) does not depend on it.",
    "Data are drawn with our seeded generator, not NumPy's: same layout, different draws; " +
    "the positional table has 2 rows (the authors' GPT-2 has 1024, of which 3 are used).",
    "AdamW moments below 1e-30 and weights below 1e-15 are flushed to exact zeros after " +
    "every update.",
  ],
};

// ---------------------------------------------------------------- configuration
const OPT = { lr: 0.01, betas: [0.9, 0.999] as [number, number], weightDecay: 0.01 };
interface Config {
  vocab: number;
  model: Omit<GptConfig, "vocab">;
  epochs: number;
  batchSize: number;
  seeds: number;
  /** Measured CPU seconds per optimiser step (AMD EPYC, shared machine). */
  secondsPerStep: number;
}
const CONFIG: Record<Profile, Config> = {
  quick: {
    vocab: 120,
    model: { dModel: 64, layers: 2, heads: 4 },
    epochs: 250,
    batchSize: 64,
    seeds: 3,
    secondsPerStep: 0.045,
  },
  full: {
    vocab: 800,
    model: { dModel: 128, layers: 4, heads: 4 },
    epochs: 300,
    batchSize: 64,
    seeds: 10,
    secondsPerStep: 0.21,
  },
};
/** The training sentences' mean −log p must end below this (p ≥ 0.95: "→ 0"). */
const TRAIN_NLL_MAX = 0.05;
/** The test sentences may not beat this multiple of the uniform guess 1/M. */
const CHANCE_FACTOR = 2;

interface Cell {
  [key: string]: number;
  vocab: number;
  dModel: number;
  layers: number;
  heads: number;
  epochs: number;
  batchSize: number;
  seed: number;
}

function grid({ profile, seed }: { profile: Profile; seed: number }): Cell[] {
  const { vocab, model, epochs, batchSize, seeds } = CONFIG[profile];
  return Array.from({ length: seeds }, (_, i) => ({
    vocab,
    ...model,
    epochs,
    batchSize,
    seed: seed + 1 + i,
  }));
}

// ---------------------------------------------------------------- cell
async function cell(p: Cell, ctx: CellContext): Promise<Row[]> {
  const data = reverseDataset({ vocab: p.vocab, seed: p.seed });
  const tf = await ctx.tf();
  const res = await trainGpt(tf, {
    config: { vocab: data.M, dModel: p.dModel, layers: p.layers, heads: p.heads },
    train: data.train,
    val: data.test,
    epochs: p.epochs,
    batchSize: p.batchSize,
    ...OPT,
    seed: p.seed,
    logEpochs: logSpaced(p.epochs, 12),
    onProgress: ctx.progress,
  });
  return res.log.map((pt) => ({
    seed: p.seed,
    epoch: pt.epoch,
    train_nll: -pt.trainLogProb,
    val_nll: -pt.valLogProb,
    chance_nll: Math.log(data.M),
    threshold_nll: Math.log(data.M / CHANCE_FACTOR),
    M: data.M,
  }));
}

// ---------------------------------------------------------------- claim check
/** Fig. 1's two assertions, for every seed. */
export function check(rows: Row[], profile: Profile): CheckResult {
  const M = num(rows[0], "M");
  const runs = [...groupBy(rows, "seed").entries()].map(([seed, rs]) => {
    const sorted = [...rs].sort((a, b) => num(a, "epoch") - num(b, "epoch"));
    const last = sorted[sorted.length - 1];
    const trained = sorted.filter((r) => num(r, "epoch") >= 1);
    const minVal = Math.min(...trained.map((r) => num(r, "val_nll")));
    return { seed, last, minVal };
  });
  const worstTrain = Math.max(...runs.map((r) => num(r.last, "train_nll")));
  const worstVal = Math.min(...runs.map((r) => r.minVal));
  const meanTrain = runs.reduce((a, r) => a + num(r.last, "train_nll"), 0) / runs.length;
  const meanVal = runs.reduce((a, r) => a + num(r.last, "val_nll"), 0) / runs.length;
  const needed = CONFIG[profile].seeds;
  const items = [
    atMost(
      `training sentences: −log p of the last token at the end, worst of ${runs.length} seeds`,
      worstTrain,
      TRAIN_NLL_MAX,
    ),
    atLeast(
      `untrained direction: −log p at every logged epoch ≥ 1, worst of ${runs.length} seeds ` +
        `(ln M − ln ${CHANCE_FACTOR}: geometric-mean p ≤ ${CHANCE_FACTOR}/M)`,
      worstVal,
      Math.log(M / CHANCE_FACTOR),
    ),
    holds(
      "seeds averaged",
      runs.length >= needed,
      `${runs.length}`,
      `≥ ${needed} (the paper: 10)`,
    ),
  ];
  return verdictOf(
    items,
    `seed mean at the last epoch: train −log p ${fmt(meanTrain)}, validation −log p ` +
      `${fmt(meanVal)} (uniform guess ln M = ${fmt(Math.log(M))})`,
    [0, 1],
  );
}

// ---------------------------------------------------------------- replication
export default defineReplication<Cell>({
  title: "Reversal curse in a multi-layer transformer (Fig. 1): train → 1, reverse at chance",
  claim,
  grid,
  cell,
  cost: (p, profile) => {
    const pairs = Math.floor(p.vocab / 4), both = Math.round(0.7 * pairs);
    const steps = p.epochs * Math.ceil((2 * both + pairs - both) / p.batchSize);
    return steps * CONFIG[profile].secondsPerStep;
  },
  check,
  tolerances: {
    keys: ["seed", "epoch"],
    columns: {
      train_nll: {
        atol: 0.05,
        rtol: 0.5,
        why: "float32 tfjs: last-bit differences between backends/CPUs grow over hundreds of " +
          "Adam steps; near 0 the value is a small, chaotic number",
      },
      val_nll: {
        atol: 0.5,
        rtol: 0.2,
        why: "float32 tfjs, chaotic over hundreds of Adam steps; the claim is the side of ln M",
      },
    },
    default: { atol: 1e-9, why: "constants of the data layout (ln M)" },
  },
  recorded: {
    full: {
      verdict: "PARTIAL",
      why: "10 seeds, 300 epochs, M = 802: every seed learns its training sentences (−log p ≤ " +
        "0.002 at the end) and the untrained direction ends far below a uniform guess (mean " +
        "−log p 12.0 against ln M = 6.69). But one seed (10) dips once, at epoch 26, to " +
        "−log p 5.53 (p ≈ 3.2/M) under the per-seed bound ln M − ln 2 = 5.99; the other nine " +
        "stay ≥ 6.40, and the 10-seed mean, which the paper plots, never falls below 8.5 " +
        "after epoch 1. The per-seed, every-epoch bound is stricter than the paper's averaged " +
        "curve; it was not loosened",
    },
  },
});

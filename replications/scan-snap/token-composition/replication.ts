/**
 * scan-snap/token-composition — Scan & Snap Theorem 2 (Fig. 4): under SGD the attention logits
 * of common tokens fall, those of distinct tokens rise, faster for larger P(l|m,n).
 *
 * @module
 */

import {
  above,
  below,
  between,
  type CellContext,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  holds,
  num,
  type Profile,
  type Row,
  verdictOf,
  within,
} from "../../../mod.ts";
import { attentionMass, NUM_COMMON, trainBatched } from "../../../lib/science/scansnap/model.ts";
import { mean, spearman } from "../../../lib/science/math/stats.ts";

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "Under SGD on the reparameterised model, the attention logit z_ml of every " +
    "common token decreases, that of every distinct token increases, and distinct tokens " +
    "with larger P(l|m,n) grow faster, so attention becomes sparse on the most frequent " +
    "distinct tokens (a learnable TF-IDF).",
  source: "Tian, Wang, Chen, Du, Scan and Snap, NeurIPS 2023, arXiv 2305.16380v4: Theorem 2 " +
    "(a)-(c), Theorem 3, Fig. 4 (Syn-Small, η_Y = η_Z = 1)",
  paperValue: "qualitative (a) ż < 0 common, (b) ż > 0 distinct, (c) faster for larger " +
    "P(l|m,n); authors' log (seed 2): batch loss 3.526 at step 0, 0.733 at 4, 0.0130 at 10",
  scale: {
    quick: "paper scale per run (M = 34, K = 2, batch 128, 127 context tokens, 100 steps, " +
      "SGD momentum 0.9, η = 1); 5 seeds instead of the authors' one",
    full: "as quick with 10 seeds",
  },
  deviations: [
    "Z and Y are trained directly with hand-written gradients (checked against tfjs " +
    "autograd); sequences are summarised by token counts, which is exact because attention " +
    "has no positional term.",
    "RNG streams differ from PyTorch's; the authors' single-seed loss log is compared with " +
    "our seed mean.",
    "The paper's Syn-Small text says M = 30; the authors' generator (and Fig. 4's log) has " +
    "M = 34 (2 query and 2 next tokens added); we follow the generator.",
    "Weights and momentum buffers below 1e-15 / 1e-30, and softmax probabilities below " +
    "1e-30, are set to exact zeros (float32 subnormals slow tfjs-wasm down on Intel CPUs); " +
    "the outputs are unchanged by it.",
    "Claims are checked at step 100 (the run's end) and step 10 for the ordering; the figure " +
    "shows snapshots up to step 48.",
  ],
};

// ---------------------------------------------------------------- configuration: one cell per seed
/** Fig. 4 data sizes (exported for the WebGPU CI check). */
export const DATA = { numLast: 2, nextPerLast: 1, contextLength: 127 }; // M = 34, K = 2 (Fig. 4)
/** Fig. 4 training settings (exported for the WebGPU CI check). */
export const TRAIN = { steps: 100, batchSize: 128, momentum: 0.9, etaZ: 1, etaY: 1 };
const SNAPSHOTS = [0, 2, 4, 6, 8, 10, 20, 30, 48, 100];
const SEEDS: Record<Profile, number> = { quick: 5, full: 10 };
/** The authors' logged batch loss at step 10 (seed 2). */
const PAPER_LOSS_10 = 0.013;
/** Spearman ρ between P(l|n) and the distinct logits that counts as "ordered". */
const MIN_RHO = 0.9;

// ---------------------------------------------------------------- the cell: one training run
async function cell({ seed }: { seed: number }, ctx: CellContext): Promise<Row[]> {
  const res = await trainBatched(await ctx.tf(), {
    data: DATA,
    runs: [{ etaZ: TRAIN.etaZ, etaY: TRAIN.etaY, seed }],
    steps: TRAIN.steps,
    batchSize: TRAIN.batchSize,
    momentum: TRAIN.momentum,
    init: "zero",
    snapshotSteps: SNAPSHOTS,
    onProgress: ctx.progress,
  });
  const { vocab } = res;
  const rows: Row[] = [...res.loss[0]].map((value, step) => ({
    seed,
    step,
    measure: "loss",
    class: -1,
    token: -1,
    kind: "all",
    prob: NaN,
    value,
  }));
  SNAPSHOTS.forEach((step, s) => {
    const Z = res.z[s][0];
    for (let n = 0; n < vocab.K; n++) {
      const c = attentionMass(vocab, Z, n);
      vocab.support[n].forEach((l, i) => {
        const base = {
          seed,
          step,
          class: n,
          token: i, // position in the class support: 0-9 common, 10-19 distinct
          kind: i < NUM_COMMON ? "common" : "distinct",
          prob: vocab.prob[n][i],
        };
        rows.push({ ...base, measure: "z", value: Z[vocab.query[n] * vocab.M + l] });
        rows.push({ ...base, measure: "c", value: c[i] });
      });
    }
  });
  return rows;
}

// ---------------------------------------------------------------- claim check
/** Seed-mean of `measure` per (class, token) at `step`. */
function seedMeans(rows: Row[], measure: string, step: number) {
  const acc = new Map<string, { kind: string; prob: number; vals: number[]; cls: number }>();
  for (const r of rows) {
    if (r.measure !== measure || num(r, "step") !== step) continue;
    const key = `${r.class}:${r.token}`;
    if (!acc.has(key)) {
      acc.set(key, { kind: String(r.kind), prob: num(r, "prob"), vals: [], cls: num(r, "class") });
    }
    acc.get(key)!.vals.push(num(r, "value"));
  }
  return [...acc.values()].map((a) => ({ ...a, mean: mean(a.vals) }));
}

export function check(rows: Row[]): CheckResult {
  const final = TRAIN.steps;
  const zFinal = seedMeans(rows, "z", final);
  const classes = [...new Set(zFinal.map((t) => t.cls))];
  const commons = zFinal.filter((t) => t.kind === "common");
  const distinct = zFinal.filter((t) => t.kind === "distinct");
  const items: CheckItem[] = [];
  const maxCommon = Math.max(...commons.map((t) => t.mean));
  items.push(below(
    `(a) common-token logits z_ml fall (max over common tokens of the seed-mean z at step ${final}; z starts at 0)`,
    maxCommon,
    0,
  ));
  const minDistinct = Math.min(...distinct.map((t) => t.mean));
  items.push(above(
    `(b) distinct-token logits z_ml rise (min over distinct tokens of the seed-mean z at step ${final})`,
    minDistinct,
    0,
  ));
  const rhos: string[] = [];
  let ordered = true;
  for (const step of [10, final]) {
    const zs = seedMeans(rows, "z", step).filter((t) => t.kind === "distinct");
    for (const n of classes) {
      const toks = zs.filter((t) => t.cls === n);
      const rho = spearman(toks.map((t) => t.prob), toks.map((t) => t.mean));
      rhos.push(`step ${step} class ${n}: ${rho.toFixed(3)}`);
      if (!(rho >= MIN_RHO)) ordered = false;
    }
  }
  items.push(holds(
    "(c) distinct logits are ordered by P(l|m,n) (Spearman over the 10 distinct tokens)",
    ordered,
    rhos.join("; "),
    `ρ ≥ ${MIN_RHO} at steps 10 and ${final} for every class`,
  ));
  const lossAt = (step: number) =>
    mean(
      rows.filter((r) => r.measure === "loss" && num(r, "step") === step).map((r) =>
        num(r, "value")
      ),
    );
  const l0 = lossAt(0), l10 = lossAt(10);
  items.push(within(
    "batch loss at step 0 is ln M (zero init ⇒ uniform prediction; authors' log: 3.526)",
    l0,
    Math.log(34),
    1e-4,
    { digits: 6 },
  ));
  items.push(between(
    `batch loss at step 10 (seed mean) matches the authors' log (${PAPER_LOSS_10}, one seed) within a factor 2`,
    l10,
    PAPER_LOSS_10 / 2,
    PAPER_LOSS_10 * 2,
  ));
  const commonMass = mean(
    seedMeans(rows, "c", final).filter((t) => t.kind === "common").map((t) => t.mean),
  ) * NUM_COMMON;
  return verdictOf(
    items,
    `z(common) ≤ ${maxCommon.toFixed(3)}, z(distinct) ≥ ${
      minDistinct.toFixed(3)
    } at step ${final}; ` +
      `loss ${l0.toFixed(3)} → ${l10.toPrecision(2)} (step 10); common attention mass ` +
      `${commonMass.toFixed(3)} (0.645 at init)`,
    [0, 1, 2],
  );
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "Attention suppresses common tokens and picks distinct tokens by P(l|m,n)",
  claim,
  grid: ({ profile, seed }) =>
    Array.from({ length: SEEDS[profile] }, (_, i) => ({ seed: seed + i })),
  cell,
  cost: () => 2,
  check,
  tolerances: {
    keys: ["seed", "step", "measure", "class", "token"],
    columns: {
      value: {
        atol: 2e-4,
        rtol: 5e-3,
        why: "float32 training: measured cross-backend drift over 100 steps is max |Δz| 3.3e-5 " +
          "(webgpu/llvmpipe), 1.3e-6 (cpu), |Δc| 5.4e-6, |Δloss| 4.5e-6 (≥ 6× margin; another " +
          "seed, model or optimiser moves z by ≥ 0.05); late losses ~2e-5 fall under atol",
      },
      prob: { atol: 1e-12, rtol: 1e-9, why: "configuration P(l|n): exact" },
    },
    default: { why: "keys echoed per row: exact" },
  },
  recorded: {
    quick: {
      verdict: "PARTIAL",
      why: "(a) and (c) reproduce; (b) holds for 9 of the 10 distinct tokens, but the rarest " +
        "(P(l|n) = 0.0065) drifts slightly negative (seed mean −0.010 / −0.014 at step 100, " +
        "already at step 10), as an independent numpy port of the authors' setting also found " +
        "(−0.01 at step 48). Theorem 2(b) is derived for T → ∞; with 127 context tokens that " +
        "token appears < 1× per sequence.",
    },
    full: {
      verdict: "PARTIAL",
      why: "(a) and (c) reproduce; (b) holds for 9 of the 10 distinct tokens, but the rarest " +
        "(P(l|n) = 0.0065) drifts slightly negative (seed mean −0.010 / −0.014 at step 100, " +
        "already at step 10), as an independent numpy port of the authors' setting also found " +
        "(−0.01 at step 48). Theorem 2(b) is derived for T → ∞; with 127 context tokens that " +
        "token appears < 1× per sequence.",
    },
  },
});

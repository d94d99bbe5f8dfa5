/**
 * scan-snap/token-composition — Scan & Snap, Theorem 2 and Fig. 4: training the
 * reparameterised 1-layer transformer on the synthetic sequence classes, the attention
 * logits of common tokens fall, those of distinct tokens rise, and distinct tokens rise
 * faster the larger P(l|m,n).
 *
 * @module
 */

import { attentionMass, NUM_COMMON, trainBatched } from "../../../lib/science/scansnap/model.ts";
import {
  type CheckItem,
  mean,
  num,
  type Profile,
  type Replication,
  type Row,
  spearman,
  verdictOf,
} from "../../../mod.ts";

// ---------------------------------------------------------------- configuration
/** Fig. 4 data sizes (exported for the WebGPU CI check). */
export const DATA = { numLast: 2, nextPerLast: 1, contextLength: 127 }; // M = 34, K = 2 (Fig. 4)
/** Fig. 4 training settings (exported for the WebGPU CI check). */
export const TRAIN = { steps: 100, batchSize: 128, momentum: 0.9, etaZ: 1, etaY: 1 };
const SNAPSHOTS = [0, 2, 4, 6, 8, 10, 20, 30, 48, 100];
const SEEDS: Record<Profile, number> = { quick: 5, full: 10 };

// ---------------------------------------------------------------- run
async function run(ctx: Parameters<Replication["run"]>[0]): Promise<Row[]> {
  if (!ctx.tf) throw new Error("token-composition needs tfjs");
  const seeds = Array.from({ length: SEEDS[ctx.profile] }, (_, i) => ctx.seed + i);
  const res = await trainBatched(ctx.tf, {
    data: DATA,
    runs: seeds.map((seed) => ({ etaZ: TRAIN.etaZ, etaY: TRAIN.etaY, seed })),
    steps: TRAIN.steps,
    batchSize: TRAIN.batchSize,
    momentum: TRAIN.momentum,
    init: "zero",
    snapshotSteps: SNAPSHOTS,
    progress: ctx.progress,
  });
  const { vocab } = res;
  const rows: Row[] = [];
  seeds.forEach((seed, r) => {
    res.loss[r].forEach((value, step) =>
      rows.push({
        seed,
        step,
        measure: "loss",
        class: -1,
        token: -1,
        kind: "all",
        prob: NaN,
        value,
      })
    );
    SNAPSHOTS.forEach((step, s) => {
      const Z = res.z[s][r];
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

function check(rows: Row[]): ReturnType<typeof verdictOf> {
  const final = TRAIN.steps;
  const zFinal = seedMeans(rows, "z", final);
  const classes = [...new Set(zFinal.map((t) => t.cls))];
  const commons = zFinal.filter((t) => t.kind === "common");
  const distinct = zFinal.filter((t) => t.kind === "distinct");
  const items: CheckItem[] = [];
  const maxCommon = Math.max(...commons.map((t) => t.mean));
  items.push({
    name: "(a) common-token logits z_ml fall (seed mean, every common token, every class)",
    pass: maxCommon < 0,
    measured: `max over common tokens of mean z at step ${final}: ${maxCommon.toFixed(4)}`,
    expected: "< 0 (z starts at 0)",
  });
  const minDistinct = Math.min(...distinct.map((t) => t.mean));
  items.push({
    name: "(b) distinct-token logits z_ml rise (seed mean, every distinct token, every class)",
    pass: minDistinct > 0,
    measured: `min over distinct tokens of mean z at step ${final}: ${minDistinct.toFixed(4)}`,
    expected: "> 0",
  });
  const rhos: string[] = [];
  let ordered = true;
  for (const step of [10, final]) {
    const zs = seedMeans(rows, "z", step).filter((t) => t.kind === "distinct");
    for (const n of classes) {
      const toks = zs.filter((t) => t.cls === n);
      const rho = spearman(toks.map((t) => t.prob), toks.map((t) => t.mean));
      rhos.push(`step ${step} class ${n}: ${rho.toFixed(3)}`);
      if (!(rho >= 0.9)) ordered = false;
    }
  }
  items.push({
    name: "(c) distinct logits are ordered by P(l|m,n) (Spearman over the 10 distinct tokens)",
    pass: ordered,
    measured: rhos.join("; "),
    expected: "ρ ≥ 0.9 at steps 10 and 100 for every class",
  });
  const lossAt = (step: number) =>
    mean(
      rows.filter((r) => r.measure === "loss" && num(r, "step") === step).map((r) =>
        num(r, "value")
      ),
    );
  const l0 = lossAt(0), l10 = lossAt(10);
  items.push({
    name: "batch loss at step 0 is ln M = 3.526 (zero init ⇒ uniform prediction)",
    pass: Math.abs(l0 - Math.log(34)) <= 1e-4,
    measured: l0.toFixed(5),
    expected: "3.52636 ± 1e-4 (authors' log: 3.526)",
  });
  items.push({
    name: "batch loss at step 10 matches the authors' log (0.013, one seed) within a factor 2",
    pass: l10 >= 0.013 / 2 && l10 <= 0.013 * 2,
    measured: `seed mean ${l10.toPrecision(3)}`,
    expected: "in [0.0065, 0.026]",
  });
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
const replication: Replication = {
  id: "scan-snap/token-composition",
  title: "Attention suppresses common tokens and picks distinct tokens by P(l|m,n)",
  usesTf: true,
  claim: {
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
      "Claims are checked at step 100 (the run's end) and step 10 for the ordering; the figure " +
      "shows snapshots up to step 48.",
    ],
    tolerances: "float32 training on tfjs. Measured against the wasm golden over 100 steps: " +
      "webgpu (llvmpipe) max |Δz| 3.3e-5, |Δc| 5.4e-6, |Δloss| 4.5e-6; cpu max |Δz| 1.3e-6; " +
      "wasm is bit-identical run to run. value: atol 2e-4, rtol 5e-3 (≥ 6× the cross-backend " +
      "drift; a different seed, model or optimiser moves z by ≥ 0.05); prob is configuration " +
      "(exact). Late losses (~2e-5) fall under atol and are effectively unchecked there.",
  },
  recorded: {
    verdict: "PARTIAL",
    why: "(a) and (c) reproduce; (b) holds for 9 of the 10 distinct tokens, but the rarest " +
      "(P(l|n) = 0.0065) drifts slightly negative (seed mean −0.010 / −0.014 at step 100, " +
      "already at step 10), as an independent numpy port of the authors' setting also found " +
      "(−0.01 at step 48). Theorem 2(b) is derived for T → ∞; with 127 context tokens that " +
      "token appears < 1× per sequence.",
  },
  run,
  check: (rows) => check(rows),
  chart: new URL("./chart.vl.json", import.meta.url),
};

export default replication;

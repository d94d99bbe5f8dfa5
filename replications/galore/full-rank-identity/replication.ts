/**
 * galore/full-rank-identity — with r = min(m, n) and ρ ≡ 1 (plain SGD) GaLore follows the
 * full-rank training trajectory exactly (to float rounding); with Adam it does not, because
 * Adam is not rotation-invariant — the negative control showing the projection is applied.
 *
 * @module
 */

import {
  atLeast,
  atMost,
  type CellContext,
  type CheckResult,
  defineReplication,
  fmt,
  num,
  type Profile,
  type Row,
  verdictOf,
  where,
} from "../../../mod.ts";
import { type MlpRecord, trainMlp } from "../../../lib/science/galore/train_mlp.ts";
import type { UpdateRule } from "../../../lib/science/galore/optimizer.ts";

// ---------------------------------------------------------------- the claim
const claim = {
  statement: "When r = min(m, n), GaLore with ρ ≡ 1 follows the exact training trajectory of " +
    "the original model, since G̃ = P Pᵀ G = G for a square orthogonal P. With ρ = Adam it " +
    "does not: Adam normalises entrywise, so its update depends on the rotated basis.",
  source: "Zhao et al., GaLore, ICML 2024, arXiv 2403.03507, §3.3 'Difference between GaLore " +
    "and LoRA' (the SGD identity); the Adam control is ours (Adam's entrywise normalisation)",
  paperValue: "exact same trajectory for r = min(m, n), ρ ≡ 1",
  scale: {
    quick: "bias-free ReLU MLP 24→64→32→8 (matrices 64×24, 32×64, 8×32: both projection " +
      "sides), teacher–student MSE, 256 samples, full batch, 200 steps, 1 seed; SGD and Adam",
    full: "same MLP, 1000 steps, MSE and cross-entropy, 3 seeds; SGD and Adam",
  },
  deviations: [
    "A small MLP stands in for an LLM: the identity is a statement about the update rule of " +
    "each matrix, independent of the model.",
    "Scale α = 1 (with α ≠ 1 GaLore-SGD is full-rank SGD at learning rate α·η); the projector " +
    "is recomputed every T = 50 steps from a Float64 Jacobi SVD, cast to float32.",
    "A truncated GaLore-SGD (r = 4) is added as a second control: it must leave the " +
    "full-rank trajectory.",
    "A float32 control (added after the first full run): full-rank SGD from weights jittered " +
    "by one ulp, against full-rank SGD — how far the trajectory itself carries rounding.",
    "Weights below 1e-15 and Adam moments below 1e-30 are flushed to 0 after each update " +
    "(float32 subnormals are slow on tfjs-wasm) — identically in both runs of a pair.",
  ],
};

// ---------------------------------------------------------------- configuration
const CONFIG: Record<
  Profile,
  { steps: number; every: number; seeds: number; losses: ("mse" | "ce")[] }
> = {
  quick: { steps: 200, every: 50, seeds: 1, losses: ["mse"] },
  full: { steps: 1000, every: 100, seeds: 3, losses: ["mse", "ce"] },
};
const SIZES = [24, 64, 32, 8];
const TEACHER = [24, 48, 8];
const SAMPLES = 256;
const LR: Record<UpdateRule, Record<"mse" | "ce", number>> = {
  sgd: { mse: 0.05, ce: 0.2 },
  adam: { mse: 2e-3, ce: 2e-3 },
};
/** Projector update gap T: several recomputations within a run. */
const GAP = 50;
/** Rank of the truncated control. */
const LOW_RANK = 4;
/** Any rank ≥ min(m, n) is full rank. */
const FULL = 1 << 30;
/**
 * Float32 control (added after the first full run; see NOTES): full-rank SGD from the same
 * weights jittered by one float32 ulp, against unjittered full-rank SGD — how far the trajectory
 * itself carries a rounding-sized perturbation. Not part of the check.
 */
const CONTROL = "full+1ulp";
const ULP = 2 ** -23;

type Params = { seed: number; rule: UpdateRule; loss: "mse" | "ce"; steps: number; every: number };

const grid = ({ profile, seed }: { profile: Profile; seed: number }): Params[] => {
  const c = CONFIG[profile];
  const out: Params[] = [];
  for (let s = 0; s < c.seeds; s++) {
    for (const loss of c.losses) {
      for (const rule of ["sgd", "adam"] as UpdateRule[]) {
        out.push({ seed: seed + s, rule, loss, steps: c.steps, every: c.every });
      }
    }
  }
  return out;
};

// ---------------------------------------------------------------- the cell
/** ‖W^G − W^F‖ / ‖W^F − W^F₀‖ over all matrices: deviation relative to the distance travelled. */
export function trajectoryDeviation(full: MlpRecord, other: MlpRecord, start: MlpRecord): number {
  let num2 = 0, den2 = 0;
  full.weights!.forEach((wf, l) => {
    const wg = other.weights![l], w0 = start.weights![l];
    for (let i = 0; i < wf.length; i++) {
      num2 += (wg[i] - wf[i]) ** 2;
      den2 += (wf[i] - w0[i]) ** 2;
    }
  });
  return Math.sqrt(num2 / den2);
}

async function cell(p: Params, ctx: CellContext): Promise<Row[]> {
  const tf = await ctx.tf();
  const record = Array.from({ length: p.steps / p.every + 1 }, (_, i) => i * p.every);
  const run = (galore: boolean, rank: number, initJitter = 0) =>
    trainMlp(tf, {
      sizes: SIZES,
      teacher: TEACHER,
      loss: p.loss,
      samples: SAMPLES,
      dataSeed: 100 + p.seed,
      initSeed: 200 + p.seed,
      steps: p.steps,
      galore,
      record,
      keepWeights: true,
      initJitter,
      optimizer: { lr: LR[p.rule][p.loss], rank, updateGap: GAP, scale: 1, rule: p.rule },
    });
  const full = await run(false, 0);
  const variants: [string, () => ReturnType<typeof run>][] = [["r=min", () => run(true, FULL)]];
  if (p.rule === "sgd") {
    variants.push([`r=${LOW_RANK}`, () => run(true, LOW_RANK)]);
    variants.push([CONTROL, () => run(false, 0, ULP)]);
  }
  ctx.progress(1, 1 + variants.length);
  const rows: Row[] = [];
  for (const [k, [variant, train]] of variants.entries()) {
    const g = await train();
    full.records.forEach((rf, i) => {
      if (rf.step === 0) return;
      const rg = g.records[i];
      rows.push({
        seed: p.seed,
        rule: p.rule,
        loss: p.loss,
        variant,
        step: rf.step,
        loss_full: rf.loss,
        loss_galore: rg.loss,
        loss_rel_dev: Math.abs(rg.loss - rf.loss) / Math.abs(rf.loss),
        weight_dev: trajectoryDeviation(rf, rg, full.records[0]),
      });
    });
    ctx.progress(2 + k, 1 + variants.length);
  }
  return rows;
}

// ---------------------------------------------------------------- the check
/** Float32 rounding over ≤ 1000 steps stays far below this (≈ 1e-7 per step, relative). */
const IDENTITY_MAX = 1e-4;
/** A real change of trajectory: 100× above the identity bound. */
const BROKEN_MIN = 1e-2;

/** The paper's assertion (SGD identity) and the two controls. */
export function check(rows: Row[], _profile: Profile): CheckResult {
  const max = (rs: Row[], c: string) =>
    rs.reduce((m, r) => Math.max(m, num(r, c)), rs.length ? -Infinity : NaN);
  const finals = (rs: Row[]) => {
    const last = Math.max(...rs.map((r) => num(r, "step")));
    return rs.filter((r) => num(r, "step") === last);
  };
  const min = (rs: Row[], c: string) =>
    rs.reduce((m, r) => Math.min(m, num(r, c)), rs.length ? Infinity : NaN);
  const sgd = where(rows, { rule: "sgd", variant: "r=min" });
  const adam = where(rows, { rule: "adam", variant: "r=min" });
  const trunc = where(rows, { rule: "sgd", variant: `r=${LOW_RANK}` });
  const idW = max(sgd, "weight_dev"), idL = max(sgd, "loss_rel_dev");
  const items = [
    atMost(
      "SGD, r = min(m,n): largest weight deviation / distance travelled",
      Math.max(idW, idL),
      IDENTITY_MAX,
    ),
    atLeast(
      "Adam, r = min(m,n): smallest final weight deviation (not rotation-invariant)",
      min(finals(adam), "weight_dev"),
      BROKEN_MIN,
    ),
    atLeast(
      `SGD, r = ${LOW_RANK}: smallest final weight deviation (truncation applied)`,
      min(finals(trunc), "weight_dev"),
      BROKEN_MIN,
    ),
  ];
  const ourValue =
    `SGD r=min: deviation ≤ ${fmt(idW, { digits: 2 })} (loss ${fmt(idL, { digits: 2 })}); ` +
    `Adam r=min: ≥ ${fmt(min(finals(adam), "weight_dev"), { digits: 2 })}; ` +
    `SGD r=${LOW_RANK}: ≥ ${fmt(min(finals(trunc), "weight_dev"), { digits: 2 })}; ` +
    `float32 control (full rank, 1-ulp init): ≤ ${
      fmt(max(where(rows, { variant: CONTROL }), "weight_dev"), { digits: 2 })
    }`;
  return verdictOf(items, ourValue, [0, 1]);
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "GaLore at full rank: SGD follows the full-rank trajectory, Adam does not",
  claim,
  grid,
  cell,
  cost: (p) => (p.rule === "sgd" ? 4 : 2) * p.steps * 0.0048,
  check,
  tolerances: {
    keys: ["seed", "rule", "loss", "variant", "step"],
    columns: {
      loss_full: { rtol: 1e-5, why: "float32 training, same backend: rounding-level drift only" },
      loss_galore: { rtol: 1e-5, why: "float32 training, same backend: rounding-level drift only" },
      loss_rel_dev: {
        atol: 1e-6,
        rtol: 0.5,
        why: "rounding-level quantity for SGD r=min; sizeable for the controls",
      },
      weight_dev: {
        atol: 1e-6,
        rtol: 0.05,
        why: "rounding-level for SGD r=min; float32 reduction order changes the controls slightly",
      },
    },
    default: { atol: 0, why: "keys" },
  },
  recorded: {
    full: {
      verdict: "PARTIAL",
      why: "over 1000 steps GaLore-SGD at r = min(m, n) leaves the full-rank trajectory by up " +
        "to 1.1e-2 of the distance travelled (seed 1, MSE; the other five runs ≤ 3e-4), above " +
        "the 1e-4 bound set for linearly accumulating rounding. That premise was wrong: the " +
        "float32 control, full-rank SGD started one ulp away, leaves the same trajectory by up " +
        "to 1.7e-3, with the same jumps (1e-7 → 1e-4 between steps " +
        "300 and 500, as ReLU units switch). Adam (≥ 0.78) and r = 4 (≥ 0.58) leave it 50× more",
    },
  },
});

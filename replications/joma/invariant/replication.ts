/**
 * joma/invariant — JoMA, Theorem 1 and Fig. 2: along the joint MLP/attention dynamics the
 * attention logits are a function of the MLP weights v_k = U_Cᵀ w_k: z² = Σ_k v_k² + c
 * (linear attention), z = Σ_k v_k²/(2T) + c (exp attention) exactly, and
 * z ≈ Σ_k (v_k² − ‖v_k‖² b̄)/(2T) + c (softmax attention).
 *
 * @module
 */

import {
  estimateLogits,
  invariantDrift,
  normCorr,
  simulate,
  type SimulationResult,
} from "../../../lib/science/joma/attention.ts";
import {
  atLeast,
  between,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  num,
  type Profile,
  type Row,
  verdictOf,
  where,
} from "../../../mod.ts";

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "With orthonormal embeddings and a residual connection, gradient flow on one " +
    "attention layer followed by an MLP layer keeps the attention logits tied to the MLP " +
    "weights v_k = U_Cᵀ w_k: z_m² = Σ_k v_k² + c for linear attention and " +
    "z_m = ½ Σ_k v_k² + c for exp attention exactly; for softmax attention " +
    "z_m ≈ ½ Σ_k (v_k² − ‖v_k‖² b̄_m) + c, so the estimate ẑ_m tracks z_m with normalised " +
    "correlation ≈ 1 throughout training and the Σ_k v_k² part alone becomes aligned with z_m.",
  source: "Tian, Wang, Zhang, Chen, Du, JoMA, ICLR 2024, arXiv 2310.00535: Theorem 1, Fig. 2; " +
    "settings from the authors' joma/draw_figure_2_3.py (facebookresearch/luckmatters)",
  paperValue: "Fig. 2: NC(ẑ_m, z_m) ≈ 1 over 2,000 batches (reference line at 1); the authors' " +
    "code gives NC 0.9966 at t = 1999 and NC(ẑ_m1, z_m) rising −0.04 → 0.99 (Gaussian X); " +
    "random X: NC 0.936 at t = 1999",
  scale: {
    quick: "authors' setting (M_c = 20, K = 20, d = 30, T = 0.5, one-hot U, full-batch SGD " +
      "0.1, 2,000 iterations) for softmax with Gaussian and random X, 3 seeds; exp and linear " +
      "attention over the same time (t = 200) at SGD steps 0.1, 0.05, 0.025, 1 seed",
    full: "as quick with 10 seeds everywhere and the step refined down to 0.0125",
  },
  deviations: [
    "The authors' script is unseeded (torch default RNG); we draw X's noise, W(0) and z(0) " +
    "from our seeded generator and compare seed-wise statistics.",
    "The linear and exp variants have no code in the repository; we add them with the same " +
    "data, model and loss. Linear attention starts from z = 1 + N(0,1)/100 (b = x at init): " +
    "from z ≈ 0.01 the linear model sits at a saddle and nothing moves in 2,000 steps.",
    "Exp attention uses T = 2 instead of 0.5: with unnormalised e^{z/T} at T = 0.5 the " +
    "sharpness grows until full-batch SGD at every step we tried (0.1 … 0.0025) turns " +
    "unstable near t = 75, after which no fixed step tracks the gradient flow the theorem " +
    "is about (measured: max |z − ẑ| ≈ 2 at t = 80 for every step from 0.1 to 0.0025).",
    "Softmax ẑ follows the authors' code: b̄ = x̄ (mean token frequency) and ‖W‖²_F over all " +
    "rows of W (query row and unused rows included) instead of Σ_k ‖v_k‖²; the theorem's " +
    "version (contextual rows only) is reported as nc_theorem.",
  ],
};

// ---------------------------------------------------------------- configuration
/** Settings per profile. */
const CONFIG: Record<Profile, { softmaxSeeds: number; exactSeeds: number; steps: number[] }> = {
  quick: { softmaxSeeds: 3, exactSeeds: 1, steps: [0.1, 0.05, 0.025] },
  full: { softmaxSeeds: 10, exactSeeds: 10, steps: [0.1, 0.05, 0.025, 0.0125] },
};
/** The authors' horizon: 2,000 iterations at lr 0.1 (gradient-flow time 200). */
const HORIZON = 200;
/** Exp attention's temperature (see deviations). */
const EXP_T = 2;

/** One cell: one training run. */
type Params = {
  attention: "softmax" | "exp" | "linear";
  x: "gaussian" | "random";
  lr: number;
  seed: number;
};

function grid({ profile, seed }: { profile: Profile; seed: number }): Params[] {
  const c = CONFIG[profile];
  const cells: Params[] = [];
  for (const x of ["gaussian", "random"] as const) {
    for (let i = 0; i < c.softmaxSeeds; i++) {
      cells.push({ attention: "softmax", x, lr: 0.1, seed: seed + i });
    }
  }
  for (const attention of ["exp", "linear"] as const) {
    for (const lr of c.steps) {
      for (let i = 0; i < c.exactSeeds; i++) {
        cells.push({ attention, x: "gaussian", lr, seed: seed + i });
      }
    }
  }
  return cells;
}

// ---------------------------------------------------------------- one cell
function cell(p: Params, ctx: { progress(done: number, total: number): void }): Row[] {
  const iterations = Math.round(HORIZON / p.lr);
  const res: SimulationResult = simulate({
    attention: p.attention,
    x: p.x,
    seed: p.seed,
    lr: p.lr,
    iterations,
    recordEvery: Math.round(1 / p.lr), // one record per unit of gradient-flow time
    temperature: p.attention === "exp" ? EXP_T : 0.5,
    zInit: p.attention === "linear" ? "one" : "small",
    onProgress: (d, t) => ctx.progress(d, t),
  });
  const base = { attention: p.attention, x: p.x, lr: p.lr, seed: p.seed };
  const rows: Row[] = res.trace.map((pt) => {
    const e = estimateLogits(p.attention, res, pt, "code");
    const th = estimateLogits(p.attention, res, pt, "theorem");
    return {
      ...base,
      row: "trace",
      t: pt.t,
      time: pt.t * p.lr,
      nc_full: normCorr(pt.z, e.zhat),
      nc_1: normCorr(pt.z, e.z1),
      nc_2: p.attention === "softmax" ? normCorr(pt.z, e.z2) : NaN,
      nc_theorem: normCorr(pt.z, th.zhat),
      loss: pt.loss,
      top_mass: pt.topMass,
      drift: NaN,
    };
  });
  rows.push({
    ...base,
    row: "summary",
    t: iterations - 1,
    time: (iterations - 1) * p.lr,
    nc_full: NaN,
    nc_1: NaN,
    nc_2: NaN,
    nc_theorem: NaN,
    loss: res.trace.at(-1)!.loss,
    top_mass: NaN,
    drift: invariantDrift(p.attention, res),
  });
  return rows;
}

// ---------------------------------------------------------------- claim check
/** NC(ẑ, z) with Gaussian X stays at least this high (the threshold; code: 0.9966). */
const NC_MIN = 0.99;
/** The Σv² part's NC at the last iteration (authors' code: 0.99). */
const NC1_FINAL = 0.95;
/** "From ≈ 0": the seed mean of NC_1(0), a correlation of independent random vectors. */
const NC1_START = 0.3;
/** Random X (authors' code: 0.936 at t = 1999). */
const NC_RANDOM_MIN = 0.9;
/** An exact invariant drifts by at most this fraction of its terms' change at the authors' step. */
const DRIFT_MAX = 1e-2;
/** Euler (SGD) is first order: halving the step should halve the drift. */
const HALVING = [0.4, 0.6] as const;

/**
 * The paper's assertion: (1) softmax, Gaussian X: NC(ẑ, z) ≥ 0.99 at every recorded
 * iteration of every seed; (2) the Σ_k v_k² part's NC ends ≥ 0.95 on every seed and (3) starts
 * near 0 (seed mean within ±0.3); (4, 5) exp and linear attention: the exact invariant's drift
 * is ≤ 1 % of its terms' change at step 0.1 and halves (ratio in [0.4, 0.6]) with each
 * halving of the step, i.e. it is integration error; (6, not core) random X: NC(ẑ, z) ≥ 0.9.
 */
export function check(rows: Row[], _profile?: Profile): CheckResult {
  const items: CheckItem[] = [];
  const trace = where(rows, { row: "trace" });
  const soft = (x: string) => where(trace, { attention: "softmax", x });
  const gauss = soft("gaussian");
  const minNc = Math.min(...gauss.map((r) => num(r, "nc_full")));
  items.push(
    atLeast("softmax, Gaussian X: min over iterations and seeds of NC(ẑ_m, z_m)", minNc, NC_MIN),
  );
  const seeds = [...new Set(gauss.map((r) => num(r, "seed")))];
  const lastT = Math.max(...gauss.map((r) => num(r, "t")));
  const nc1End = seeds.map((s) =>
    num(gauss.find((r) => num(r, "seed") === s && num(r, "t") === lastT)!, "nc_1")
  );
  const nc1Start = seeds.map((s) =>
    num(gauss.find((r) => num(r, "seed") === s && num(r, "t") === 0)!, "nc_1")
  );
  items.push(
    atLeast(
      `softmax, Gaussian X: NC(ẑ_m1, z_m) of the Σ_k v_k² part at t = ${lastT} (min over seeds)`,
      Math.min(...nc1End),
      NC1_FINAL,
    ),
  );
  const startMean = nc1Start.reduce((a, b) => a + b, 0) / nc1Start.length;
  items.push(
    between(
      "…which starts near 0 (seed mean of NC(ẑ_m1, z_m) at t = 0)",
      startMean,
      -NC1_START,
      NC1_START,
    ),
  );
  const summaries = where(rows, { row: "summary" });
  const driftText: string[] = [];
  for (const attention of ["exp", "linear"]) {
    const s = where(summaries, { attention });
    const steps = [...new Set(s.map((r) => num(r, "lr")))].sort((a, b) => b - a);
    const driftAt = (lr: number) => {
      const d = s.filter((r) => num(r, "lr") === lr).map((r) => num(r, "drift"));
      return Math.max(...d);
    };
    const d = steps.map(driftAt);
    const ratios = d.slice(1).map((v, i) => v / d[i]);
    const first = d[0] ?? NaN;
    driftText.push(`${attention} drift ${d.map((v) => fmt(v, { digits: 2 })).join(" → ")}`);
    items.push({
      name: `${attention} attention: the exact invariant drifts only by integration error`,
      pass: first <= DRIFT_MAX && ratios.length > 0 &&
        ratios.every((r) => r >= HALVING[0] && r <= HALVING[1]),
      measured: `max relative drift ${d.map((v) => fmt(v, { digits: 3 })).join(", ")} at steps ` +
        `${steps.join(", ")}; halving ratios ${
          ratios.map((r) => fmt(r, { digits: 3 })).join(", ")
        }`,
      expected: `≤ ${fmt(DRIFT_MAX)} at step ${steps[0]}; each ratio in ` +
        `[${HALVING[0]}, ${HALVING[1]}] (first order)`,
    });
  }
  const random = soft("random");
  const minRandom = Math.min(...random.map((r) => num(r, "nc_full")));
  items.push(
    atLeast(
      "softmax, random X: min over iterations and seeds of NC(ẑ_m, z_m)",
      minRandom,
      NC_RANDOM_MIN,
    ),
  );
  const ncEnd = seeds.map((s) =>
    num(gauss.find((r) => num(r, "seed") === s && num(r, "t") === lastT)!, "nc_full")
  );
  return verdictOf(
    items,
    `softmax Gaussian X: NC ≥ ${fmt(minNc)} (at t = ${lastT}: ${
      ncEnd.map((v) => fmt(v)).join(", ")
    }), ` +
      `NC_1 ${nc1Start.map((v) => fmt(v, { digits: 2 })).join("/")} → ${
        nc1End.map((v) => fmt(v, { digits: 3 })).join("/")
      }; random X: NC ≥ ${fmt(minRandom)}; ${driftText.join("; ")}`,
    [0, 1, 2, 3, 4],
  );
}

// ---------------------------------------------------------------- the replication
export default defineReplication<Params>({
  title: "JoMA invariant: attention logits are a function of the MLP weights",
  claim,
  grid,
  cell,
  cost: (p) => 0.2 * (0.1 / p.lr), // ≈ seconds on one core (2,000 steps ≈ 0.2 s)
  check,
  tolerances: {
    keys: ["row", "attention", "x", "lr", "seed", "t"],
    columns: {
      time: { atol: 1e-12, why: "iteration × step, exact up to one rounding" },
    },
    default: {
      atol: 1e-9,
      rtol: 1e-7,
      why: "Float64 throughout; only last-bit differences of Math.exp/log between V8 builds, " +
        "amplified by ≤ 16,000 SGD steps",
    },
  },
  fill: NaN,
  recorded: {
    full: {
      verdict: "PARTIAL",
      why: "Softmax, Gaussian X: NC(ẑ, z) stays ≥ 0.99 on 8 of 10 seeds (min 0.9906–0.9969), " +
        "but seed 5 dips to 0.9751 (t = 1230) and seed 8 to 0.9872 (t = 1160), recovering " +
        "to 0.989–0.997 by t = 1999: the softmax estimate is an approximation (b̄ held " +
        "constant), the authors' single unseeded run gave 0.9966. Every other item holds " +
        "(NC_1 → ≥ 0.98 on all seeds; exact invariants drift 5e-4 → 6.5e-5, ratio 0.500).",
    },
  },
});

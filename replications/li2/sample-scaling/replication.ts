/**
 * li2/sample-scaling — Li² Theorem 4: n ≳ d_k² M log(M/δ) training pairs keep the empirical
 * energy's local maxima (the irreps), so the memorisation/generalisation boundary of modular
 * addition sits at n* ∝ M ln M (the authors' code uses n = 2.7482·M ln M).
 *
 * @module
 */

import {
  between,
  type CellContext,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  groupBy,
  holds,
  num,
  type Profile,
  Rng,
  type Row,
  verdictOf,
  where,
} from "../../../mod.ts";
import { fitLine, fitProportional, mean } from "../../../lib/science/math/stats.ts";
import { cyclicGroup, isotypicProjectors } from "../../../lib/science/math/groups.ts";
import {
  ascend,
  Energy,
  normalise,
  samplePairs,
  spectrum,
} from "../../../lib/science/li2/energy.ts";
import { trainModAdd } from "../../../lib/science/modadd/train.ts";

/** The authors' critical-ratio constant: n_train = 2.7482·M ln M (code, Sept 2025). */
const C_CODE = 2.7482;

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "Drawing n ≳ d_k² M log(M/δ) training pairs uniformly keeps, with probability " +
    "≥ 1 − δ, the local maxima of the empirical energy at the irreps; for modular addition " +
    "(d_k = 1) the memorisation/generalisation boundary therefore sits at n* ∝ M ln M (the " +
    "authors' code places it at n = 2.7482·M ln M).",
  source: "Tian, arXiv 2509.21519: Theorem 4 (talk slide 'How much is sufficient? Provable " +
    "scaling laws') and the boundary figure; constant from the authors' code " +
    "(critical_ratio_multiplier = 2.7482, research notes B1/B4)",
  paperValue: "n ≳ d_k² M log(M/δ); code: n_train = 2.7482·M ln M (train fraction 2.7482 ln M/M)",
  scale: {
    quick: "energy criterion: M ∈ {23, 31, 41, 53, 71, 97, 127}, n/(M ln M) ∈ {3…16}, 10 trials; " +
      "training: M ∈ {13, 17, 19}, n/(M ln M) ∈ {2, 2.75, 3.5, 4.5, 6}, 1 seed, width 128, " +
      "2000 Adam steps, lr 0.01 (reduced: the 2-core CI budget)",
    full: "energy: M up to 197, 14 sizes, 40 trials; training: M ∈ {23, 31, 41, 53, 71}, " +
      "n/(M ln M) ∈ {1.4…5.5} (0.5…2 × 2.7482), 3 seeds, width 512, 10k steps, lr 0.002 " +
      "(research E4's protocol); estimated several hours on 2 CPU cores",
  },
  deviations: [
    "The paper's boundary-figure settings (M grid, sizes, width, steps) could not be read; the " +
    "grids above are ours. Training follows research E4: σ = x², centred MSE, Adam with coupled " +
    "wd 5e-5, full batch, PyTorch-default init, uniform random split (lib/science/modadd/train.ts).",
    "float32 training on tfjs; weights below 1e-15 and Adam moments below 1e-30 are set to exact " +
    "zeros after every update (float32 subnormals otherwise slow tfjs-wasm down ~16× on Intel " +
    "CPUs).",
    "Energy criterion (our operationalisation of 'Ê keeps its local maxima'): start at a random-" +
    "phase Fourier feature of frequency k (a maximum of the full-data E) plus 1e-3 noise, ascend " +
    "Ê on n random pairs (unit-norm rows, ‖w‖ = 1), and count it kept when ≥ 90 % of ‖w‖² stays " +
    "in frequency k. Theorem 4 is a sufficient condition; its constant is not given, so only " +
    "the growth with M is checked strictly.",
    "Quick training is far smaller than the paper's (M ≤ 19, width 128, 2000 steps at lr 0.01), " +
    "so its boundary constant is only indicative; the full profile uses the E4 protocol.",
    "n* is the first crossing of ½ (kept fraction or seed-mean test accuracy), interpolated " +
    "linearly in ln(n/(M ln M)).",
  ],
};

// ---------------------------------------------------------------- configuration
interface Config {
  energy: { moduli: number[]; mults: number[]; trials: number };
  train: {
    moduli: number[];
    mults: number[];
    seeds: number;
    hidden: number;
    steps: number;
    lr: number;
    weightDecay: number;
  };
}

const CONFIG: Record<Profile, Config> = {
  quick: {
    energy: {
      moduli: [23, 31, 41, 53, 71, 97, 127],
      mults: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16],
      trials: 10,
    },
    train: {
      moduli: [13, 17, 19],
      mults: [2, 2.75, 3.5, 4.5, 6],
      seeds: 1,
      hidden: 128,
      steps: 2000,
      lr: 0.01,
      weightDecay: 5e-5,
    },
  },
  full: {
    energy: {
      moduli: [23, 31, 41, 53, 71, 97, 127, 197],
      mults: [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 20, 24],
      trials: 40,
    },
    train: {
      moduli: [23, 31, 41, 53, 71],
      mults: [1.4, 1.65, 1.9, 2.2, 2.5, 2.75, 3.3, 4.1, 5.5],
      seeds: 3,
      hidden: 512,
      steps: 10000,
      lr: 0.002,
      weightDecay: 5e-5,
    },
  },
};

/** A maximum counts as kept when ≥ 90 % of ‖w‖² stays in the starting frequency pair. */
const KEEP = 0.9;
const ASCENT = { tol: 1e-6, maxIter: 5000 };

const mlnm = (M: number) => M * Math.log(M);
const sizeOf = (M: number, mult: number) => Math.min(M * M - 1, Math.round(mult * mlnm(M)));

/**
 * The cells: the energy criterion of one M (its trials over all sizes share one stream,
 * seeded base·10007 + M), and one training run per (M, size, seed index), seeded from base,
 * M, mult and the index. The n* rows are derived from all of them ({@link summarize}).
 */
type Cell =
  | { criterion: "energy"; M: number; seed: number }
  | { criterion: "train"; M: number; mult: number; index: number; seed: number };

function grid(profile: Profile, seed: number): Cell[] {
  const cfg = CONFIG[profile];
  return [
    ...cfg.energy.moduli.map((M): Cell => ({ criterion: "energy", M, seed: seed * 10007 + M })),
    ...cfg.train.moduli.flatMap((M) =>
      cfg.train.mults.flatMap((mult) =>
        Array.from({ length: cfg.train.seeds }, (_, index): Cell => ({
          criterion: "train",
          M,
          mult,
          index,
          seed: seed * 1_000_003 + M * 1009 + Math.round(mult * 100) * 7 + index,
        }))
      )
    ),
  ];
}

// ---------------------------------------------------------------- criteria
/** Criterion A: fraction of Fourier maxima of E that survive as maxima of Ê on n random pairs. */
function energyCriterion(M: number, mult: number, trials: number, rng: Rng) {
  const g = cyclicGroup(M);
  const P = isotypicProjectors(g);
  const n = sizeOf(M, mult);
  let kept = 0, conc = 0;
  for (let t = 0; t < trials; t++) {
    const e = new Energy(samplePairs(g, n, rng));
    const k = 1 + rng.int((M - 1) / 2);
    const pu = 2 * Math.PI * rng.uniform(), pv = 2 * Math.PI * rng.uniform();
    const w = new Float64Array(2 * M);
    for (let m = 0; m < M; m++) {
      w[m] = Math.cos(2 * Math.PI * k * m / M + pu) + 1e-3 * rng.normal();
      w[M + m] = Math.cos(2 * Math.PI * k * m / M + pv) + 1e-3 * rng.normal();
    }
    const res = ascend(e, normalise(w), ASCENT);
    const sp = spectrum(g, res.w, P);
    conc += sp[k] / trials;
    if (sp[k] >= KEEP) kept++;
  }
  return { n, kept: kept / trials, conc };
}

/** First crossing of ½ by y(mult) (sorted by mult), interpolated linearly in ln mult; NaN if none. */
export function crossing(mults: number[], ys: number[]): number {
  for (let i = 0; i + 1 < mults.length; i++) {
    if (ys[i] < 0.5 && ys[i + 1] >= 0.5) {
      const t = (0.5 - ys[i]) / (ys[i + 1] - ys[i]);
      return Math.exp(Math.log(mults[i]) + t * (Math.log(mults[i + 1]) - Math.log(mults[i])));
    }
  }
  return NaN;
}

// ---------------------------------------------------------------- the cells
async function cell(c: Cell, ctx: CellContext): Promise<Row[]> {
  const cfg = CONFIG[ctx.profile];
  const { M } = c;
  if (c.criterion === "energy") {
    // (A) energy criterion (Float64): one row per size
    const ec = cfg.energy;
    const rng = new Rng(c.seed);
    return ec.mults.map((mult, i) => {
      const r = energyCriterion(M, mult, ec.trials, rng);
      ctx.progress(i + 1, ec.mults.length);
      return {
        seed: -1,
        criterion: "energy",
        M,
        mult,
        n: r.n,
        value: r.kept,
        aux: r.conc,
        part: "grid",
      };
    });
  }
  // (B) training criterion (tfjs): one run
  const tc = cfg.train;
  const n = sizeOf(M, c.mult);
  const res = await trainModAdd(await ctx.tf(), {
    d: M,
    hidden: tc.hidden,
    lr: tc.lr,
    steps: tc.steps,
    loss: "mse",
    trainCount: n,
    runs: [{ seed: c.seed, weightDecay: tc.weightDecay }],
    evalSteps: [tc.steps],
    onStep: (t) => ctx.progress(t, tc.steps),
  });
  const ev = res.evals[0];
  return [{
    seed: c.index,
    criterion: "train",
    M,
    mult: c.mult,
    n,
    value: ev.testAcc,
    aux: ev.trainAcc,
    part: "grid",
  }];
}

/**
 * The boundary n* per (criterion, M): the first crossing of ½ of the kept fraction / the
 * seed-mean test accuracy over the grid of sizes (rows `part: "nstar"`).
 */
export function summarize(rows: Row[]): Row[] {
  const out: Row[] = [];
  for (const criterion of ["energy", "train"]) {
    const mine = where(rows, { part: "grid", criterion });
    for (const M of [...new Set(mine.map((r) => num(r, "M")))]) {
      const byMult = groupBy(where(mine, { M }), "mult");
      const mults = [...byMult.keys()].map(Number).sort((a, b) => a - b);
      const ys = mults.map((m) => mean(byMult.get(m)!.map((r) => num(r, "value"))));
      const m = crossing(mults, ys);
      out.push({ seed: -1, criterion, M, mult: m, n: m * mlnm(M), part: "nstar" });
    }
  }
  return out;
}

// ---------------------------------------------------------------- claim check
/** Scaling fits of n*(M): proportional to M ln M, and a free power law n* = a·M^b. */
export function scalingFits(ms: number[], ns: number[]) {
  const prop = fitProportional(ms.map(mlnm), ns);
  const pow = fitLine(ms.map(Math.log), ns.map(Math.log));
  // local exponent of M ln M over the same range, for comparison
  const ref = fitLine(ms.map(Math.log), ms.map((m) => Math.log(mlnm(m))));
  return { c: prop.c, r2: prop.r2, b: pow.slope, r2pow: pow.r2, bRef: ref.slope };
}

/** Fewest moduli with a boundary for a scaling fit. */
const MIN_MODULI = 3;
/** R² of the proportional fit n* = c·M ln M. */
const MIN_R2 = 0.9;
/** |b − b_ref|: the free exponent near M ln M's local exponent. */
const EXPONENT_TOL = 0.3;
/** b ≤ this: clearly below M²'s 2. */
const MAX_EXPONENT = 1.6;
/** c within this factor of the code's constant. */
const CONSTANT_FACTOR = 10;
/** The training boundary n* / (M ln M) within this factor of the code's constant. */
const TRAIN_FACTOR = 2;

/**
 * For each criterion: n* is found for every M; n* = c·M ln M fits with R² ≥ 0.9; the free
 * power-law exponent b is near that of M ln M (|b − b_ref| ≤ 0.3, b_ref ≈ 1 + 1/ln M), and
 * clearly below 2 (b ≤ 1.6); c is of the order of the code's 2.7482 (within a factor 10, i.e.
 * the same order of magnitude). For the training criterion the code's constant should mark the
 * boundary: n* / (M ln M) within [½, 2] × 2.7482 for every M.
 */
export function check(rows: Row[]): CheckResult {
  const items: CheckItem[] = [];
  const summary: string[] = [];
  for (const crit of ["energy", "train"]) {
    const ns = where(rows, { part: "nstar", criterion: crit })
      .sort((a, b) => num(a, "M") - num(b, "M"));
    const found = ns.filter((r) => Number.isFinite(num(r, "n")));
    const label = crit === "energy"
      ? "energy criterion (Theorem 4)"
      : "training criterion (test acc ½)";
    const ratios = ns.map((r) => `M=${num(r, "M")}: ${num(r, "mult").toFixed(2)}`).join(", ");
    items.push(holds(
      `${label}: a boundary n* exists inside the grid for every M`,
      found.length === ns.length && ns.length >= MIN_MODULI,
      `n* / (M ln M): ${ratios}`,
      "one crossing of ½ per M",
    ));
    if (found.length < MIN_MODULI) {
      items.push(holds(
        `${label}: n* ∝ M ln M`,
        false,
        `only ${found.length} M with a boundary`,
        `≥ ${MIN_MODULI}`,
      ));
      continue;
    }
    const f = scalingFits(found.map((r) => num(r, "M")), found.map((r) => num(r, "n")));
    items.push(holds(
      `${label}: n* grows like M ln M, not M²`,
      f.r2 >= MIN_R2 && Math.abs(f.b - f.bRef) <= EXPONENT_TOL && f.b <= MAX_EXPONENT,
      `n* = ${f.c.toFixed(2)}·M ln M (R² ${f.r2.toFixed(3)}); free fit n* ∝ M^${
        f.b.toFixed(2)
      } (R² ${f.r2pow.toFixed(3)}) vs M ln M's local exponent ${f.bRef.toFixed(2)}`,
      `R² ≥ ${MIN_R2}, |b − b_ref| ≤ ${EXPONENT_TOL}, b ≤ ${MAX_EXPONENT}`,
    ));
    items.push(between(
      `${label}: the constant c of n* = c·M ln M is of the order of the code's ${C_CODE} ` +
        `(${(f.c / C_CODE).toFixed(2)} × ${C_CODE})`,
      f.c,
      C_CODE / CONSTANT_FACTOR,
      C_CODE * CONSTANT_FACTOR,
      { digits: 3 },
    ));
    if (crit === "train") {
      const [lo, hi] = [C_CODE / TRAIN_FACTOR, C_CODE * TRAIN_FACTOR];
      items.push(holds(
        "training criterion: the code's n = 2.7482·M ln M marks the boundary",
        found.every((r) => num(r, "mult") >= lo && num(r, "mult") <= hi),
        ratios,
        `n* / (M ln M) in [${lo.toFixed(2)}, ${hi.toFixed(2)}]`,
      ));
    }
    summary.push(
      `${crit}: c = ${f.c.toFixed(2)}, R² ${f.r2.toFixed(2)}, exponent ${f.b.toFixed(2)}`,
    );
  }
  return verdictOf(items, summary.join("; "));
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "Sample scaling law: the generalisation boundary n* grows like M ln M",
  claim,
  grid: ({ profile, seed }) => grid(profile, seed),
  cell,
  summarize,
  // wall seconds measured on a shared 2-core AMD EPYC (quick: 19…39 s per energy modulus;
  // training 132 s for M = 13, 256 s for M = 17, 291 s for M = 19, i.e. ~0.8 s per M² per
  // 10k steps at width 128)
  cost: (c, profile) => {
    const cfg = CONFIG[profile];
    if (c.criterion === "energy") {
      return 30 * (cfg.energy.trials / 10) * (cfg.energy.mults.length / 12);
    }
    const t = cfg.train;
    return 0.8 * c.M * c.M * (t.hidden / 128) * (t.steps / 10000);
  },
  check,
  fill: NaN,
  tolerances: {
    keys: ["part", "criterion", "M", "mult", "seed"],
    columns: {
      value: {
        atol: 0.25,
        why: "kept fraction (energy, 1 trial = 0.1) or test accuracy (tfjs float32; seed " +
          "spread at the boundary ~0.2)",
      },
      aux: { atol: 0.1, why: "mean spectral concentration / train accuracy" },
      n: {
        atol: 1e-9,
        rtol: 0.3,
        why: "n* rows move with the crossing; grid rows are exact integers",
      },
    },
    default: {
      atol: 1e-9,
      rtol: 1e-9,
      why: "energy criterion deterministic Float64; configuration columns exact",
    },
  },
  recorded: {
    quick: {
      verdict: "PARTIAL",
      why: "Training criterion reproduces (quick: n*/(M ln M) ≈ 3.07 for M = 13, 17, 19, i.e. " +
        "1.1 × 2.7482, exponent 1.38 vs M ln M's 1.36). Energy criterion does not follow M ln M " +
        "over M = 23…127: n*/(M ln M) rises 4.5 → 9.7, free power law n* ∝ M^1.69 (M ln M: " +
        "1.25), proportional fit c = 8.9 (R² 0.96).",
    },
  },
});

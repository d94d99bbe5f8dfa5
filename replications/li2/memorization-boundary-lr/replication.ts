/**
 * li2/memorization-boundary-lr — Li² talk/figure: at the memorisation/generalisation boundary
 * (n ≈ 2.7482·M ln M training pairs), the larger learning rate (0.005) ends in memorisation
 * with a higher average node energy E than the smaller one (0.002), which generalises.
 *
 * @module
 */

import {
  type CellContext,
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
import { mean } from "../../../lib/science/math/stats.ts";
import { cyclicGroup } from "../../../lib/science/math/groups.ts";
import { allPairs, Energy, pairsFromIds } from "../../../lib/science/li2/energy.ts";
import { type ModAddWeights, trainModAdd } from "../../../lib/science/modadd/train.ts";

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "At the memorisation/generalisation boundary of modular addition, training with " +
    "the larger learning rate (0.005) ends in memorisation (train accuracy 1, low test accuracy) " +
    "and its hidden nodes have a higher average energy E than with the smaller learning rate " +
    "(0.002), which generalises.",
  source: "Tian, arXiv 2509.21519: boundary figure (talk slide 'Boundary between memorization " +
    "and generalization': 'large learning rate leads to memorization (higher E)')",
  paperValue: "E = 4.40 (lr 0.005, memorisation) vs E = 4.11 (lr 0.002, generalisation)",
  scale: {
    quick: "M = 13, n = 2.7482·M ln M = 92 pairs, width 128, 10k full-batch Adam steps, 3 seeds " +
      "(reduced for the 2-core CI budget)",
    full: "M = 71, n = 2.7482·M ln M = 831 pairs, width 512, 10k steps, 5 seeds (our guess of " +
      "the paper's scale: M/16 = 4.44 for M = 71 is just above the slide's values)",
  },
  deviations: [
    "M, width, weight decay, steps, loss and seeds of the slide are unknown; we use the authors' " +
    "code protocol as reconstructed in research E4 (σ = x², centred MSE, Adam with coupled wd " +
    "5e-5, full batch, PyTorch-default init) at n = 2.7482·M ln M.",
    "float32 training on tfjs; weights below 1e-15 and Adam moments below 1e-30 are set to exact " +
    "zeros after every update (float32 subnormals otherwise slow tfjs-wasm down ~16× on Intel " +
    "CPUs).",
    "The slide's energy convention is unknown. We report, per trained node w_j = " +
    "[W_a[j,:]; W_b[j,:]] scaled to unit norm, the training-set energy Ê(w_j) = ½‖Ỹᵀσ(Xw_j)‖² " +
    "(unit-norm rows, Ỹ centred over the training pairs) divided by p² (p = n/M²), which puts a " +
    "Fourier node near M/16 like the full-data energy; the plain mean over nodes is checked, the " +
    "‖w‖²-weighted mean and the full-data energy are reported.",
    "Nodes whose input weights are all exactly zero (dead under weight decay; with the flush " +
    "that is ~55–65 % of the 128 quick nodes) have no direction and are left out of the " +
    "per-node energies; before the flush they held float32-subnormal noise whose directions " +
    "entered the plain mean (see NOTES.md).",
    "Quick runs at M = 13 with width 128: the slide's absolute values (which depend on M) are " +
    "not comparable there; only the ordering is checked.",
  ],
};

// ---------------------------------------------------------------- configuration
/** The authors' critical-ratio constant: n_train = 2.7482·M ln M. */
const C_CODE = 2.7482;
/** The two learning rates of the slide. */
const LRS = [0.002, 0.005];

interface Config {
  M: number;
  /** Training-set size as a multiple of the code's critical n = 2.7482·M ln M. */
  mult: number;
  seeds: number;
  hidden: number;
  steps: number;
  weightDecay: number;
}

const CONFIG: Record<Profile, Config> = {
  quick: { M: 13, mult: 0.92, seeds: 3, hidden: 128, steps: 10000, weightDecay: 5e-5 },
  full: { M: 71, mult: 1.0, seeds: 5, hidden: 512, steps: 10000, weightDecay: 5e-5 },
};

/**
 * One cell: one training run. The same seeds (splits and initial weights) for both learning
 * rates: run index `run`, seed base·1000 + 17 + run.
 */
interface Cell {
  lr: number;
  run: number;
  seed: number;
  [k: string]: number;
}

// ---------------------------------------------------------------- energies of trained nodes
/**
 * Node j's input weights w_j = [W_a[j,:]; W_b[j,:]] scaled to unit norm, and ‖w_j‖², for every
 * node with a direction: a dead node whose input weights are all exactly zero (weight decay
 * drove them below the trainer's flush level) has none and is left out.
 */
function nodes(w: ModAddWeights): { unit: Float64Array[]; norm2: number[] } {
  const { d, q } = w;
  const unit: Float64Array[] = [], norm2: number[] = [];
  for (let j = 0; j < q; j++) {
    const v = new Float64Array(2 * d);
    for (let m = 0; m < d; m++) {
      v[m] = w.wa[j * d + m];
      v[d + m] = w.wb[j * d + m];
    }
    let s = 0;
    for (const x of v) s += x * x;
    if (s === 0) continue;
    norm2.push(s);
    unit.push(v.map((x) => x / Math.sqrt(s)));
  }
  return { unit, norm2 };
}

/** Plain and ‖w‖²-weighted means of the energies of unit-norm nodes under an Energy. */
function nodeEnergies(e: Energy, ns: { unit: Float64Array[]; norm2: number[] }, scale: number) {
  const es = ns.unit.map((u) => e.evaluate(u) * scale);
  const wsum = ns.norm2.reduce((a, b) => a + b, 0);
  return {
    mean: mean(es),
    wmean: es.reduce((a, x, j) => a + x * ns.norm2[j], 0) / wsum,
    max: Math.max(...es),
  };
}

// ---------------------------------------------------------------- the cell: train one run, then its node energies
async function cell({ lr, run, seed }: Cell, ctx: CellContext): Promise<Row[]> {
  const cfg = CONFIG[ctx.profile];
  const tf = await ctx.tf();
  const M = cfg.M;
  const n = Math.round(cfg.mult * C_CODE * M * Math.log(M));
  const p = n / (M * M);
  const g = cyclicGroup(M);
  const res = await trainModAdd(tf, {
    d: M,
    hidden: cfg.hidden,
    lr,
    steps: cfg.steps,
    loss: "mse",
    trainCount: n,
    runs: [{ seed, weightDecay: cfg.weightDecay }],
    evalSteps: [cfg.steps],
    onStep: (t) => ctx.progress(t, cfg.steps),
  });
  const ev = res.evals[0];
  const ns = nodes(res.final[0]);
  const tr = nodeEnergies(new Energy(pairsFromIds(g, res.splits[0].train)), ns, 1 / (p * p));
  const full = nodeEnergies(new Energy(allPairs(g)), ns, 1);
  return [{
    lr,
    seed: run,
    M,
    n,
    train_acc: ev.trainAcc,
    test_acc: ev.testAcc,
    test_loss: ev.testLoss,
    E_train_mean: tr.mean,
    E_train_wmean: tr.wmean,
    E_train_max: tr.max,
    E_full_mean: full.mean,
    E_full_wmean: full.wmean,
    E_star: M / 16,
  }];
}

// ---------------------------------------------------------------- claim check
/** Mean test accuracy below this: memorisation; at least this: generalisation. */
const GENERALISES = 0.5;

/**
 * Over seeds (same splits and initial weights for both learning rates):
 * (1) lr = 0.005 memorises: train accuracy 1 and mean test accuracy < ½;
 * (2) lr = 0.002 generalises: mean test accuracy ≥ ½ and above that of lr = 0.005;
 * (3) the average node energy (training-set energy of unit-norm nodes divided by p², p the train
 *     fraction; our reading of the slide's E) is higher for lr = 0.005 than for lr = 0.002.
 */
export function check(rows: Row[]): CheckResult {
  const [lo, hi] = LRS.map((lr) => where(rows, { lr }));
  const m = (rs: Row[], c: string) => mean(rs.map((r) => num(r, c)));
  const f = (x: number) => x.toFixed(3);
  const list = (rs: Row[], c: string) => rs.map((r) => f(num(r, c))).join(", ");
  const eLo = m(lo, "E_train_mean"), eHi = m(hi, "E_train_mean");
  const items = [
    holds(
      "lr 0.005 ends in memorisation (train acc 1, test acc low)",
      hi.every((r) => num(r, "train_acc") === 1) && m(hi, "test_acc") < GENERALISES,
      `train acc ${list(hi, "train_acc")}; test acc ${list(hi, "test_acc")} (mean ${
        f(m(hi, "test_acc"))
      })`,
      `train acc 1, mean test acc < ${fmt(GENERALISES)}`,
    ),
    holds(
      "lr 0.002 generalises, better than lr 0.005",
      m(lo, "test_acc") >= GENERALISES && m(lo, "test_acc") > m(hi, "test_acc"),
      `test acc ${list(lo, "test_acc")} (mean ${f(m(lo, "test_acc"))})`,
      `mean test acc ≥ ${fmt(GENERALISES)} and above lr 0.005's`,
    ),
    holds(
      "memorisation (lr 0.005) has the higher average node energy",
      eHi > eLo,
      `mean over nodes of Ê(w/‖w‖)/p²: ${f(eHi)} (lr 0.005) vs ${f(eLo)} (lr 0.002); ` +
        `‖w‖²-weighted ${f(m(hi, "E_train_wmean"))} vs ${f(m(lo, "E_train_wmean"))}; ` +
        `full-data E ${f(m(hi, "E_full_mean"))} vs ${f(m(lo, "E_full_mean"))} ` +
        `(M/16 = ${f(num(rows[0], "E_star"))})`,
      "E(lr 0.005) > E(lr 0.002) (slides: 4.40 vs 4.11)",
    ),
  ];
  return verdictOf(
    items,
    `test acc ${f(m(hi, "test_acc"))} (lr 0.005) vs ${f(m(lo, "test_acc"))} (lr 0.002); E ${
      f(eHi)
    } vs ${f(eLo)}`,
  );
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "At the boundary, the larger learning rate memorises with a higher node energy",
  claim,
  grid: ({ profile, seed }) =>
    LRS.flatMap((lr) =>
      Array.from({ length: CONFIG[profile].seeds }, (_, run): Cell => ({
        lr,
        run,
        seed: seed * 1000 + 17 + run,
      }))
    ),
  cell,
  // wall seconds measured on a shared 2-core AMD EPYC: 1m10s…1m22s per quick run (1m49s…2m25s
  // under a heavier load)
  cost: (_, profile) => {
    const c = CONFIG[profile];
    return 80 * (c.M / 13) ** 2 * (c.hidden / 128) * c.steps / 10000;
  },
  check,
  tolerances: {
    keys: ["lr", "seed"],
    columns: {
      train_acc: { atol: 0.3, why: "tfjs float32 training; seed spread at the boundary" },
      test_acc: {
        atol: 0.3,
        why: "tfjs float32 training; seed spread at the boundary up to ~0.4",
      },
      test_loss: { atol: 0.05, rtol: 0.5, why: "test loss of a memorising run varies strongly" },
    },
    default: {
      atol: 1e-9,
      rtol: 0.15,
      why: "node energies of float32-trained weights: ~10 % between seeds and backends; " +
        "configuration columns exact",
    },
  },
  recorded: {
    quick: {
      verdict: "PARTIAL",
      why: "At the quick scale (M = 13, width 128, 10k steps, n = 84) lr 0.005 memorises " +
        "(train 1, mean test 0.30) but so does lr 0.002 (mean test 0.26), and the mean node " +
        "energy Ê/p² is lower for lr 0.005 (1.12 vs 1.20 over the nodes with non-zero weights; " +
        "‖w‖²-weighted 1.14 vs 1.16). Probes: M = 13 at 1.0×: both generalise (0.80, 0.82); " +
        "M = 23, width 128, 0.95×: both ≈ 0.2. The slide's effect needs the paper's scale (full " +
        "profile, not run here).",
    },
  },
});

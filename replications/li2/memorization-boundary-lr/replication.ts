/**
 * li2/memorization-boundary-lr — Li² talk/figure: at the memorisation/generalisation boundary
 * (n ≈ 2.7482·M ln M training pairs), the larger learning rate (0.005) ends in memorisation
 * (train accuracy 1, low test accuracy) with a higher average energy E over hidden nodes than
 * the smaller one (0.002), which generalises (slides: E = 4.40 vs 4.11).
 *
 * Read top to bottom: configuration, run (tfjs training through lib/modadd.ts, then Float64
 * per-node energies of the final weights), the claim check.
 *
 * @module
 */

import {
  type CheckItem,
  mean,
  num,
  type Profile,
  type Replication,
  type Row,
  verdictOf,
} from "../../../mod.ts";
import { cyclicGroup } from "../../../lib/science/math/groups.ts";
import { allPairs, Energy, pairsFromIds } from "../../../lib/science/li2/energy.ts";
import { type ModAddWeights, trainModAddParallel } from "../../../lib/science/modadd/train.ts";

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

// ---------------------------------------------------------------- energies of trained nodes
/** Node j's input weights w_j = [W_a[j,:]; W_b[j,:]] scaled to unit norm, and ‖w_j‖². */
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

// ---------------------------------------------------------------- run
async function run(ctx: Parameters<Replication["run"]>[0]): Promise<Row[]> {
  const cfg = CONFIG[ctx.profile];
  if (!ctx.tf) throw new Error("li2/memorization-boundary-lr needs tfjs");
  const M = cfg.M;
  const n = Math.round(cfg.mult * C_CODE * M * Math.log(M));
  const p = n / (M * M);
  const g = cyclicGroup(M);
  const eFull = new Energy(allPairs(g));
  const rows: Row[] = [];
  ctx.progress.start("training", LRS.length * cfg.steps);
  for (const lr of LRS) {
    let lastTick = 0;
    const res = await trainModAddParallel(ctx.tf, {
      d: M,
      hidden: cfg.hidden,
      lr,
      steps: cfg.steps,
      loss: "mse",
      trainCount: n,
      // the same seeds (splits and initial weights) for both learning rates
      runs: Array.from(
        { length: cfg.seeds },
        (_, s) => ({ seed: ctx.seed * 1000 + 17 + s, weightDecay: cfg.weightDecay }),
      ),
      evalSteps: [cfg.steps],
      onStep: (t) => {
        if (t % 100 === 0) {
          ctx.progress.tick(t - lastTick); // tick() adds; report the steps since the last call
          lastTick = t;
        }
      },
    });
    res.evals.forEach((ev) => {
      const w = res.final[ev.run];
      const ns = nodes(w);
      const eTrain = new Energy(pairsFromIds(g, res.splits[ev.run].train));
      const tr = nodeEnergies(eTrain, ns, 1 / (p * p));
      const full = nodeEnergies(eFull, ns, 1);
      rows.push({
        lr,
        seed: ev.run,
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
      });
    });
    await Promise.resolve();
  }
  ctx.progress.done();
  return rows;
}

// ---------------------------------------------------------------- claim check
/**
 * Over seeds (same splits and initial weights for both learning rates):
 * (1) lr = 0.005 memorises: train accuracy 1 and mean test accuracy < ½;
 * (2) lr = 0.002 generalises: mean test accuracy ≥ ½ and above that of lr = 0.005;
 * (3) the average node energy (training-set energy of unit-norm nodes divided by p², p the train
 *     fraction; our reading of the slide's E) is higher for lr = 0.005 than for lr = 0.002.
 */
function check(rows: Row[]): ReturnType<typeof verdictOf> {
  const items: CheckItem[] = [];
  const at = (lr: number) => rows.filter((r) => num(r, "lr") === lr);
  const [lo, hi] = [at(0.002), at(0.005)];
  const m = (rs: Row[], c: string) => mean(rs.map((r) => num(r, c)));
  const f = (x: number) => x.toFixed(3);
  items.push({
    name: "lr 0.005 ends in memorisation (train acc 1, test acc low)",
    pass: hi.every((r) => num(r, "train_acc") === 1) && m(hi, "test_acc") < 0.5,
    measured: `train acc ${hi.map((r) => f(num(r, "train_acc"))).join(", ")}; test acc ${
      hi.map((r) => f(num(r, "test_acc"))).join(", ")
    } (mean ${f(m(hi, "test_acc"))})`,
    expected: "train acc 1, mean test acc < 0.5",
  });
  items.push({
    name: "lr 0.002 generalises, better than lr 0.005",
    pass: m(lo, "test_acc") >= 0.5 && m(lo, "test_acc") > m(hi, "test_acc"),
    measured: `test acc ${lo.map((r) => f(num(r, "test_acc"))).join(", ")} (mean ${
      f(m(lo, "test_acc"))
    })`,
    expected: "mean test acc ≥ 0.5 and above lr 0.005's",
  });
  const eLo = m(lo, "E_train_mean"), eHi = m(hi, "E_train_mean");
  items.push({
    name: "memorisation (lr 0.005) has the higher average node energy",
    pass: eHi > eLo,
    measured: `mean over nodes of Ê(w/‖w‖)/p²: ${f(eHi)} (lr 0.005) vs ${f(eLo)} (lr 0.002); ` +
      `‖w‖²-weighted ${f(m(hi, "E_train_wmean"))} vs ${f(m(lo, "E_train_wmean"))}; full-data E ${
        f(m(hi, "E_full_mean"))
      } vs ${f(m(lo, "E_full_mean"))} (M/16 = ${f(num(rows[0], "E_star"))})`,
    expected: "E(lr 0.005) > E(lr 0.002) (slides: 4.40 vs 4.11)",
  });
  return verdictOf(
    items,
    `test acc ${f(m(hi, "test_acc"))} (lr 0.005) vs ${f(m(lo, "test_acc"))} (lr 0.002); E ${
      f(eHi)
    } vs ${f(eLo)}`,
  );
}

// ---------------------------------------------------------------- the replication
const replication: Replication = {
  id: "li2/memorization-boundary-lr",
  title: "At the boundary, the larger learning rate memorises with a higher node energy",
  usesTf: true,
  claim: {
    statement: "At the memorisation/generalisation boundary of modular addition, training with " +
      "the larger learning rate (0.005) ends in memorisation (train accuracy 1, low test accuracy) " +
      "and its hidden nodes have a higher average energy E than with the smaller learning rate " +
      "(0.002), which generalises.",
    source:
      "Tian, arXiv 2509.21519: boundary figure (talk slide 'Boundary between memorization and " +
      "generalization': 'large learning rate leads to memorization (higher E)')",
    paperValue: "E = 4.40 (lr 0.005, memorisation) vs E = 4.11 (lr 0.002, generalisation)",
    scale: {
      quick:
        "M = 13, n = 2.7482·M ln M = 92 pairs, width 128, 10k full-batch Adam steps, 3 seeds " +
        "(reduced for the 2-core CI budget)",
      full:
        "M = 71, n = 2.7482·M ln M = 831 pairs, width 512, 10k steps, 5 seeds (our guess of the " +
        "paper's scale: M/16 = 4.44 for M = 71 is just above the slide's values)",
    },
    deviations: [
      "M, width, weight decay, steps, loss and seeds of the slide are unknown; we use the authors' " +
      "code protocol as reconstructed in research E4 (σ = x², centred MSE, Adam with coupled wd " +
      "5e-5, full batch, PyTorch-default init) at n = 2.7482·M ln M.",
      "The slide's energy convention is unknown. We report, per trained node w_j = [W_a[j,:]; W_b[j,:]] " +
      "scaled to unit norm, the training-set energy Ê(w_j) = ½‖Ỹᵀσ(Xw_j)‖² (unit-norm rows, Ỹ centred " +
      "over the training pairs) divided by p² (p = n/M²), which puts a Fourier node near M/16 " +
      "like the full-data energy; the plain mean over nodes is checked, the ‖w‖²-weighted mean and " +
      "the full-data energy are reported.",
      "Quick runs at M = 13 with width 128: the slide's absolute values (which depend on M) are not " +
      "comparable there; only the ordering is checked.",
    ],
    tolerances:
      "tfjs float32 training on wasm: accuracies differ between seeds by up to ~0.4 at the " +
      "boundary and energies by ~10 %, so the golden allows atol 0.3 on accuracies and rtol 0.15 on " +
      "energies (changes of the protocol move them further).",
    notes:
      `Probes behind the quick setting (width 128, 10k steps, centred MSE, test accuracy per seed):
M = 13 at n = 0.85× critical: lr 0.002 → 0.08, 0.02, 0.03; lr 0.005 → 0.06, 0.01, 0.06. At 1.0×:
0.97, 0.58, 0.79 vs 0.95, 0.68, 0.83. At 1.15× both 1.0. M = 23 at 0.95× (2 seeds): 0.19, 0.22 vs
0.26, 0.14. Research E4 (M = 23, width 512, 10k steps) saw the slide's direction just below the
boundary (0.38 for lr 0.002 vs 0.25 for lr 0.005 at 0.9×), so width/scale matters.
Cross-entropy probes (M = 13, width 128, 10k steps, 4 seeds, mean test accuracy lr 0.002 vs 0.005):
0.92×: 0.06 vs 0.04; 1.0×: 0.10 vs 0.09; 1.3×: 0.59 vs 0.58; 1.5×: 0.81 vs 0.67 — the slide's
direction appears at 1.5× but both runs generalise there, and it is within seed noise at 1.3×.
Energy scale: on the full data a single-frequency node has E = M/16 (li2/energy-maxima). On
a random training subset of fraction p the same node's Ê is about p²·M/16 (each class sum keeps a
fraction p of its terms), hence the 1/p² normalisation. Nodes tuned to the training set (memorisation)
can exceed that, which is the mechanism the slide points to.`,
  },
  run,
  check: (rows) => check(rows),
  chart: new URL("./chart.vl.json", import.meta.url),
  recorded: {
    verdict: "PARTIAL",
    why: "At the quick scale (M = 13, width 128, 10k steps, n = 84) lr 0.005 memorises (train 1, " +
      "mean test 0.30) but so does lr 0.002 (mean test 0.26), and the mean node energy Ê/p² is " +
      "lower for lr 0.005 (0.64 vs 1.29; ‖w‖²-weighted 1.14 vs 1.16). Probes: M = 13 at 1.0×: both " +
      "generalise (0.80, 0.82); M = 23, width 128, 0.95×: both ≈ 0.2. The slide's effect needs the " +
      "paper's scale (full profile, not run here).",
  },
};

export default replication;

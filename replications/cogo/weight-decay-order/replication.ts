/**
 * cogo/weight-decay-order — CoGO (Tian, arXiv 2410.01779) Fig. 4 / the slide "Effect of Weight
 * Decay": histograms of the per-frequency solution order of trained networks for
 * d × wd ∈ {23, 71, 127} × {1e-5, 5e-5, 1e-4, 2e-4, 5e-4}; stronger weight decay shifts the
 * order distribution lower (towards the order-4/6 solutions).
 *
 * Order per frequency = #{j : |A[k,j]| > 0.05}, k = 1..(d−1)/2 (research A7, definition 1),
 * at step 9,900 of 10k-step full-batch Adam runs (q = 512, lr 0.01), seeds pooled.
 *
 * Read top to bottom: configuration, run, claim check, the replication object.
 *
 * @module
 */

import { trainModAddParallel } from "../../../lib/science/modadd/train.ts";
import { fourierWeights, histogramOrders } from "../../../lib/science/modadd/analysis.ts";
import {
  type CheckItem,
  num,
  type Profile,
  type Replication,
  type Row,
  verdictOf,
} from "../../../mod.ts";

// ---------------------------------------------------------------- configuration
/** Fig. 4 setting (research A5/A7): q = 512, lr 0.01, orders at the 9,900-step checkpoint. */
const NET = { hidden: 512, lr: 0.01, analysisStep: 9900 };
interface Grid {
  ds: number[];
  wds: number[];
  seeds: number;
}
const GRID: Record<Profile, Grid> = {
  // 2 runs = one per worker: a third weight decay would cost a second round of training
  // (+60–80 s on 2 cores) and take the family past its 4-minute quick budget.
  quick: { ds: [23], wds: [1e-5, 5e-4], seeds: 1 },
  full: { ds: [23, 71, 127], wds: [1e-5, 5e-5, 1e-4, 2e-4, 5e-4], seeds: 5 },
};
/** z-multiplier on the standard error for "significant" in the trend check. */
const Z = 2;

// ---------------------------------------------------------------- run
async function run(ctx: Parameters<Replication["run"]>[0]): Promise<Row[]> {
  if (!ctx.tf) throw new Error("cogo/weight-decay-order needs tfjs");
  const g = GRID[ctx.profile];
  const rows: Row[] = [];
  for (const d of g.ds) {
    const runs = g.wds.flatMap((weightDecay) =>
      Array.from({ length: g.seeds }, (_, i) => ({ seed: ctx.seed + 1 + i, weightDecay }))
    );
    ctx.progress.start(`train d=${d} (${runs.length} runs)`, NET.analysisStep);
    let done = 0;
    const res = await trainModAddParallel(ctx.tf, {
      d,
      hidden: NET.hidden,
      lr: NET.lr,
      steps: NET.analysisStep,
      runs,
      evalSteps: [NET.analysisStep],
      onStep: (step) => {
        ctx.progress.tick(step - done);
        done = step;
      },
    });
    ctx.progress.done();
    ctx.log(`d=${d}: ${runs.length} runs trained in ${res.trainSeconds.toFixed(0)} s`);
    res.final.forEach((w, r) => {
      const { seed, weightDecay: wd } = runs[r];
      const ev = res.evals.find((e) => e.run === r)!;
      // one row per (run, frequency); the run's final metrics repeat on its rows
      histogramOrders(fourierWeights(w)).forEach((order, i) =>
        rows.push({
          d,
          wd,
          seed,
          k: i + 1,
          order,
          test_acc: ev.testAcc,
          train_loss: ev.trainLoss,
        })
      );
    });
  }
  return rows;
}

// ---------------------------------------------------------------- claim check
/** Mean order and its standard error over the pooled (seed, frequency) orders of one cell. */
function cell(rows: Row[], d: number, wd: number) {
  const xs = rows
    .filter((r) => num(r, "d") === d && num(r, "wd") === wd)
    .map((r) => num(r, "order"));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1);
  const share46 = xs.filter((x) => x === 4 || x === 6).length / xs.length;
  return { mean, se: Math.sqrt(v / xs.length), n: xs.length, share46 };
}

function check(rows: Row[], profile: Profile): ReturnType<typeof verdictOf> {
  const g = GRID[profile];
  const items: CheckItem[] = [];
  const summary: string[] = [];
  for (const d of g.ds) {
    const cells = g.wds.map((wd) => ({ wd, ...cell(rows, d, wd) }));
    summary.push(
      `d=${d}: ` +
        cells.map((c) => `wd ${c.wd}: ${c.mean.toFixed(2)}±${c.se.toFixed(2)}`).join(", "),
    );
    const lo = cells[0], hi = cells[cells.length - 1];
    const gap = lo.mean - hi.mean;
    const seGap = Math.hypot(lo.se, hi.se);
    items.push({
      name: `d=${d}: the strongest weight decay has a lower mean order than the weakest`,
      pass: gap > Z * seGap,
      measured:
        `mean order ${lo.mean.toFixed(2)} (wd ${lo.wd}) − ${hi.mean.toFixed(2)} (wd ${hi.wd}) = ` +
        `${gap.toFixed(2)}, SE ${seGap.toFixed(2)}`,
      expected: `difference > ${Z}·SE (pooled over seeds and frequencies)`,
    });
    const ups = cells.slice(1).map((c, i) => ({
      from: cells[i],
      to: c,
      rise: c.mean - cells[i].mean,
      se: Math.hypot(c.se, cells[i].se),
    }));
    const bad = ups.filter((u) => u.rise > Z * u.se);
    items.push({
      name: `d=${d}: mean order is monotone non-increasing in wd (within ${Z}·SE)`,
      pass: bad.length === 0,
      measured: ups.map((u) =>
        `${u.from.wd}→${u.to.wd}: ${u.rise >= 0 ? "+" : ""}${u.rise.toFixed(2)} ` +
        `(SE ${u.se.toFixed(2)})`
      ).join("; "),
      expected: `no adjacent increase larger than ${Z}·SE`,
    });
  }
  return verdictOf(items, summary.join(" | "), items.map((_, i) => i).filter((i) => i % 2 === 0));
}

// ---------------------------------------------------------------- the replication
const replication: Replication = {
  id: "cogo/weight-decay-order",
  title: "Stronger weight decay gives lower-order per-frequency solutions (Fig. 4)",
  usesTf: true,
  claim: {
    statement: "In 2-layer quadratic networks trained on a + b mod d, the number of hidden " +
      "nodes carrying each frequency (the solution order) shifts lower as the weight decay " +
      "grows: weak wd leaves higher-order (more nodes) per-frequency solutions, strong wd " +
      "concentrates them on the minimal order-4/6 solutions.",
    source: "Tian, arXiv 2410.01779, Fig. 4 (slide 'Effect of Weight Decay'; authors' " +
      "sol_distri.py: 3×5 grid, d × wd, 5 seeds pooled, checkpoint 9,900)",
    paperValue: "qualitative: histograms of order per frequency shift towards 4 and 6 with " +
      "stronger weight decay (red guides at 4 and 6)",
    scale: {
      quick:
        "d = 23, wd ∈ {1e-5, 5e-4} (the extremes), 1 seed each (paper: 5 wd values × 3 d × 5 " +
        "seeds); otherwise the paper's setting (q = 512, lr 0.01, 9,900 full-batch steps)",
      full: "the paper's 3 × 5 grid with 5 seeds each (75 runs; d = 127 dominates the cost)",
    },
    deviations: [
      "Our own RNG for split and init (seeds are statistically, not bitwise, the authors').",
      "float32 training on tfjs (hand-written gradients; Adam with coupled L2 as " +
      "torch.optim.Adam); Fourier analysis in Float64.",
      "The paper shows the histograms; we test the trend on the mean order per (d, wd) cell, " +
      "with standard errors over the pooled (seed, frequency) orders.",
      "Training stops at the analysed step 9,900.",
      "quick: 1 seed, the two extreme weight decays only, d = 23 only: with 2 cores every " +
      "further pair of runs costs another ~60–80 s and the CoGO family must stay under 4 " +
      "minutes; the intermediate values (5e-5: 5.18, 1e-4: 5.09 for this seed) are in the notes.",
    ],
    notes: "**Quick result (d = 23, seed 1, step 9,900):** order histograms wd 1e-5 {4:1, 5:1, " +
      "6:8, 7:1}, 5e-5 {4:4, 5:1, 6:6}, 1e-4 {4:5, 6:6}, 5e-4 {4:5, 6:6}; mean order 5.82, " +
      "5.18, 5.09, 5.09. The shift is in the claimed direction and monotone, concentrated " +
      "between 1e-5 and 5e-5 (orders ≥ 7 and odd orders disappear, order 4 appears); above " +
      "1e-4 the histogram no longer changes for this seed. The check asks for the end-to-end " +
      "drop to exceed 2 standard errors of the pooled per-frequency orders; per-frequency " +
      "orders are bimodal (4 or 6), so one seed gives SE ≈ 0.3 per cell and the 0.73 drop is " +
      "1.9 SE: the quick profile is underpowered, not contradicting. An independent numpy " +
      "probe (research notes E1, 3–5 seeds) found 6.03 / 5.07 / 4.85 for wd 1e-5 / 5e-5 / " +
      "5e-4. The full profile (5 seeds, SE ≈ 0.14 per cell) is expected to decide it; it was " +
      "not run here (estimated ~17 h on this 2-core machine).",
    tolerances: "Orders are integers; one frequency of 11 changing order moves the cell mean " +
      "by ~0.1–0.5, and seeds differ by that much (research E1): golden tolerance atol 1 on " +
      "each order (a frequency may gain or lose a node between float32 backends), atol 2e-3 " +
      "on the final train loss, 0.02 (one of 53 test pairs) on test accuracy. wasm is " +
      "bit-identical run to run.",
  },
  recorded: {
    verdict: "NOT REPRODUCED",
    why: "quick (d = 23, 1 seed per wd): the mean order falls monotonically with wd, 5.82 → " +
      "5.18 → 5.09 → 5.09 for wd 1e-5 → 5e-5 → 1e-4 → 5e-4, in the claimed direction, but the " +
      "end-to-end drop 0.73 is 1.9 standard errors, short of the 2-SE criterion: one seed " +
      "(11 frequencies, each 4 or 6) cannot resolve it. Not a refutation; see notes.",
  },
  run,
  check,
  chart: new URL("./chart.vl.json", import.meta.url),
};

export default replication;

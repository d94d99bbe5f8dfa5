/**
 * cogo/training-curves — CoGO (Tian, arXiv 2410.01779) Fig. 3: training the 2-layer quadratic
 * network on a + b mod 23, train/test loss and accuracy over the first 200 steps, and the
 * dynamics of the r-quantities: Σ_k Re r_kkk → d − 1, the off-diagonal sum → 0, and
 * |r_{a,k,−k,k}| grows on the order-4 frequencies while it vanishes on the order-6 ones.
 *
 * One run (research notes A9: d = 23, q = 512, Adam lr 0.01, coupled wd 1e-4, full batch,
 * 90/10 split), trained with lib/modadd.ts, analysed in Float64 with lib/modadd_analysis.ts.
 *
 * Read top to bottom: configuration, run, claim check, the replication object.
 *
 * @module
 */

import { trainModAdd } from "../../../lib/science/modadd/train.ts";
import {
  fourierWeights,
  histogramOrders,
  rDynamics,
} from "../../../lib/science/modadd/analysis.ts";
import {
  type CheckItem,
  num,
  type Profile,
  type Replication,
  type Row,
  verdictOf,
} from "../../../mod.ts";

// ---------------------------------------------------------------- configuration
/** Fig. 3 run settings (research A5/A9, from the authors' log). */
const NET = { d: 23, hidden: 512, lr: 0.01, weightDecay: 1e-4 };
/** Training length and the step whose weights define the per-frequency order. */
const STEPS: Record<Profile, { steps: number; orderStep: number }> = {
  quick: { steps: 3000, orderStep: 3000 },
  full: { steps: 10000, orderStep: 9900 },
};
/** Loss/accuracy are logged every step up to here (Fig. 3 shows the first 200). */
const CURVE_STEPS = 200;
/** Thresholds of the claim check (written from the paper's figure, see `check`). */
const TARGET = {
  rRelTol: 0.05, // Σ Re r_kkk within 5 % of d − 1, |off-diag| within 5 % of d − 1
  order4Min: 0.5, // |r_{a,k,−k,k}| on order-4 frequencies grew to at least this
  order6Max: 0.2, // ... and stays below this on order-6 frequencies
};

/** Steps with an r-analysis: every step below 200, then every 100 up to orderStep. */
function checkpointSteps(p: Profile): number[] {
  const out = Array.from({ length: CURVE_STEPS }, (_, t) => t);
  for (let t = CURVE_STEPS; t <= STEPS[p].orderStep; t += 100) out.push(t);
  return out;
}

// ---------------------------------------------------------------- run
async function run(ctx: Parameters<Replication["run"]>[0]): Promise<Row[]> {
  if (!ctx.tf) throw new Error("cogo/training-curves needs tfjs");
  const { steps, orderStep } = STEPS[ctx.profile];
  const seed = ctx.seed + 5; // the authors' Fig. 3 run used seed 5 (of their RNG)
  const ckpts = checkpointSteps(ctx.profile);
  const evalSteps = [...new Set([...ckpts, steps])].sort((a, b) => a - b);
  const analyses: { step: number; r: ReturnType<typeof rDynamics> }[] = [];
  let orders: number[] = [];
  ctx.progress.start("train d=23 (1 run)", steps);
  const res = await trainModAdd(ctx.tf, {
    d: NET.d,
    hidden: NET.hidden,
    lr: NET.lr,
    steps,
    runs: [{ seed, weightDecay: NET.weightDecay }],
    evalSteps,
    checkpointSteps: ckpts,
    onCheckpoint: (step, [w]) => {
      const f = fourierWeights(w);
      analyses.push({ step, r: rDynamics(w, f) });
      if (step === orderStep) orders = histogramOrders(f);
    },
    onStep: () => ctx.progress.tick(),
  });
  ctx.progress.done();
  ctx.log(`trained ${steps} steps in ${res.trainSeconds.toFixed(1)} s (training loop only)`);
  const rows: Row[] = [];
  const base = { k: -1, order: -1 };
  for (const e of res.evals) {
    rows.push({ series: "train_loss", step: e.step, ...base, value: e.trainLoss });
    rows.push({ series: "test_loss", step: e.step, ...base, value: e.testLoss });
    rows.push({ series: "train_acc", step: e.step, ...base, value: e.trainAcc });
    rows.push({ series: "test_acc", step: e.step, ...base, value: e.testAcc });
  }
  for (const { step, r } of analyses) {
    rows.push({ series: "r_diag", step, ...base, value: r.diag });
    rows.push({ series: "r_offdiag", step, ...base, value: r.offDiag });
    r.rAkk.forEach((v, i) =>
      rows.push({ series: "r_a_k_-k_k", step, k: i + 1, order: orders[i], value: v })
    );
    r.rAk1.forEach((v, i) =>
      rows.push({ series: "r_a_k_-k-1_k", step, k: i + 1, order: orders[i], value: v })
    );
  }
  orders.forEach((o, i) =>
    rows.push({ series: "order", step: orderStep, k: i + 1, order: o, value: o })
  );
  return rows;
}

// ---------------------------------------------------------------- claim check
function check(rows: Row[], profile: Profile): ReturnType<typeof verdictOf> {
  const { steps, orderStep } = STEPS[profile];
  const d = NET.d;
  const series = (s: string) => rows.filter((r) => r.series === s);
  const at = (s: string, step: number) => series(s).filter((r) => num(r, "step") === step);
  const value = (s: string, step: number) => num(at(s, step)[0], "value");
  const items: CheckItem[] = [];

  // (1) test accuracy reaches 1
  const testAcc = series("test_acc");
  const first = testAcc.find((r) => num(r, "value") === 1);
  const finalAcc = value("test_acc", steps);
  items.push({
    name: "test accuracy reaches 1 (and stays there at the end of training)",
    pass: first !== undefined && finalAcc === 1,
    measured: `first step with test acc 1: ${first ? num(first, "step") : "never"}; ` +
      `final (step ${steps}) ${finalAcc.toFixed(3)}; train loss ${
        value("train_loss", 0).toFixed(3)
      }` +
      ` → ${value("train_loss", CURVE_STEPS - 1).toExponential(2)} at step ${CURVE_STEPS - 1}`,
    expected: "test acc = 1 (Fig. 3: reached within the plotted 200 epochs)",
  });

  // (2) r targets approached
  const diag0 = value("r_diag", 0), diagT = value("r_diag", orderStep);
  const off0 = value("r_offdiag", 0), offT = value("r_offdiag", orderStep);
  const tol = TARGET.rRelTol * (d - 1);
  items.push({
    name: `Σ_k Re r_kkk → d − 1 = ${d - 1} and Σ off-diagonal Re r → 0`,
    pass: Math.abs(diagT - (d - 1)) <= tol && Math.abs(offT) <= tol,
    measured: `diag ${diag0.toFixed(3)} → ${diagT.toFixed(3)}, off-diag ${off0.toFixed(3)} → ` +
      `${offT.toFixed(3)} (step 0 → ${orderStep})`,
    expected: `|diag − ${d - 1}| ≤ ${tol.toFixed(2)} and |off-diag| ≤ ${tol.toFixed(2)} ` +
      `(${TARGET.rRelTol * 100} % of d − 1)`,
  });

  // (3) r_{a,k,−k,k}: grows on order-4 frequencies, vanishes on order-6 ones
  const rak = (step: number) => at("r_a_k_-k_k", step);
  const final = rak(orderStep);
  const o4 = final.filter((r) => num(r, "order") === 4);
  const o6 = final.filter((r) => num(r, "order") === 6);
  const init = new Map(rak(0).map((r) => [num(r, "k"), num(r, "value")]));
  const min4 = o4.length ? Math.min(...o4.map((r) => num(r, "value"))) : NaN;
  const max6 = o6.length ? Math.max(...o6.map((r) => num(r, "value"))) : NaN;
  const grew = o4.every((r) => num(r, "value") > init.get(num(r, "k"))!);
  items.push({
    name: "|r_{a,k,−k,k}| grows on the order-4 frequencies",
    pass: o4.length > 0 && min4 >= TARGET.order4Min && grew,
    measured: `${o4.length} order-4 frequencies; min |r| at step ${orderStep} ` +
      `${min4.toFixed(3)}; all above their step-0 value: ${grew}`,
    expected:
      `at least one order-4 frequency, each with |r| ≥ ${TARGET.order4Min} and above its initial value`,
  });
  items.push({
    name: "|r_{a,k,−k,k}| vanishes on the order-6 frequencies",
    pass: o6.length > 0 && max6 <= TARGET.order6Max,
    measured: `${o6.length} order-6 frequencies; max |r| at step ${orderStep} ${max6.toFixed(3)}`,
    expected: `at least one order-6 frequency, each with |r| ≤ ${TARGET.order6Max}`,
  });
  const orders = series("order").map((r) => num(r, "value"));
  const hist = new Map<number, number>();
  for (const o of orders) hist.set(o, (hist.get(o) ?? 0) + 1);
  const histText = [...hist].sort((a, b) => a[0] - b[0]).map(([o, n]) => `${o}:${n}`).join(" ");
  return verdictOf(
    items,
    `test acc 1 from step ${first ? num(first, "step") : "never"}; Σ Re r_kkk ${
      diagT.toFixed(2)
    } ` +
      `(target ${d - 1}), off-diag ${offT.toFixed(3)}; orders {${histText}}; ` +
      `|r_a,k,−k,k| order-4 ≥ ${min4.toFixed(2)}, order-6 ≤ ${max6.toFixed(3)}`,
    [0, 1],
  );
}

// ---------------------------------------------------------------- the replication
const replication: Replication = {
  id: "cogo/training-curves",
  title: "Training dynamics of modular addition (d = 23): loss, accuracy and r → targets",
  usesTf: true,
  claim: {
    statement: "Full-batch Adam on the 2-layer quadratic network for a + b mod 23 fits the " +
      "training set and generalises (test accuracy 1) within the first few hundred steps, " +
      "and the Fourier-space quantities move to the global-optimum conditions: " +
      "Σ_k Re r_kkk → d − 1, the off-diagonal r_{k1k2k} → 0; the term r_{a,k,−k,k} (the a-part " +
      "of the R_n condition) grows on frequencies that end with an order-4 solution and " +
      "vanishes on those that end with order 6 (order-4 blocks z_{ν=i}*z_ξ leave an R_n " +
      "residual that other nodes cancel).",
    source: "Tian, Composing Global Optimizers to Reasoning Tasks via Algebraic Objects in " +
      "Neural Nets, arXiv 2410.01779, Fig. 3 (and the 'Gradient Dynamics' slide)",
    paperValue:
      "qualitative curves: test accuracy → 1, Σ Re r_kkk → d − 1 = 22, off-diagonal → 0, " +
      "|r_{a,k,−k,k}| up on order-4 / to 0 on order-6 frequencies",
    scale: {
      quick: "paper setting (d = 23, q = 512, lr 0.01, wd 1e-4, full batch) but 3,000 steps " +
        "instead of 10,000; the order per frequency is read at step 3,000 instead of 9,900",
      full: "paper setting, 10,000 steps, orders read at step 9,900 as in the authors' script",
    },
    deviations: [
      "Our own RNG (seeded uniform permutation for the 90/10 split, U(±1/√fan_in) init) " +
      "instead of PyTorch/sklearn: the run is statistically, not bitwise, the authors' seed 5.",
      "float32 training on tfjs with hand-written gradients and Adam (coupled L2 as " +
      "torch.optim.Adam); analysis in Float64.",
      "Order per frequency: #{j : |A[k,j]| > 0.05} (the authors' Fig. 3/4 definition).",
      "The off-diagonal sum over all d³ triples is computed in closed form " +
      "(2d Σ_j W_a[j,0] W_b[j,0] V[0,j] minus the diagonal), identical to the triple sum.",
      "quick: 3,000 steps (CI budget); the order-4/6 split at 3,000 steps is the one the " +
      "r-curves are grouped by.",
    ],
    notes: "**Full profile (10k steps, seed 5 of our RNG, wasm): REPRODUCED.** Test accuracy 1 " +
      "from step 67; Σ Re r_kkk 0.018 → 21.91 (target 22), off-diagonal 0.023 → 0.016; orders " +
      "at 9,900: six frequencies of order 4, five of order 6; |r_{a,k,−k,k}| at 9,900: " +
      "0.683–0.688 on every order-4 frequency, 0.003–0.022 on every order-6 one (decaying " +
      "steadily from ≤ 0.36 around step 1,000).\n\n" +
      "**Cost of the quick profile (3,000 steps):** the same run, stopped at 3,000 steps, still " +
      "has one frequency (k = 3) in transit from order 6 to order 4 (it becomes order 4 " +
      "between steps 7,000 and 8,000), and the decaying order-6 values are still 0.07–0.25; " +
      "the check's ≤ 0.2 then fails on k = 3 (0.30), so quick returns PARTIAL. Reaching the " +
      "final classification needs ~8,000 steps, which the family's CI budget does not allow.\n\n" +
      "Side observation (not a check): the order-4 plateau 0.685 is within 3 % of the value of " +
      "the constructed block 4^{-1/3} z_{ν=i}*z_ξ, |Σ_j |a_j|² c_j| = |2 + 2i| / 4 = 0.707 " +
      "(research notes A11); weight decay shrinks the weights slightly.",
    tolerances: "float32 training: wasm is bit-identical run to run; tolerances are sized to " +
      "absorb cross-backend float32 drift over thousands of Adam steps, which moves the " +
      "trajectory but not the targets: losses/accuracies atol 0.02, r-quantities atol 0.1 " +
      "(targets are 22 and 0; a different seed changes |r_a,k,−k,k| by O(1)), orders exact " +
      "for the golden's backend.",
  },
  recorded: {
    verdict: "PARTIAL",
    why: "quick (3,000 steps) stops while one frequency is still moving from order 6 to order 4 " +
      "(|r_a,k,−k,k| = 0.30 there, > 0.2); everything else reproduces. The full profile " +
      "(10k steps, orders at 9,900) is REPRODUCED: order-6 frequencies ≤ 0.022, order-4 ≥ 0.683.",
  },
  run,
  check,
  chart: new URL("./chart.vl.json", import.meta.url),
};

export default replication;

/**
 * cogo/solution-structure — CoGO Table 2: trained modular-addition networks put 4 or 6 nodes on
 * every frequency, and those solutions factorise into the constructed order-4/6 forms.
 *
 * @module
 */

import { trainModAdd } from "../../../lib/science/modadd/train.ts";
import {
  fourierWeights,
  type SolutionRow,
  solutionRow,
  solutionStats,
} from "../../../lib/science/modadd/analysis.ts";
import {
  atLeast,
  atMost,
  type CellContext,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  holds,
  num,
  ordered,
  type Profile,
  type Row,
  verdictOf,
  where,
  within,
} from "../../../mod.ts";
import { mean } from "../../../lib/science/math/stats.ts";

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "Networks trained by gradient descent on a + b mod d (2-layer, quadratic " +
    "activation, q = 512, wd 5e-5) end with every frequency carried by 4 or 6 hidden nodes; " +
    "≥ 95 % of these per-frequency solutions factorise into the semi-ring products the " +
    "paper constructs (order-4 = 2*2, order-6 = 2*3) with very small error, and ≥ 98 % of " +
    "the factorable ones are z_{ν=i}*z_ξ, z_{ν=i}*z_{syn,αβ} or z_ν*z_syn.",
  source: "Tian, arXiv 2410.01779, Table 2 (slides 'Gradient Descent solutions matches with " +
    "construction' / 'More Statistics on Gradient Descent Solutions')",
  paperValue: "d=23: not4/6 0.0, non-fact. 0.00 / 5.71 %, err 0.05 / 4.80 ×1e-2, " +
    "distribution 47.07 / 11.31 / 39.80 / 1.82 %; d=71: 0.0, 0.00 / 0.00, 0.03 / 5.02, " +
    "72.57 / 4.00 / 21.14 / 2.29; d=127: 0.0, 1.50 / 0.00, 0.26 / 0.93, 82.96 / 2.25 / 14.13 / 0.66",
  scale: {
    quick: "d = 23 only, 2 seeds (paper: 5), otherwise the paper's setting: q = 512, " +
      "Adam lr 0.01, coupled wd 5e-5, full batch, 9,900 steps (the analysed checkpoint). " +
      "Fewer steps are not an option: at 3,000 / 5,000 steps 52 % / 39 % of the d = 23 " +
      "solutions are still 'others' (5 seeds, measured), vs ~7 % at 9,900.",
    full: "the whole table: d ∈ {23, 71, 127} × 5 seeds at lr 0.01, plus a robustness row " +
      "at the README's lr 0.002 (d = 23, 5 seeds)",
  },
  deviations: [
    "Our own RNG (seeded uniform permutation for the 90/10 split, U(±1/√fan_in) init): " +
    "seeds are statistically, not bitwise, the authors'.",
    "float32 training on tfjs (hand-written gradients; Adam with coupled L2 as " +
    "torch.optim.Adam); Fourier analysis and factorisation in Float64.",
    "Weights below 1e-15 and Adam moments below 1e-30 are set to exact zeros after every " +
    "update (float32 subnormals otherwise slow tfjs-wasm down ~16× on Intel CPUs).",
    "Learning rate 0.01 (the authors' sweep log) as the primary setting; the README's 0.002 " +
    "is a robustness row in the full profile (research notes A0 / Part D).",
    "Training stops at step 9,900 (the analysed checkpoint) instead of running to 10,000.",
    "A seed with no order-4 (or order-6) frequency has no non-factorable/err value for that " +
    "order; the seed mean skips it (the authors' original code divides by zero there).",
    "quick: 2 seeds, d = 23 only (CI budget).",
  ],
};

// ---------------------------------------------------------------- configuration
/** The table's training setting (research A5: q = 512, wd 5e-5, 10k steps, checkpoint 9900). */
const NET = { hidden: 512, weightDecay: 5e-5, analysisStep: 9900 };
/** One table row: modulus, learning rate, number of seeds; `primary` rows carry the claim. */
interface Setting {
  d: number;
  lr: number;
  seeds: number;
  primary: boolean;
}
const SETTINGS: Record<Profile, Setting[]> = {
  quick: [{ d: 23, lr: 0.01, seeds: 2, primary: true }],
  full: [
    { d: 23, lr: 0.01, seeds: 5, primary: true },
    { d: 71, lr: 0.01, seeds: 5, primary: true },
    { d: 127, lr: 0.01, seeds: 5, primary: true },
    { d: 23, lr: 0.002, seeds: 5, primary: false }, // README's lr: robustness row
  ],
};
/** The table columns, in the slide's order. */
const COLUMNS: (keyof SolutionRow)[] = [
  "not46",
  "nonfact4",
  "nonfact6",
  "err4",
  "err6",
  "nui_xi",
  "nui_synab",
  "nu_syn",
  "others",
];
/** The distribution columns compared with the slide. */
const DISTRIBUTION = ["nui_xi", "nui_synab", "nu_syn", "others"];
/** The slide's values (research A8 / Part C): d → column → mean. */
const PAPER: Record<number, Record<string, number>> = {
  23: {
    not46: 0,
    nonfact4: 0,
    nonfact6: 5.71,
    err4: 0.05,
    err6: 4.8,
    nui_xi: 47.07,
    nui_synab: 11.31,
    nu_syn: 39.8,
    others: 1.82,
  },
  71: {
    not46: 0,
    nonfact4: 0,
    nonfact6: 0,
    err4: 0.03,
    err6: 5.02,
    nui_xi: 72.57,
    nui_synab: 4.0,
    nu_syn: 21.14,
    others: 2.29,
  },
  127: {
    not46: 0,
    nonfact4: 1.5,
    nonfact6: 0,
    err4: 0.26,
    err6: 0.93,
    nui_xi: 82.96,
    nui_synab: 2.25,
    nu_syn: 14.13,
    others: 0.66,
  },
};
/** Claim thresholds, from the slide's headlines (see `check`). */
const CLAIM = {
  maxNot46: 0.5, // "100 % of the per-frequency solutions are order-4/6" (mean count per seed)
  minFactorable: 95, // "95 % of the solutions are factorizable"
  maxErr4: 1, // "factorization error is very small" (×1e-2; the factorable cut is 34.6)
  maxErr6: 10, // (×1e-2; the factorable cut is 42.4)
  maxOthers: 2, // "98 % ... into the constructed forms"
  distributionPp: 10, // each distribution column within ±10 pp of the slide (research A8)
};

/**
 * Seconds of one core for one 9,900-step run at d = 23 (measured); a step is dominated by
 * the output layer's matmuls (d²·q·d), hence the d³ in `cost`.
 */
const RUN_SECONDS_D23 = 90;

/** One cell: one training run (one seed of one setting). */
interface Cell {
  d: number;
  lr: number;
  seed: number;
  [k: string]: number;
}

// ---------------------------------------------------------------- the cell: train one run, read its table row
async function cell({ d, lr, seed }: Cell, ctx: CellContext): Promise<Row[]> {
  const tf = await ctx.tf();
  const res = await trainModAdd(tf, {
    d,
    hidden: NET.hidden,
    lr,
    steps: NET.analysisStep,
    runs: [{ seed, weightDecay: NET.weightDecay }],
    evalSteps: [NET.analysisStep],
    onStep: (step) => ctx.progress(step, NET.analysisStep),
  });
  ctx.log(`d=${d} lr=${lr} seed ${seed}: trained in ${res.trainSeconds.toFixed(0)} s`);
  const st = solutionStats(fourierWeights(res.final[0]));
  const table = solutionRow(st);
  const ev = res.evals[0];
  const row: Row = { lr, d, seed };
  for (const c of COLUMNS) row[c] = table[c];
  return [{
    ...row,
    n4: st.n4,
    n6: st.n6,
    nfact: st.nfact,
    train_loss: ev.trainLoss,
    test_loss: ev.testLoss,
    test_acc: ev.testAcc,
  }];
}

// ---------------------------------------------------------------- claim check
/** Seed mean of a column in one setting (NaN seeds skipped: a seed without order-4 has no nonfact4). */
function seedMean(rows: Row[], s: Setting, column: string): number {
  return mean(
    where(rows, { lr: s.lr, d: s.d }).map((r) => num(r, column)).filter((x) => !Number.isNaN(x)),
  );
}

/** Pooled share (%) of factorable order-4/6 solutions over the seeds of one setting. */
function factorable(rows: Row[], s: Setting): number {
  const rs = where(rows, { lr: s.lr, d: s.d });
  const total = (column: string) => rs.reduce((a, r) => a + num(r, column), 0);
  const n46 = total("n4") + total("n6");
  return n46 > 0 ? (100 * total("nfact")) / n46 : NaN;
}

/** One item over the primary settings: each setting's sub-items (built by helpers) must pass. */
function perSetting(
  name: string,
  settings: Setting[],
  parts: (s: Setting) => CheckItem[],
  note: string,
): CheckItem {
  const per = settings.map((s) => ({ d: s.d, items: parts(s) }));
  const text = (p: { items: CheckItem[] }, f: "measured" | "expected") =>
    p.items.map((i) => `${i.name}${i[f]}`).join(", ");
  const expected = [...new Set(per.map((p) => text(p, "expected")))];
  return holds(
    name,
    per.every((p) => p.items.every((i) => i.pass)),
    per.map((p) => `d=${p.d}: ${text(p, "measured")}`).join("; "),
    (expected.length === 1 ? expected[0] : per.map((p) => `d=${p.d}: ${text(p, "expected")}`)
      .join("; ")) + note,
  );
}

/**
 * Per primary setting (seed means): (core) at most 0.5 non-order-4/6 frequencies per seed;
 * (core) ≥ 95 % of the order-4/6 solutions factorable (pooled); mean errors ≤ 1e-2 (order 4) and
 * ≤ 10e-2 (order 6); 'others' ≤ 2 %; the distribution columns within ±10 pp of the slide; with
 * several d, the z_{ν=i}*z_ξ share grows with d; and the robustness rows are order 4/6 and
 * factorable.
 */
export function check(rows: Row[], profile: Profile): CheckResult {
  const items: CheckItem[] = [];
  const prim = SETTINGS[profile].filter((s) => s.primary);
  const m = (s: Setting, c: string) => seedMean(rows, s, c);
  items.push(perSetting(
    "every per-frequency solution is order 4 or 6",
    prim,
    (s) => [atMost("", m(s, "not46"), CLAIM.maxNot46)],
    " non-4/6 frequencies per seed (mean; slide: 0.0 for every d)",
  ));
  items.push(perSetting(
    "≥ 95 % of the order-4/6 solutions are factorizable (2*2 or 2*3)",
    prim,
    (s) => [atLeast("", factorable(rows, s), CLAIM.minFactorable, { unit: " %" })],
    " (pooled factorable share)",
  ));
  items.push(perSetting(
    "factorization error is very small",
    prim,
    (s) => [
      atMost("err4 ", m(s, "err4"), CLAIM.maxErr4),
      atMost("err6 ", m(s, "err6"), CLAIM.maxErr6),
    ],
    " (mean, ×1e-2; slide ≤ 0.26e-2 and ≤ 5.02e-2)",
  ));
  items.push(perSetting(
    "≥ 98 % of the factorizable solutions are of the constructed forms ('others' ≤ 2 %)",
    prim,
    (s) => [atMost("others ", m(s, "others"), CLAIM.maxOthers, { unit: " %" })],
    " (mean; slide 1.82 / 2.29 / 0.66)",
  ));
  items.push(perSetting(
    "solution distribution matches the slide table within ±10 pp",
    prim,
    (s) => DISTRIBUTION.map((c) => within(`${c} `, m(s, c), PAPER[s.d][c], CLAIM.distributionPp)),
    " (% of the factorable solutions; z_{ν=i}*z_ξ, z_{ν=i}*z_{syn,αβ}, z_ν*z_syn, others)",
  ));
  if (prim.length > 1) {
    items.push(ordered(
      "the z_{ν=i}*z_ξ (order-4) share grows with d (slide 47 → 73 → 83 %)",
      prim.map((s) => m(s, "nui_xi")),
      "increasing",
      { labels: prim.map((s) => `d=${s.d}`), unit: " %" },
    ));
  }
  for (const s of SETTINGS[profile].filter((s) => !s.primary)) {
    const not46 = atMost("not4/6 ", m(s, "not46"), CLAIM.maxNot46);
    const fact = atLeast("factorable ", factorable(rows, s), CLAIM.minFactorable, { unit: " %" });
    items.push(holds(
      `robustness (lr ${s.lr}, d = ${s.d}): order 4/6 and factorizable`,
      not46.pass && fact.pass,
      `${not46.name}${not46.measured}, ${fact.name}${fact.measured}, ` +
        COLUMNS.slice(5).map((c) => `${c} ${fmt(m(s, c), { digits: 3 })}`).join(", "),
      `${not46.name}${not46.expected}, ${fact.name}${fact.expected}`,
    ));
  }
  const ours = prim.map((s) =>
    `d=${s.d}: ` + COLUMNS.map((c) => `${c} ${fmt(m(s, c), { digits: 3 })}`).join(", ")
  ).join(" | ");
  return verdictOf(items, ours, [0, 1]);
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "Gradient-descent solutions of modular addition match the constructed order-4/6 forms",
  claim,
  grid: ({ profile, seed }) =>
    SETTINGS[profile].flatMap((s) =>
      Array.from({ length: s.seeds }, (_, i): Cell => ({ d: s.d, lr: s.lr, seed: seed + 1 + i }))
    ),
  cell,
  cost: ({ d }) => RUN_SECONDS_D23 * (d / 23) ** 3,
  check,
  tolerances: {
    keys: ["lr", "d", "seed"],
    columns: {
      not46: {
        atol: 1,
        why: "count of frequencies; one may change order between float32 backends",
      },
      n4: { atol: 1, why: "count of order-4 frequencies (as not46)" },
      n6: { atol: 1, why: "count of order-6 frequencies (as not46)" },
      nfact: { atol: 1, why: "count of factorable frequencies (as not46)" },
      nonfact4: {
        atol: 25,
        why: "% of a handful of frequencies: one frequency is 10–25 pp",
      },
      nonfact6: {
        atol: 25,
        why: "% of a handful of frequencies: one frequency is 10–25 pp",
      },
      err4: {
        atol: 0.5,
        why: "×1e-2; per-run mean error, slide ±0.01–0.14, factorable cut 34.6",
      },
      err6: {
        atol: 3,
        why: "×1e-2; per-run mean error, slide ±0.2–1, factorable cut 42.4",
      },
      nui_xi: {
        atol: 10,
        why: "% of ~11 frequencies (9 pp each); seed-to-seed spread ±10 pp (research A8/A12)",
      },
      nui_synab: { atol: 10, why: "as nui_xi: one frequency is ~9 pp" },
      nu_syn: { atol: 10, why: "as nui_xi: one frequency is ~9 pp" },
      others: { atol: 10, why: "as nui_xi: one frequency is ~9 pp" },
      train_loss: { atol: 2e-3, why: "final losses ~1e-4; float32 drift" },
      test_loss: { atol: 2e-3, why: "final losses ~1e-3; float32 drift" },
      test_acc: { atol: 0.02, why: "one of 53 test pairs" },
    },
    default: { why: "configuration echoed per row (lr, d, seed): exact" },
  },
  recorded: {
    quick: {
      verdict: "PARTIAL",
      why: "Every frequency is order 4/6 and all order-4/6 solutions factorise (core claims " +
        "reproduce), but 'others' is far above the slide's ≤ 2 %: 23 % in quick (2 seeds), " +
        "17.1 % over 5 seeds at d = 23 — as in the authors' own committed lr = 0.01 sweep " +
        "notebook (20.55 %), which our 5-seed row matches column by column (see NOTES.md).",
    },
  },
});

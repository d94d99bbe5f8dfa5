/**
 * cogo/solution-structure — CoGO (Tian, arXiv 2410.01779) Table 2 / the slide "Gradient descent
 * solutions match the construction": networks trained on a + b mod d (q = 512, wd 5e-5, 10k
 * full-batch Adam steps, analysed at step 9,900) put 4 or 6 hidden nodes on every frequency,
 * those per-frequency solutions factorise as the constructed products ("2*2" order-4,
 * "2*3" order-6) with small error, and almost all of them are of the constructed kinds
 * z_{ν=i}*z_ξ, z_{ν=i}*z_{syn,αβ}, z_ν*z_syn.
 *
 * Training: lib/modadd.ts (tfjs, runs spread over workers); analysis: lib/modadd_analysis.ts,
 * exactly research notes A7 (definition 2) and A8.
 *
 * Read top to bottom: configuration, run, claim check, the replication object.
 *
 * @module
 */

import { trainModAddParallel } from "../../../lib/science/modadd/train.ts";
import {
  fourierWeights,
  type SolutionRow,
  solutionRow,
  solutionStats,
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

// ---------------------------------------------------------------- run
async function run(ctx: Parameters<Replication["run"]>[0]): Promise<Row[]> {
  if (!ctx.tf) throw new Error("cogo/solution-structure needs tfjs");
  const rows: Row[] = [];
  for (const s of SETTINGS[ctx.profile]) {
    const seeds = Array.from({ length: s.seeds }, (_, i) => ctx.seed + 1 + i);
    ctx.progress.start(`train d=${s.d} lr=${s.lr} (${s.seeds} seeds)`, NET.analysisStep);
    let done = 0;
    const res = await trainModAddParallel(ctx.tf, {
      d: s.d,
      hidden: NET.hidden,
      lr: s.lr,
      steps: NET.analysisStep,
      runs: seeds.map((seed) => ({ seed, weightDecay: NET.weightDecay })),
      evalSteps: [NET.analysisStep],
      onStep: (step) => {
        ctx.progress.tick(step - done);
        done = step;
      },
    });
    ctx.progress.done();
    ctx.log(`d=${s.d} lr=${s.lr}: ${s.seeds} runs trained in ${res.trainSeconds.toFixed(0)} s`);
    res.final.forEach((w, r) => {
      const st = solutionStats(fourierWeights(w));
      const table = solutionRow(st);
      const ev = res.evals.find((e) => e.run === r)!;
      const row: Row = { lr: s.lr, d: s.d, seed: seeds[r] };
      for (const c of COLUMNS) row[c] = table[c];
      Object.assign(row, {
        n4: st.n4,
        n6: st.n6,
        nfact: st.nfact,
        train_loss: ev.trainLoss,
        test_loss: ev.testLoss,
        test_acc: ev.testAcc,
      });
      rows.push(row);
    });
  }
  return rows;
}

// ---------------------------------------------------------------- claim check
/** Seed mean (NaN seeds skipped, as a seed without order-4 frequencies has no nonfact4). */
function seedMean(rows: Row[], lr: number, d: number, metric: string): number {
  const xs = rows
    .filter((r) => num(r, "lr") === lr && num(r, "d") === d)
    .map((r) => num(r, metric))
    .filter((x) => !Number.isNaN(x));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
const seedSum = (rows: Row[], lr: number, d: number, metric: string) =>
  rows
    .filter((r) => num(r, "lr") === lr && num(r, "d") === d)
    .reduce((a, r) => a + num(r, metric), 0);

function check(rows: Row[], profile: Profile): ReturnType<typeof verdictOf> {
  const items: CheckItem[] = [];
  const prim = SETTINGS[profile].filter((s) => s.primary);
  const fmt = (x: number, p = 2) => (Number.isNaN(x) ? "NaN" : x.toFixed(p));
  const perD = (f: (s: Setting) => { ok: boolean; text: string }) => {
    const r = prim.map((s) => ({ d: s.d, ...f(s) }));
    return { pass: r.every((x) => x.ok), measured: r.map((x) => `d=${x.d}: ${x.text}`).join("; ") };
  };
  const m = (s: Setting, c: string) => seedMean(rows, s.lr, s.d, c);
  const factorable = (s: Setting) => {
    const n46 = seedSum(rows, s.lr, s.d, "n4") + seedSum(rows, s.lr, s.d, "n6");
    return n46 > 0 ? (100 * seedSum(rows, s.lr, s.d, "nfact")) / n46 : NaN;
  };
  items.push({
    name: "every per-frequency solution is order 4 or 6",
    ...perD((s) => ({
      ok: m(s, "not46") <= CLAIM.maxNot46,
      text: `${fmt(m(s, "not46"))} freq./seed`,
    })),
    expected: `mean count of non-4/6 frequencies ≤ ${CLAIM.maxNot46} (slide: 0.0 for every d)`,
  });
  items.push({
    name: "≥ 95 % of the order-4/6 solutions are factorizable (2*2 or 2*3)",
    ...perD((s) => ({
      ok: factorable(s) >= CLAIM.minFactorable,
      text: `${fmt(factorable(s), 1)} %`,
    })),
    expected: `pooled factorable share ≥ ${CLAIM.minFactorable} %`,
  });
  items.push({
    name: "factorization error is very small",
    ...perD((s) => ({
      ok: m(s, "err4") <= CLAIM.maxErr4 && m(s, "err6") <= CLAIM.maxErr6,
      text: `err4 ${fmt(m(s, "err4"))}, err6 ${fmt(m(s, "err6"))} (×1e-2)`,
    })),
    expected: `mean err ≤ ${CLAIM.maxErr4}e-2 (order 4) and ≤ ${CLAIM.maxErr6}e-2 (order 6); ` +
      "slide ≤ 0.26e-2 and ≤ 5.02e-2",
  });
  items.push({
    name: "≥ 98 % of the factorizable solutions are of the constructed forms ('others' ≤ 2 %)",
    ...perD((s) => ({
      ok: m(s, "others") <= CLAIM.maxOthers,
      text: `others ${fmt(m(s, "others"), 1)} %`,
    })),
    expected: `mean 'others' ≤ ${CLAIM.maxOthers} % (slide 1.82 / 2.29 / 0.66)`,
  });
  items.push({
    name: "solution distribution matches the slide table within ±10 pp",
    ...perD((s) => {
      const cols = ["nui_xi", "nui_synab", "nu_syn", "others"];
      const diffs = cols.map((c) => m(s, c) - PAPER[s.d][c]);
      return {
        ok: diffs.every((x) => Math.abs(x) <= CLAIM.distributionPp),
        text: cols.map((c, i) =>
          `${c} ${fmt(m(s, c), 1)} (${diffs[i] >= 0 ? "+" : ""}${fmt(diffs[i], 1)})`
        )
          .join(", "),
      };
    }),
    expected: "|ours − slide| ≤ 10 pp for z_{ν=i}*z_ξ, z_{ν=i}*z_{syn,αβ}, z_ν*z_syn, others",
  });
  if (prim.length > 1) {
    const xi = prim.map((s) => m(s, "nui_xi"));
    items.push({
      name: "the z_{ν=i}*z_ξ (order-4) share grows with d (slide 47 → 73 → 83 %)",
      pass: xi.every((x, i) => i === 0 || x > xi[i - 1]),
      measured: prim.map((s, i) => `d=${s.d}: ${fmt(xi[i], 1)} %`).join(", "),
      expected: "strictly increasing in d",
    });
  }
  const robust = SETTINGS[profile].filter((s) => !s.primary);
  for (const s of robust) {
    items.push({
      name: `robustness (lr ${s.lr}, d = ${s.d}): order 4/6 and factorizable`,
      pass: m(s, "not46") <= CLAIM.maxNot46 && factorable(s) >= CLAIM.minFactorable,
      measured: `not4/6 ${fmt(m(s, "not46"))}, factorable ${fmt(factorable(s), 1)} %, ` +
        COLUMNS.slice(5).map((c) => `${c} ${fmt(m(s, c), 1)}`).join(", "),
      expected: `not4/6 ≤ ${CLAIM.maxNot46}, factorable ≥ ${CLAIM.minFactorable} %`,
    });
  }
  const ours = prim.map((s) =>
    `d=${s.d}: ` +
    COLUMNS.map((c) => `${c} ${fmt(m(s, c), c.startsWith("err") ? 2 : 1)}`).join(", ")
  ).join(" | ");
  return verdictOf(items, ours, [0, 1]);
}

// ---------------------------------------------------------------- the replication
const replication: Replication = {
  id: "cogo/solution-structure",
  title: "Gradient-descent solutions of modular addition match the constructed order-4/6 forms",
  usesTf: true,
  claim: {
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
      "Learning rate 0.01 (the authors' sweep log) as the primary setting; the README's 0.002 " +
      "is a robustness row in the full profile (research notes A0 / Part D).",
      "Training stops at step 9,900 (the analysed checkpoint) instead of running to 10,000.",
      "A seed with no order-4 (or order-6) frequency has no non-factorable/err value for that " +
      "order; the seed mean skips it (the authors' original code divides by zero there).",
      "quick: 2 seeds, d = 23 only (CI budget).",
    ],
    notes: "**5-seed calibration (d = 23, lr 0.01, seeds 1–5, same code; seeds 1–2 are the " +
      "quick profile's runs, bit-identical):** not4/6 0.20, non-factorable 0.00 / 2.86 %, " +
      "err 0.04 / 8.88 ×1e-2, distribution 41.45 / 11.09 / 30.36 / 17.09 %. " +
      "Slide: 0.0, 0.00 / 5.71, 0.05 / 4.80, 47.07 / 11.31 / 39.80 / 1.82. " +
      "The authors' notebook output for their lr = 0.01 sweep (research notes A8): 0.00, " +
      "0.00 / 2.86, 0.05 / 6.79, 44.36 / 11.09 / 24.00 / 20.55 — within 6.4 pp of ours in every " +
      "column. The 'others' are order-6 solutions whose order-3 factor is neither z_syn nor " +
      "z_{syn,αβ} within the 0.1 tolerance (types 2-nu*3-unknown, 2-4c*3-unknown), i.e. " +
      "near-misses of the constructed forms rather than different structures. So the slide's " +
      "'98 % in the constructed forms' holds for d = 71 and 127 in the authors' data but not " +
      "at d = 23 in either their lr = 0.01 sweep or ours. Per-seed spread is large " +
      "(others 0–36 % across our 5 seeds), which is why quick uses the ±10 pp tolerance.\n\n" +
      "Cost of the quick profile's reduction: fewer steps are not possible (at 3,000 / 5,000 " +
      "steps 'others' is 52 % / 39 % and not4/6 1.6 / 0.4 over the same 5 seeds); 2 seeds " +
      "instead of 5 make the distribution columns uncertain by ~±10 pp.",
    tolerances: "One row per run. Per-run table values are counts over 11 (d = 23) " +
      "frequencies, so one frequency changing class moves a percentage column by ~9 pp (up " +
      "to 25 pp for nonfact6 when a run has 4 order-6 frequencies): the golden tolerates ±10 pp " +
      "on the distribution columns (the seed-to-seed spread, research A8/A12), ±25 pp on " +
      "non-factorable shares, ±1 on counts (not46, n4, n6, nfact), ±0.5e-2 (err4) and ±3e-2 " +
      "(err6, ×1e-2 units: ±0.5 / ±3) on errors, losses atol 2e-3, accuracy atol 0.02. wasm " +
      "is bit-identical run to run; other float32 backends drift over 9,900 Adam steps, which " +
      "can move a frequency between classes.",
  },
  recorded: {
    verdict: "PARTIAL",
    why: "Every frequency is order 4/6 and all order-4/6 solutions factorise (core claims " +
      "reproduce), but 'others' is far above the slide's ≤ 2 %: 23 % in quick (2 seeds), 17.1 % " +
      "over 5 seeds at d = 23 — as in the authors' own committed lr = 0.01 sweep notebook " +
      "(20.55 %), which our 5-seed row matches column by column (see notes).",
  },
  run,
  check,
  chart: new URL("./chart.vl.json", import.meta.url),
};

export default replication;

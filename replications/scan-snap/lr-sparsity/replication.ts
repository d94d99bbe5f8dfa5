/**
 * scan-snap/lr-sparsity — Scan & Snap, Sec. 6 and Fig. 6 ("Syn-Medium"): the entropy of the
 * attention over distinct tokens after 100 SGD steps falls (attention gets sparser) as the
 * attention learning rate η_Z grows, for every ratio η_Y/η_Z.
 *
 * @module
 */

import { distinctEntropy, trainBatched } from "../../../lib/science/scansnap/model.ts";
import {
  type CheckItem,
  mean,
  num,
  type Profile,
  type Replication,
  type Row,
  std,
  verdictOf,
} from "../../../mod.ts";

// ---------------------------------------------------------------- configuration
const ETA_Z = [0.5, 1, 2, 3];
const RATIOS = [1, 2, 5, 10]; // η_Y / η_Z
const TRAIN = { steps: 100, batchSize: 128, momentum: 0.9, nextPerLast: 2, contextLength: 127 };
const CONFIG: Record<Profile, { numLast: number[]; seeds: number }> = {
  quick: { numLast: [3], seeds: 5 },
  full: { numLast: [1, 3, 5, 10], seeds: 10 },
};

/**
 * The authors' Fig. 6 data (mean ± std over seeds 1-10, from their stored results table):
 * PAPER[numLast][η_Z index][ratio index] = [mean, std].
 */
const PAPER: Record<number, [number, number][][]> = {
  1: [
    [[1.971, 0.028], [2.007, 0.032], [2.066, 0.017], [2.092, 0.016]],
    [[1.871, 0.052], [1.937, 0.052], [2.022, 0.036], [2.053, 0.030]],
    [[1.699, 0.101], [1.810, 0.099], [1.934, 0.068], [1.900, 0.200]],
    [[1.551, 0.155], [1.708, 0.152], [1.786, 0.170], [1.825, 0.331]],
  ],
  3: [
    [[2.019, 0.010], [1.988, 0.012], [2.031, 0.007], [2.063, 0.005]],
    [[1.963, 0.015], [1.920, 0.018], [1.982, 0.009], [2.024, 0.008]],
    [[1.842, 0.024], [1.809, 0.027], [1.899, 0.018], [1.955, 0.020]],
    [[1.737, 0.032], [1.715, 0.038], [1.821, 0.030], [1.839, 0.100]],
  ],
  5: [
    [[2.026, 0.005], [1.994, 0.007], [2.020, 0.007], [2.055, 0.006]],
    [[1.995, 0.007], [1.931, 0.011], [1.971, 0.010], [2.014, 0.009]],
    [[1.906, 0.012], [1.816, 0.022], [1.884, 0.020], [1.926, 0.025]],
    [[1.817, 0.021], [1.718, 0.032], [1.802, 0.033], [1.831, 0.050]],
  ],
  10: [
    [[2.033, 0.004], [2.012, 0.004], [2.018, 0.004], [2.051, 0.003]],
    [[2.027, 0.003], [1.975, 0.005], [1.976, 0.006], [2.015, 0.006]],
    [[1.990, 0.005], [1.888, 0.009], [1.899, 0.013], [1.947, 0.015]],
    [[1.940, 0.006], [1.805, 0.013], [1.829, 0.019], [1.875, 0.023]],
  ],
};

// ---------------------------------------------------------------- run
async function run(ctx: Parameters<Replication["run"]>[0]): Promise<Row[]> {
  if (!ctx.tf) throw new Error("lr-sparsity needs tfjs");
  const cfg = CONFIG[ctx.profile];
  const seeds = Array.from({ length: cfg.seeds }, (_, i) => ctx.seed + i);
  const rows: Row[] = [];
  for (const numLast of cfg.numLast) {
    const cells = ETA_Z.flatMap((etaZ) =>
      RATIOS.flatMap((ratio) => seeds.map((seed) => ({ etaZ, etaY: etaZ * ratio, seed, ratio })))
    );
    const res = await trainBatched(ctx.tf, {
      data: { numLast, nextPerLast: TRAIN.nextPerLast, contextLength: TRAIN.contextLength },
      runs: cells,
      steps: TRAIN.steps,
      batchSize: TRAIN.batchSize,
      momentum: TRAIN.momentum,
      init: "uniform",
      snapshotSteps: [TRAIN.steps],
      progress: ctx.progress,
    });
    cells.forEach((c, g) =>
      rows.push({
        source: "ours",
        num_last: numLast,
        eta_z: c.etaZ,
        ratio: c.ratio,
        seed: c.seed,
        entropy: distinctEntropy(res.vocab, res.z[0][g]),
        std: NaN,
      })
    );
    ETA_Z.forEach((etaZ, i) =>
      RATIOS.forEach((ratio, j) =>
        rows.push({
          source: "paper",
          num_last: numLast,
          eta_z: etaZ,
          ratio,
          seed: -1,
          entropy: PAPER[numLast][i][j][0],
          std: PAPER[numLast][i][j][1],
        })
      )
    );
  }
  return rows;
}

// ---------------------------------------------------------------- claim check
function check(rows: Row[]): ReturnType<typeof verdictOf> {
  const ours = rows.filter((r) => r.source === "ours");
  const numLasts = [...new Set(ours.map((r) => num(r, "num_last")))];
  const cellMean = (n: number, e: number, q: number) =>
    ours.filter((r) => num(r, "num_last") === n && num(r, "eta_z") === e && num(r, "ratio") === q)
      .map((r) => num(r, "entropy"));
  const violations: string[] = [];
  const far: string[] = [];
  let worst = 0;
  const slopes: string[] = [];
  for (const n of numLasts) {
    for (const [j, q] of RATIOS.entries()) {
      const means = ETA_Z.map((e) => mean(cellMean(n, e, q)));
      for (let i = 1; i < means.length; i++) {
        if (!(means[i] < means[i - 1])) {
          violations.push(
            `#last ${n}, ratio ${q}: η_Z ${ETA_Z[i - 1]}→${ETA_Z[i]} ` +
              `${means[i - 1].toFixed(3)}→${means[i].toFixed(3)}`,
          );
        }
      }
      slopes.push(`#last ${n} ratio ${q}: ${means.map((m) => m.toFixed(3)).join("→")}`);
      ETA_Z.forEach((e, i) => {
        const [pm, ps] = PAPER[n][i][j];
        const d = Math.abs(means[i] - pm);
        worst = Math.max(worst, d);
        if (d > Math.max(0.08, ps)) {
          far.push(`(#last ${n}, η_Z ${e}, ratio ${q}): ${means[i].toFixed(3)} vs ${pm}`);
        }
      });
    }
  }
  const spread = numLasts.flatMap((n) =>
    ETA_Z.flatMap((e) => RATIOS.map((q) => std(cellMean(n, e, q))))
  );
  const items: CheckItem[] = [
    {
      name: "entropy falls as η_Z grows, for every ratio η_Y/η_Z (seed means)",
      pass: violations.length === 0,
      measured: violations.length ? violations.join("; ") : `η_Z = 0.5→3: ${slopes.join("; ")}`,
      expected: "strictly decreasing in η_Z in every (#last, ratio) column",
    },
    {
      name: "each cell agrees with the authors' Fig. 6 value within max(0.08, their seed std)",
      pass: far.length === 0,
      measured: far.length
        ? `${far.length} cell(s) off: ${far.slice(0, 4).join("; ")}`
        : `max |ours − paper| = ${worst.toFixed(3)} over ${numLasts.length * 16} cells`,
      expected: "|Δ| ≤ max(0.08, std) in every cell",
    },
  ];
  return verdictOf(
    items,
    `entropy (η_Z 0.5→3): ${slopes.join("; ")}; max |Δ| to paper ${worst.toFixed(3)}; ` +
      `median seed std ${spread.sort((a, b) => a - b)[spread.length >> 1].toFixed(3)}`,
    [0],
  );
}

// ---------------------------------------------------------------- the replication
const replication: Replication = {
  id: "scan-snap/lr-sparsity",
  title: "Larger attention learning rate η_Z gives sparser attention (lower entropy)",
  usesTf: true,
  claim: {
    statement: "After training, the entropy of the attention over each class's distinct tokens " +
      "decreases (attention becomes sparser) as η_Z increases, for every ratio η_Y/η_Z. (The " +
      "paper also says entropy rises with η_Y/η_Z past ≈ 2; the authors' own data is not " +
      "monotone in the ratio, so that is reported, not asserted.)",
    source: "Tian, Wang, Chen, Du, Scan and Snap, NeurIPS 2023, arXiv 2305.16380v4: Sec. 6 " +
      "(Theorem 4's consequences) and Sec. 8 'Syn-Medium', Fig. 6",
    paperValue: "Fig. 6: mean entropy over 10 seeds per (#last tokens, η_Z, η_Y/η_Z), e.g. " +
      "#last = 3, ratio 1: 2.019, 1.963, 1.842, 1.737 for η_Z = 0.5, 1, 2, 3",
    scale: {
      quick: "#last = 3 only (K = 6, M = 79), the paper's 4 × 4 learning-rate grid, 5 seeds " +
        "(the paper: 10); per run paper scale (batch 128, 127 tokens, 100 steps)",
      full: "the paper's grid: #last ∈ {1, 3, 5, 10}, 4 × 4 learning rates, 10 seeds",
    },
    deviations: [
      "The entropy is the metric identified by reproducing the authors' stored Fig. 6 table " +
      "(mean over classes of the entropy of c restricted to distinct tokens, renormalised, " +
      "natural log, after 100 updates); the plot only says 'entropy of c_n'.",
      "Random init U(±1/√M) for Z and Y as in the authors' sweep (zero_init = false).",
      "Seeds are ours (PyTorch's streams cannot be reproduced); runs with the same seed share " +
      "their data stream across learning rates (common random numbers).",
      "Quick uses #last = 3, whose seed spread (≤ 0.04 except one cell) resolves the η_Z steps; " +
      "#last = 1 has seed std up to 0.33 and would need the full 10 seeds.",
    ],
    tolerances: "float32 tfjs training, deterministic per backend; entropy: atol 2e-3, rtol 0 " +
      "(cross-backend drift of z is ~3e-5 over 100 steps, see token-composition; the smallest " +
      "η_Z step in a column moves entropy by ≥ 0.02); paper rows are constants (exact).",
  },
  run,
  check: (rows) => check(rows),
  chart: new URL("./chart.vl.json", import.meta.url),
};

export default replication;

/**
 * li2/sample-scaling — Li² Theorem 4: n ≳ d_k² M log(M/δ) training pairs keep the empirical
 * energy's local maxima (the irreps), so the memorisation/generalisation boundary of modular
 * addition sits at n* ∝ M ln M (the authors' code uses n = 2.7482·M ln M).
 *
 * Two criteria, each on a grid of primes M and sizes n = mult·M ln M:
 * (A) energy (Float64, Theorem 4 itself): start projected gradient ascent of the empirical
 *     energy Ê at a Fourier maximum of the full-data energy and record whether it stays there;
 * (B) training (tfjs, lib/modadd.ts): train the σ = x² network with MSE + Adam and record test
 *     accuracy. n* is where the kept fraction / mean test accuracy crosses ½.
 *
 * @module
 */

import {
  type CheckItem,
  fitLine,
  fitProportional,
  num,
  type Profile,
  type Replication,
  Rng,
  type Row,
  verdictOf,
} from "../../../mod.ts";
import { cyclicGroup, isotypicProjectors } from "../../../lib/science/math/groups.ts";
import {
  ascend,
  Energy,
  normalise,
  samplePairs,
  spectrum,
} from "../../../lib/science/li2/energy.ts";
import { trainModAdd } from "../../../lib/science/modadd/train.ts";

// ---------------------------------------------------------------- configuration
/** The authors' critical-ratio constant: n_train = 2.7482·M ln M (code, Sept 2025). */
const C_CODE = 2.7482;

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

// ---------------------------------------------------------------- run
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

async function run(ctx: Parameters<Replication["run"]>[0]): Promise<Row[]> {
  const cfg = CONFIG[ctx.profile];
  const rows: Row[] = [];
  const base = {
    criterion: "",
    M: 0,
    mult: NaN,
    n: NaN,
    value: NaN,
    aux: NaN,
  };
  // (A) energy criterion
  const ec = cfg.energy;
  ctx.progress.start("energy criterion", ec.moduli.length * ec.mults.length);
  for (const M of ec.moduli) {
    const rng = new Rng(ctx.seed * 10007 + M);
    const ys: number[] = [];
    for (const mult of ec.mults) {
      const r = energyCriterion(M, mult, ec.trials, rng);
      ys.push(r.kept);
      rows.push({
        ...base,
        part: "grid",
        criterion: "energy",
        M,
        mult,
        n: r.n,
        value: r.kept,
        aux: r.conc,
      });
      ctx.progress.tick();
      await Promise.resolve();
    }
    const m = crossing(ec.mults, ys);
    rows.push({ ...base, part: "nstar", criterion: "energy", M, mult: m, n: m * mlnm(M) });
  }
  ctx.progress.done();

  // (B) training criterion
  if (!ctx.tf) throw new Error("li2/sample-scaling needs tfjs");
  const tc = cfg.train;
  ctx.progress.start("training", tc.moduli.length * tc.mults.length * tc.steps);
  let done = 0;
  for (const M of tc.moduli) {
    const ys: number[] = [];
    for (const mult of tc.mults) {
      const n = sizeOf(M, mult);
      let lastTick = 0;
      const res = await trainModAdd(ctx.tf, {
        d: M,
        hidden: tc.hidden,
        lr: tc.lr,
        steps: tc.steps,
        loss: "mse",
        trainCount: n,
        runs: Array.from({ length: tc.seeds }, (_, s) => ({
          seed: ctx.seed * 1_000_003 + M * 1009 + Math.round(mult * 100) * 7 + s,
          weightDecay: tc.weightDecay,
        })),
        evalSteps: [tc.steps],
        onStep: (t) => {
          if (t % 100 === 0) {
            ctx.progress.tick(t - lastTick); // tick() adds; report the steps since the last call
            lastTick = t;
          }
        },
      });
      done += tc.steps;
      let acc = 0;
      for (const e of res.evals) {
        acc += e.testAcc / res.evals.length;
        rows.push({
          ...base,
          part: "grid",
          criterion: "train",
          M,
          mult,
          n,
          seed: e.run,
          value: e.testAcc,
          aux: e.trainAcc,
        });
      }
      ys.push(acc);
    }
    const m = crossing(tc.mults, ys);
    rows.push({ ...base, part: "nstar", criterion: "train", M, mult: m, n: m * mlnm(M) });
  }
  ctx.progress.done();
  return rows.map((r) => ({ seed: -1, ...r }));
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

/**
 * For each criterion: n* is found for every M; n* = c·M ln M fits with R² ≥ 0.9; the free
 * power-law exponent b is near that of M ln M (|b − b_ref| ≤ 0.3, b_ref ≈ 1 + 1/ln M), and
 * clearly below 2 (b ≤ 1.6); c is of the order of the code's 2.7482 (within a factor 10, i.e.
 * the same order of magnitude). For the training criterion the code's constant should mark the
 * boundary: n* / (M ln M) within [½, 2] × 2.7482 for every M.
 */
function check(rows: Row[]): ReturnType<typeof verdictOf> {
  const items: CheckItem[] = [];
  const summary: string[] = [];
  for (const crit of ["energy", "train"]) {
    const ns = rows.filter((r) => r.part === "nstar" && r.criterion === crit)
      .sort((a, b) => num(a, "M") - num(b, "M"));
    const found = ns.filter((r) => Number.isFinite(num(r, "n")));
    const label = crit === "energy"
      ? "energy criterion (Theorem 4)"
      : "training criterion (test acc ½)";
    const ratios = ns.map((r) => `M=${num(r, "M")}: ${num(r, "mult").toFixed(2)}`).join(", ");
    items.push({
      name: `${label}: a boundary n* exists inside the grid for every M`,
      pass: found.length === ns.length && ns.length >= 3,
      measured: `n* / (M ln M): ${ratios}`,
      expected: "one crossing of ½ per M",
    });
    if (found.length < 3) {
      items.push({
        name: `${label}: n* ∝ M ln M`,
        pass: false,
        measured: `only ${found.length} M with a boundary`,
        expected: "≥ 3",
      });
      continue;
    }
    const f = scalingFits(found.map((r) => num(r, "M")), found.map((r) => num(r, "n")));
    items.push({
      name: `${label}: n* grows like M ln M, not M²`,
      pass: f.r2 >= 0.9 && Math.abs(f.b - f.bRef) <= 0.3 && f.b <= 1.6,
      measured: `n* = ${f.c.toFixed(2)}·M ln M (R² ${f.r2.toFixed(3)}); free fit n* ∝ M^${
        f.b.toFixed(2)
      } (R² ${f.r2pow.toFixed(3)}) vs M ln M's local exponent ${f.bRef.toFixed(2)}`,
      expected: "R² ≥ 0.9, |b − b_ref| ≤ 0.3, b ≤ 1.6",
    });
    items.push({
      name: `${label}: the constant c is of the order of the code's ${C_CODE}`,
      pass: f.c >= C_CODE / 10 && f.c <= C_CODE * 10,
      measured: `c = ${f.c.toFixed(2)} (${(f.c / C_CODE).toFixed(2)} × ${C_CODE})`,
      expected: `within a factor 10 of ${C_CODE}`,
    });
    if (crit === "train") {
      const ok = found.every((r) => num(r, "mult") >= C_CODE / 2 && num(r, "mult") <= 2 * C_CODE);
      items.push({
        name: "training criterion: the code's n = 2.7482·M ln M marks the boundary",
        pass: ok,
        measured: ratios,
        expected: `n* / (M ln M) in [${(C_CODE / 2).toFixed(2)}, ${(2 * C_CODE).toFixed(2)}]`,
      });
    }
    summary.push(
      `${crit}: c = ${f.c.toFixed(2)}, R² ${f.r2.toFixed(2)}, exponent ${f.b.toFixed(2)}`,
    );
  }
  return verdictOf(items, summary.join("; "));
}

// ---------------------------------------------------------------- the replication
const replication: Replication = {
  id: "li2/sample-scaling",
  title: "Sample scaling law: the generalisation boundary n* grows like M ln M",
  usesTf: true,
  claim: {
    statement: "Drawing n ≳ d_k² M log(M/δ) training pairs uniformly keeps, with probability " +
      "≥ 1 − δ, the local maxima of the empirical energy at the irreps; for modular addition " +
      "(d_k = 1) the memorisation/generalisation boundary therefore sits at n* ∝ M ln M (the " +
      "authors' code places it at n = 2.7482·M ln M).",
    source: "Tian, arXiv 2509.21519: Theorem 4 (talk slide 'How much is sufficient? Provable " +
      "scaling laws') and the boundary figure; constant from the authors' code " +
      "(critical_ratio_multiplier = 2.7482, research notes B1/B4)",
    paperValue: "n ≳ d_k² M log(M/δ); code: n_train = 2.7482·M ln M (train fraction 2.7482 ln M/M)",
    scale: {
      quick:
        "energy criterion: M ∈ {23, 31, 41, 53, 71, 97, 127}, n/(M ln M) ∈ {3…16}, 10 trials; " +
        "training: M ∈ {13, 17, 19}, n/(M ln M) ∈ {2, 2.75, 3.5, 4.5, 6}, 1 seed, width 128, 2000 Adam steps, " +
        "lr 0.01 (reduced: the 2-core CI budget)",
      full: "energy: M up to 197, 14 sizes, 40 trials; training: M ∈ {23, 31, 41, 53, 71}, " +
        "n/(M ln M) ∈ {1.4…5.5} (0.5…2 × 2.7482), 3 seeds, width 512, 10k steps, lr 0.002 (research E4's protocol); " +
        "estimated several hours on 2 CPU cores",
    },
    deviations: [
      "The paper's boundary-figure settings (M grid, sizes, width, steps) could not be read; the " +
      "grids above are ours. Training follows research E4: σ = x², centred MSE, Adam with coupled " +
      "wd 5e-5, full batch, PyTorch-default init, uniform random split (lib/modadd.ts).",
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
    tolerances: "Energy criterion: deterministic Float64, but kept/not-kept decisions near the " +
      "threshold can flip with last-bit differences, so kept fractions get atol 0.1 (one trial in " +
      "10). Training: tfjs float32 on wasm; test accuracy at the boundary varies by ~0.2 between " +
      "seeds (research E4 and our probes), so accuracies get atol 0.25 and n* rows rtol 0.3.",
    notes: `Result (quick): the training boundary sits at n*/(M ln M) ≈ 3.1 for M = 13–19 (the grid
has 2.75 and 3.5 on either side, so the crossing is only resolved to that interval). The energy
criterion's boundary grows faster than M ln M on M = 23–127 (n*/(M ln M) = 4.5, 5.5, 6.3, 6.8, 7.8,
8.8, 9.7); part of this may be finite-size (at M = 23 the boundary is 62 % of all pairs, at M = 127 37 %,
and sampling without replacement reduces the fluctuations of Ê at large fractions), and the 90 %
concentration threshold is stricter than 'a maximum nearby exists'. A probe at M = 197 (10
trials) put the boundary at ≈ 11.7 (kept 0/10 at 11, 7/10 at 12), so the growth continues
(n*/(M ln M) ≈ 3.4 ln M − 6, i.e. closer to M ln² M); using the code's uncentred targets
Ỹ = onehot − 1/M instead of sample-centred ones gives the same boundaries (M = 23, 41, 71:
≈ 4.5, 6.5, 7.9).
Reading of the constant: the code sets the train fraction p = 2.7482·ln M/M, i.e.
n = 2.7482·M ln M pairs out of M². The free power-law exponent of M ln M over M ∈ [23, 127] is
1 + 1/ln M ≈ 1.25 (not 1), which the check uses as the reference; an M² law would give 2.`,
  },
  run,
  check: (rows) => check(rows),
  chart: new URL("./chart.vl.json", import.meta.url),
  recorded: {
    verdict: "PARTIAL",
    why: "Training criterion reproduces (quick: n*/(M ln M) ≈ 3.07 for M = 13, 17, 19, i.e. " +
      "1.1 × 2.7482, exponent 1.38 vs M ln M's 1.36). Energy criterion does not follow M ln M over " +
      "M = 23…127: n*/(M ln M) rises 4.5 → 9.7, free power law n* ∝ M^1.69 (M ln M: 1.25), " +
      "proportional fit c = 8.9 (R² 0.96).",
  },
};

export default replication;

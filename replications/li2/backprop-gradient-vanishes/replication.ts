/**
 * li2/backprop-gradient-vanishes — Li² Lemma 1: with the ridge top layer, the gradient
 * backpropagated to the hidden layer, G_F = η(F̃F̃ᵀ + ηI)⁻¹ỸỸᵀF̃(F̃ᵀF̃ + ηI)⁻¹, vanishes for
 * η → 0 (K ≥ n), η → ∞ and K → ∞, and approaches the isotropic form η/((Kc₁+η)(nc₂+η))·ỸỸᵀF̃.
 *
 * @module
 */

import {
  atLeast,
  type CellContext,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  holds,
  num,
  type Profile,
  Rng,
  type Row,
  verdictOf,
} from "../../../mod.ts";
import { fitLine } from "../../../lib/science/math/stats.ts";
import { cyclicGroup } from "../../../lib/science/math/groups.ts";
import {
  backpropGradientClosed,
  backpropGradientDirect,
  backpropGradientDual,
  centredTargets,
  inputMatrix,
  type PairData,
  samplePairs,
} from "../../../lib/science/li2/energy.ts";
import {
  centreColumns,
  frob,
  frobDiff,
  matmul,
  transpose,
} from "../../../lib/science/math/linalg.ts";

// ---------------------------------------------------------------- configuration
/** Modular addition task: modulus and number of training pairs. */
const M = 7;
const N = 30;
/** Widths below and above n for the η sweep. */
const K_NARROW = 15;
const K_WIDE = 200;
/** Lemma-form inputs: n unit vectors with pairwise overlap ρ; labels from M_LEMMA classes. */
const RHO = 0.5;
const M_LEMMA = 5;
const ETA_LEMMA = 1;

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "With the top layer at its ridge solution V* = (F̃ᵀF̃ + ηI)⁻¹F̃ᵀỸ, the gradient " +
    "backpropagated to the hidden layer is G_F = η(F̃F̃ᵀ + ηI)⁻¹ỸỸᵀF̃(F̃ᵀF̃ + ηI)⁻¹; it vanishes " +
    "when the weight decay η → 0 (over-parameterised, K ≥ n), when η → ∞, and when the width " +
    "K → ∞ (NTK regime), so feature learning happens only at intermediate η and K. Under " +
    "Gaussian W, equal-norm inputs with constant overlap and large K, " +
    "G_F = η/((Kc₁ + η)(nc₂ + η))·ỸỸᵀF.",
  source: "Tian, arXiv 2509.21519: Lemma 1 (Eqn. 5–6), Stage I 'lazy learning' (talk slides " +
    "'The backpropagated gradient G_F', 'Key insights')",
  paperValue: "G_F = η(F̃F̃ᵀ+ηI)⁻¹ỸỸᵀF̃(F̃ᵀF̃+ηI)⁻¹; η = 0 ⇒ G_F = 0; η large ⇒ G_F → 0; " +
    "K → ∞ ⇒ G_F → 0; isotropic form η/((Kc₁+η)(nc₂+η))ỸỸᵀF",
  scale: {
    quick: `modular addition M = ${M}, n = ${N} random training pairs, σ = x², W ~ N(0,1); ` +
      `closed form checked at K ∈ {10,20,40,80}, η ∈ {1e-2..1e4}; η ∈ [1e-6, 1e8] at K = ${K_NARROW}, ` +
      `${K_WIDE}; K ∈ [5, 2·10⁴] at η = 1; lemma form on constant-overlap inputs (ρ = ${RHO}) ` +
      "K ∈ [100, 10⁵]; norms averaged over 3 draws of W",
    full: "same task; denser grids (η ∈ [1e-8, 1e10], K up to 10⁵, lemma form up to 3·10⁵), " +
      "10 draws of W",
  },
  deviations: [
    "The paper's sweeps (if any) are not available; the task size (M = 7, n = 30) is ours, chosen " +
    "so that n lies between the two widths of the η sweep.",
    "Lemma 1's assumption x_iᵀx_j = ρ does not hold for one-hot pair inputs (overlaps 0, ½, 1), so " +
    "the isotropic form is checked on synthetic inputs x_i = √ρ e₀ + √(1−ρ) e_i that satisfy it " +
    "(random labels from 5 classes); the limits are checked on the modular-addition inputs.",
    "c₁ = 2(1 − ρ²) is derived (not quoted): E[(xᵀw)²(x'ᵀw)²] = 1 + 2ρ² and E[(xᵀw)⁴] = 3 give " +
    "F̃F̃ᵀ/K → 2(1 − ρ²)P₁^⊥. For K > n, F̃ᵀF̃ has rank n − 1 and is not a multiple of I; it acts as " +
    "Kc₁ on the row space of F̃, which is all that enters G_F (F̃(F̃ᵀF̃+ηI)⁻¹ = (F̃F̃ᵀ+ηI)⁻¹F̃), so we " +
    "use nc₂ = Kc₁. The lemma's right-hand side uses F; with centred targets ỸᵀF = ỸᵀF̃.",
    "'η = 0 ⇒ G_F = 0' holds only when F̃F̃ᵀ is invertible on the centred subspace (K ≥ n − 1); " +
    "with K < n the η → 0 limit is finite. The check asserts both.",
    "The closed form is compared with the definition for η ≥ 1e-2: below that, with K ≥ n, " +
    "inverting F̃ᵀF̃ + ηI (condition ~λ/η) loses digits (1e-5 relative at η = 1e-4, K = 80).",
  ],
};

// ---------------------------------------------------------------- configuration per profile
interface Config {
  /** Widths and ridge strengths where the three forms of G_F are compared. */
  compareK: number[];
  compareEta: number[];
  /** log10 η grid of the η sweep. */
  etaLog10: number[];
  /** Widths of the K sweep (η = 1). */
  widths: number[];
  /** Widths for the lemma's isotropic form (constant-overlap inputs). */
  lemmaWidths: number[];
  /** Random draws of W per width in the sweeps (norms are averaged over them). */
  draws: number;
}

const range = (lo: number, hi: number, step: number) =>
  Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => lo + i * step);
const logGrid = (lo: number, hi: number, perDecade: number) =>
  range(Math.log10(lo), Math.log10(hi), 1 / perDecade).map((e) => Math.round(10 ** e));

const CONFIG: Record<Profile, Config> = {
  quick: {
    compareK: [10, 20, 40, 80],
    compareEta: [1e-2, 1, 1e2, 1e4],
    etaLog10: range(-6, 8, 0.5),
    widths: logGrid(5, 20000, 4),
    lemmaWidths: logGrid(100, 100000, 2),
    draws: 3,
  },
  full: {
    compareK: [5, 10, 20, 29, 30, 40, 80, 160],
    compareEta: [1e-2, 1e-1, 1, 10, 1e2, 1e3, 1e4],
    etaLog10: range(-8, 10, 0.25),
    widths: logGrid(5, 100000, 8),
    lemmaWidths: logGrid(100, 300000, 4),
    draws: 10,
  },
};

/** The four parts of the run, in CSV order. */
type Part = "closed_form" | "eta_sweep_narrow" | "eta_sweep_wide" | "width_sweep" | "lemma_form";

/**
 * One cell: one width K of one part. The parts draw W from two sequential streams (the
 * modular-addition stream seeded `seed + 1`, after the training pairs; the lemma stream seeded
 * `seed + 7`, after the labels), so a cell starts its stream `skip` normals in: the draws of the
 * cells before it.
 */
interface Cell {
  part: Part;
  K: number;
  /** Seed of the cell's stream (absolute). */
  seed: number;
  /** Normals the earlier cells of the same stream drew. */
  skip: number;
  [k: string]: string | number;
}

/** The cells in CSV order, each with the position of its draws in its stream. */
function grid(profile: Profile, seed: number): Cell[] {
  const cfg = CONFIG[profile];
  const d = 2 * M, dl = N + 1;
  const cells: Cell[] = [];
  let skip = 0;
  const add = (part: Part, K: number, normals: number) => {
    cells.push({ part, K, seed: seed + 1, skip });
    skip += normals;
  };
  for (const K of cfg.compareK) add("closed_form", K, d * K);
  add("eta_sweep_narrow", K_NARROW, cfg.draws * d * K_NARROW);
  add("eta_sweep_wide", K_WIDE, cfg.draws * d * K_WIDE);
  for (const K of cfg.widths) add("width_sweep", K, cfg.draws * d * K);
  skip = 0;
  for (const K of cfg.lemmaWidths) {
    cells.push({ part: "lemma_form", K, seed: seed + 7, skip });
    skip += cfg.draws * dl * K;
  }
  return cells;
}

// ---------------------------------------------------------------- model pieces
/** F̃ = P₁^⊥ σ(XW) with σ(x) = x² and W ~ N(0, 1) (d×K). */
function features(X: Float64Array, n: number, d: number, K: number, rng: Rng): Float64Array {
  const W = rng.fill(d * K, (r) => r.normal());
  const H = matmul(X, W, n, d, K);
  for (let i = 0; i < H.length; i++) H[i] *= H[i];
  return centreColumns(H, n, K);
}

/** Mean ‖G_F‖ over draws of W, for every η of a grid (dual form, one eigen-decomposition per draw). */
function normsOverEta(
  X: Float64Array,
  Y: Float64Array,
  n: number,
  d: number,
  K: number,
  etas: number[],
  draws: number,
  rng: Rng,
): number[] {
  const acc = etas.map(() => 0);
  for (let t = 0; t < draws; t++) {
    const F = features(X, n, d, K, rng);
    let eig: ReturnType<typeof backpropGradientDual>["eig"] | undefined;
    etas.forEach((eta, i) => {
      const res = backpropGradientDual(F, Y, eta, { n, K, M }, eig);
      eig = res.eig;
      acc[i] += frob(res.G) / draws;
    });
  }
  return acc;
}

/** Advance a stream by `count` normals (exactly as drawing and discarding them). */
function skipNormals(rng: Rng, count: number): Rng {
  for (let i = 0; i < count; i++) rng.normal();
  return rng;
}

/** The modular-addition task: n random pairs of Z_M (drawn first from the `seed + 1` stream). */
function task(rng: Rng): { data: PairData; X: Float64Array; Y: Float64Array } {
  const data = samplePairs(cyclicGroup(M), N, rng);
  return { data, X: inputMatrix(data), Y: centredTargets(data) };
}

/**
 * The lemma's inputs ‖x_i‖ = 1, x_iᵀx_j = ρ (x_i = √ρ e₀ + √(1−ρ) e_i) and centred labels of
 * M_LEMMA classes (drawn first from the `seed + 7` stream).
 */
function lemmaTask(rng: Rng): { XL: Float64Array; YL: Float64Array; dl: number } {
  const dl = N + 1;
  const XL = new Float64Array(N * dl);
  for (let i = 0; i < N; i++) {
    XL[i * dl] = Math.sqrt(RHO);
    XL[i * dl + 1 + i] = Math.sqrt(1 - RHO);
  }
  const labels = Array.from({ length: N }, (_, i) => (i < M_LEMMA ? i : rng.int(M_LEMMA)));
  const YL = new Float64Array(N * M_LEMMA);
  for (let m = 0; m < M_LEMMA; m++) {
    const mean = labels.filter((c) => c === m).length / N;
    for (let i = 0; i < N; i++) YL[i * M_LEMMA + m] = (labels[i] === m ? 1 : 0) - mean;
  }
  return { XL, YL, dl };
}

// ---------------------------------------------------------------- the cell: one width of one part
function cell({ part, K, seed, skip }: Cell, ctx: CellContext): Row[] {
  const cfg = CONFIG[ctx.profile];
  const d = 2 * M;
  const rng = new Rng(seed);
  if (part === "lemma_form") {
    // (4) the lemma's isotropic form on inputs satisfying its assumptions, wide layer:
    // F̃F̃ᵀ → Kc₁·P₁^⊥ with c₁ = 2(1 − ρ²), and F̃ᵀF̃ acts as the same multiple on the row
    // space of F̃, so nc₂ = Kc₁ there (see NOTES.md).
    const { XL, YL, dl } = lemmaTask(rng);
    skipNormals(rng, skip);
    const YYt = matmul(YL, transpose(YL, N, M_LEMMA), N, M_LEMMA, N);
    const c1 = 2 * (1 - RHO * RHO);
    const lam = K * c1;
    let err = 0, gn = 0;
    for (let t = 0; t < cfg.draws; t++) {
      const F = features(XL, N, dl, K, rng);
      const G = backpropGradientDual(F, YL, ETA_LEMMA, { n: N, K, M: M_LEMMA }).G;
      const approx = matmul(YYt, F, N, N, K);
      const f = ETA_LEMMA / ((lam + ETA_LEMMA) * (lam + ETA_LEMMA));
      for (let i = 0; i < approx.length; i++) approx[i] *= f;
      err += frobDiff(G, approx) / frob(G) / cfg.draws;
      gn += frob(G) / cfg.draws;
      ctx.progress(t + 1, cfg.draws);
    }
    return [{ part, K, eta: ETA_LEMMA, G_norm: gn, lemma_rel_err: err }];
  }
  const { X, Y } = task(rng);
  skipNormals(rng, skip);
  if (part === "closed_form") {
    // (1) the closed form against the definition (Ỹ − F̃V*)V*ᵀ and the dual (n×n) form
    const F = features(X, N, d, K, rng);
    return cfg.compareEta.map((eta) => {
      const s = { n: N, K, M };
      const closed = backpropGradientClosed(F, Y, eta, s);
      const direct = backpropGradientDirect(F, Y, eta, s);
      const dual = backpropGradientDual(F, Y, eta, s).G;
      return {
        part,
        K,
        eta,
        G_norm: frob(closed),
        rel_diff_direct: frobDiff(direct, closed) / frob(closed),
        rel_diff_dual: frobDiff(dual, closed) / frob(closed),
      };
    });
  }
  if (part === "width_sweep") {
    // (3) width sweep at η = 1
    const [g] = normsOverEta(X, Y, N, d, K, [1], cfg.draws, rng);
    return [{ part, K, eta: 1, G_norm: g }];
  }
  // (2) η sweep at a narrow (K < n) and a wide (K ≥ n) layer
  const etas = cfg.etaLog10.map((e) => 10 ** e);
  const norms = normsOverEta(X, Y, N, d, K, etas, cfg.draws, rng);
  return etas.map((eta, i) => ({ part, K, eta, G_norm: norms[i] }));
}

// ---------------------------------------------------------------- claim check
/** The three forms of G_F agree to this relative difference (Float64). */
const FORMS_AGREE = 1e-7;
/** Log-log slope of ‖G_F‖ against η over the last two decades (η → ∞: ∝ 1/η). */
const SLOPE_HIGH_ETA = [-1.05, -0.95];
/** Log-log slope over the first two decades (η → 0 with K ≥ n: ∝ η). */
const SLOPE_LOW_ETA = [0.95, 1.05];
/** ‖G_F(η_min)‖/max with K ≥ n: vanished. */
const VANISHED_LOW_ETA = 1e-3;
/** ‖G_F(η_min)‖/max with K < n: stays finite. */
const FINITE_NARROW = 0.1;
/** ‖G_F(K_max)‖/max at η = 1: vanished; monotone decrease from K = 4n. */
const VANISHED_WIDE = 1e-2;
/** The lemma form's relative error at the largest K, and its log-log slope in K (≈ −½). */
const LEMMA_ERR = 0.1;
const SLOPE_LEMMA = [-0.65, -0.35];

/** Least-squares slope of log10 y against log10 x. */
function logSlope(rs: Row[], x: string, y: string): number {
  return fitLine(rs.map((r) => Math.log10(num(r, x))), rs.map((r) => Math.log10(num(r, y)))).slope;
}

const inRange = (s: number, [lo, hi]: number[]) => s >= lo && s <= hi;
const rangeText = ([lo, hi]: number[]) => `[${fmt(lo)}, ${fmt(hi)}]`;

/**
 * (1) Lemma 1's closed form equals the definition (Ỹ − F̃V*)V*ᵀ (and the dual form) to 1e-7;
 * (2) η → ∞: ‖G_F‖ ∝ 1/η (log-log slope over the last two decades in [−1.05, −0.95]) for both widths;
 * (3) η → 0 with K ≥ n: ‖G_F‖ ∝ η (slope over the first two decades in [0.95, 1.05]) and
 *     ‖G_F(η_min)‖ ≤ 1e-3·max; with K < n it stays ≥ 0.1·max (the limit needs K ≥ n);
 * (4) K → ∞ at η = 1: ‖G_F‖ decreases over K ≥ 4n and ends ≤ 1e-2 × its maximum;
 * (5) under the lemma's assumptions the isotropic form η/((Kc₁+η)(nc₂+η))ỸỸᵀF̃ approaches
 *     G_F: the relative error decays like K^(−1/2) (log-log slope in [−0.65, −0.35]) and is
 *     ≤ 0.1 at the largest width.
 */
export function check(rows: Row[]): CheckResult {
  const items: CheckItem[] = [];
  const part = (p: string) => rows.filter((r) => r.part === p);
  const cf = part("closed_form");
  const maxDirect = Math.max(...cf.map((r) => num(r, "rel_diff_direct")));
  const maxDual = Math.max(...cf.map((r) => num(r, "rel_diff_dual")));
  items.push(holds(
    "closed form η(F̃F̃ᵀ+ηI)⁻¹ỸỸᵀF̃(F̃ᵀF̃+ηI)⁻¹ equals (Ỹ − F̃V*)V*ᵀ",
    maxDirect <= FORMS_AGREE && maxDual <= FORMS_AGREE,
    `max relative difference ${fmt(maxDirect, { digits: 2 })} (definition), ` +
      `${fmt(maxDual, { digits: 2 })} (dual form) over ${cf.length} (K, η)`,
    `≤ ${fmt(FORMS_AGREE)} (Float64)`,
  ));
  const byEta = (a: Row, b: Row) => num(a, "eta") - num(b, "eta");
  const narrow = part("eta_sweep_narrow").sort(byEta);
  const wide = part("eta_sweep_wide").sort(byEta);
  const top = (rs: Row[]) => rs.filter((r) => num(r, "eta") >= num(rs[rs.length - 1], "eta") / 100);
  const bottom = (rs: Row[]) => rs.filter((r) => num(r, "eta") <= num(rs[0], "eta") * 100);
  const sHiN = logSlope(top(narrow), "eta", "G_norm"), sHiW = logSlope(top(wide), "eta", "G_norm");
  items.push(holds(
    "η → ∞: G_F → 0 like 1/η",
    [sHiN, sHiW].every((s) => inRange(s, SLOPE_HIGH_ETA)),
    `log-log slope over the last two decades: ${sHiN.toFixed(3)} (K=${K_NARROW}), ` +
      `${sHiW.toFixed(3)} (K=${K_WIDE})`,
    `slope in ${rangeText(SLOPE_HIGH_ETA)}`,
  ));
  const maxW = Math.max(...wide.map((r) => num(r, "G_norm")));
  const sLoW = logSlope(bottom(wide), "eta", "G_norm");
  const ratioW = num(wide[0], "G_norm") / maxW;
  items.push(holds(
    `η → 0 with K = ${K_WIDE} ≥ n = ${N}: G_F → 0 like η`,
    inRange(sLoW, SLOPE_LOW_ETA) && ratioW <= VANISHED_LOW_ETA,
    `slope over the first two decades ${sLoW.toFixed(3)}; ‖G_F(η=${
      num(wide[0], "eta").toExponential(0)
    })‖/max = ${ratioW.toExponential(2)}`,
    `slope in ${rangeText(SLOPE_LOW_ETA)}, ratio ≤ ${fmt(VANISHED_LOW_ETA)}`,
  ));
  const maxN = Math.max(...narrow.map((r) => num(r, "G_norm")));
  const ratioN = num(narrow[0], "G_norm") / maxN;
  items.push(atLeast(
    `η → 0 needs K ≥ n: with K = ${K_NARROW} < n, ‖G_F(η=${
      num(narrow[0], "eta").toExponential(0)
    })‖/max stays finite (no vanishing without over-parameterisation)`,
    ratioN,
    FINITE_NARROW,
    { digits: 3 },
  ));
  const ws = part("width_sweep").sort((a, b) => num(a, "K") - num(b, "K"));
  const maxK = Math.max(...ws.map((r) => num(r, "G_norm")));
  const tail = ws.filter((r) => num(r, "K") >= 4 * N);
  const decreasing = tail.every((r, i) => i === 0 || num(r, "G_norm") < num(tail[i - 1], "G_norm"));
  const ratioK = num(ws[ws.length - 1], "G_norm") / maxK;
  const sK = logSlope(
    ws.filter((r) => num(r, "K") >= num(ws[ws.length - 1], "K") / 10),
    "K",
    "G_norm",
  );
  items.push(holds(
    "K → ∞ (η = 1): G_F → 0",
    decreasing && ratioK <= VANISHED_WIDE,
    `decreasing for K ≥ ${4 * N}: ${decreasing}; ‖G_F(K=${num(ws[ws.length - 1], "K")})‖/max = ${
      ratioK.toExponential(2)
    }; log-log slope over the last decade ${sK.toFixed(2)}`,
    `monotone decrease, ratio ≤ ${fmt(VANISHED_WIDE)}`,
  ));
  const lf = part("lemma_form").sort((a, b) => num(a, "K") - num(b, "K"));
  const errLast = num(lf[lf.length - 1], "lemma_rel_err");
  const sErr = logSlope(lf, "K", "lemma_rel_err");
  items.push(holds(
    "under the lemma's assumptions G_F ≈ η/((Kc₁+η)(nc₂+η))·ỸỸᵀF̃",
    errLast <= LEMMA_ERR && inRange(sErr, SLOPE_LEMMA),
    `relative error ${num(lf[0], "lemma_rel_err").toFixed(3)} at K=${num(lf[0], "K")} → ${
      errLast.toFixed(4)
    } at K=${num(lf[lf.length - 1], "K")}; slope in log K ${sErr.toFixed(2)}`,
    "error → 0 like K^(−1/2) (concentration of F̃F̃ᵀ/K): log-log slope in " +
      `${rangeText(SLOPE_LEMMA)}, ≤ ${fmt(LEMMA_ERR)} at the largest K`,
  ));
  return verdictOf(
    items,
    `closed form exact to ${Math.max(maxDirect, maxDual).toExponential(0)}; slopes η→∞ ${
      sHiW.toFixed(2)
    }, η→0 ${sLoW.toFixed(2)} (K ≥ n); K-sweep ratio ${ratioK.toExponential(1)}; lemma form error ${
      errLast.toFixed(3)
    }`,
  );
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "Stage I: the backpropagated gradient G_F vanishes for η → 0 (K ≥ n), η → ∞ and K → ∞",
  claim,
  grid: ({ profile, seed }) => grid(profile, seed),
  cell,
  // wall seconds per cell measured on a shared 2-core AMD EPYC (quick: 0.1…0.8 s for the closed
  // form, 5.5 s for the widest K-sweep cell, 23 s and 52 s for the two widest lemma cells)
  cost: ({ part, K }, profile) => {
    const cfg = CONFIG[profile];
    if (part === "closed_form") return 0.05 + 4e-7 * K ** 3 * cfg.compareEta.length;
    return 0.05 + (part === "lemma_form" ? 1.8e-4 : 1.2e-4) * cfg.draws * K;
  },
  check,
  fill: NaN,
  tolerances: {
    keys: ["part", "K", "eta"],
    columns: {
      rel_diff_direct: {
        atol: 1e-7,
        why: "rounding-level difference of two Float64 evaluations of the same matrix",
      },
      rel_diff_dual: {
        atol: 1e-7,
        why: "rounding-level difference of two Float64 evaluations of the same matrix",
      },
      G_norm: {
        atol: 1e-14,
        rtol: 1e-8,
        why: "Float64 eigen-decomposition; tiny norms at η → 0 carry relative rounding ~1e-10",
      },
    },
    default: {
      atol: 1e-12,
      rtol: 1e-9,
      why: "Float64 linear algebra (ml-matrix solves, symmetric eigen-decomposition): ~1e-12",
    },
  },
});

/**
 * li2/backprop-gradient-vanishes — Li² Lemma 1 (Stage I, lazy learning): with the ridge top
 * layer V* = (F̃ᵀF̃ + ηI)⁻¹F̃ᵀỸ the gradient backpropagated to the hidden layer is
 * G_F = η(F̃F̃ᵀ + ηI)⁻¹ỸỸᵀF̃(F̃ᵀF̃ + ηI)⁻¹, and it vanishes for η → 0 (width K ≥ n),
 * η → ∞ and K → ∞; under the lemma's assumptions G_F ≈ η/((Kc₁+η)(nc₂+η))·ỸỸᵀF̃.
 *
 * Read top to bottom: configuration, the four parts of the run (closed form vs definition,
 * η sweep, K sweep, the lemma's isotropic form), the claim check.
 *
 * @module
 */

import {
  type CheckItem,
  fitLine,
  num,
  type Profile,
  type Replication,
  Rng,
  type Row,
  verdictOf,
} from "../../../mod.ts";
import { cyclicGroup } from "../../../lib/science/math/groups.ts";
import {
  backpropGradientClosed,
  backpropGradientDirect,
  backpropGradientDual,
  centreColumns,
  centredTargets,
  frob,
  frobDiff,
  inputMatrix,
  matmul,
  samplePairs,
  transpose,
} from "../../../lib/science/li2/energy.ts";

// ---------------------------------------------------------------- configuration
/** Modular addition task: modulus and number of training pairs. */
const M = 7;
const N = 30;
/** Widths below and above n for the η sweep. */
const K_NARROW = 15;
const K_WIDE = 200;

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

/** Lemma-form inputs: n unit vectors with pairwise overlap ρ; labels from M_LEMMA classes. */
const RHO = 0.5;
const M_LEMMA = 5;
const ETA_LEMMA = 1;

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

// ---------------------------------------------------------------- run
async function run(ctx: Parameters<Replication["run"]>[0]): Promise<Row[]> {
  const cfg = CONFIG[ctx.profile];
  const rng = new Rng(ctx.seed + 1);
  const data = samplePairs(cyclicGroup(M), N, rng);
  const X = inputMatrix(data);
  const Y = centredTargets(data);
  const d = 2 * M;
  const rows: Row[] = [];
  const total = cfg.compareK.length + 2 + cfg.widths.length + cfg.lemmaWidths.length;
  ctx.progress.start("G_F", total);

  // (1) the closed form against the definition (Ỹ − F̃V*)V*ᵀ and the dual (n×n) form
  for (const K of cfg.compareK) {
    const F = features(X, N, d, K, rng);
    for (const eta of cfg.compareEta) {
      const s = { n: N, K, M };
      const closed = backpropGradientClosed(F, Y, eta, s);
      const direct = backpropGradientDirect(F, Y, eta, s);
      const dual = backpropGradientDual(F, Y, eta, s).G;
      rows.push({
        part: "closed_form",
        K,
        eta,
        G_norm: frob(closed),
        rel_diff_direct: frobDiff(direct, closed) / frob(closed),
        rel_diff_dual: frobDiff(dual, closed) / frob(closed),
        lemma_rel_err: NaN,
      });
    }
    ctx.progress.tick();
  }

  // (2) η sweep at a narrow (K < n) and a wide (K ≥ n) layer
  const etas = cfg.etaLog10.map((e) => 10 ** e);
  for (const K of [K_NARROW, K_WIDE]) {
    const norms = normsOverEta(X, Y, N, d, K, etas, cfg.draws, rng);
    etas.forEach((eta, i) =>
      rows.push({
        part: K < N ? "eta_sweep_narrow" : "eta_sweep_wide",
        K,
        eta,
        G_norm: norms[i],
        rel_diff_direct: NaN,
        rel_diff_dual: NaN,
        lemma_rel_err: NaN,
      })
    );
    ctx.progress.tick();
    await Promise.resolve();
  }

  // (3) width sweep at η = 1
  for (const K of cfg.widths) {
    const [g] = normsOverEta(X, Y, N, d, K, [1], cfg.draws, rng);
    rows.push({
      part: "width_sweep",
      K,
      eta: 1,
      G_norm: g,
      rel_diff_direct: NaN,
      rel_diff_dual: NaN,
      lemma_rel_err: NaN,
    });
    ctx.progress.tick();
    await Promise.resolve();
  }

  // (4) the lemma's isotropic form on inputs satisfying its assumptions: ‖x_i‖ = 1,
  // x_iᵀx_j = ρ, W Gaussian, wide layer. Then F̃F̃ᵀ → Kc₁·P₁^⊥ with c₁ = 2(1 − ρ²)
  // (E[(xᵀw)²(x'ᵀw)²] = 1 + 2ρ², E[(xᵀw)⁴] = 3), and F̃ᵀF̃ acts as the same multiple on the
  // row space of F̃, so nc₂ = Kc₁ there (see notes).
  const dl = N + 1;
  const XL = new Float64Array(N * dl);
  for (let i = 0; i < N; i++) {
    XL[i * dl] = Math.sqrt(RHO);
    XL[i * dl + 1 + i] = Math.sqrt(1 - RHO);
  }
  const lrng = new Rng(ctx.seed + 7);
  const labels = Array.from({ length: N }, (_, i) => (i < M_LEMMA ? i : lrng.int(M_LEMMA)));
  const YL = new Float64Array(N * M_LEMMA);
  for (let m = 0; m < M_LEMMA; m++) {
    const mean = labels.filter((c) => c === m).length / N;
    for (let i = 0; i < N; i++) YL[i * M_LEMMA + m] = (labels[i] === m ? 1 : 0) - mean;
  }
  const YYt = matmul(YL, transpose(YL, N, M_LEMMA), N, M_LEMMA, N);
  const c1 = 2 * (1 - RHO * RHO);
  for (const K of cfg.lemmaWidths) {
    let err = 0, gn = 0;
    for (let t = 0; t < cfg.draws; t++) {
      const F = features(XL, N, dl, K, lrng);
      const G = backpropGradientDual(F, YL, ETA_LEMMA, { n: N, K, M: M_LEMMA }).G;
      const lam = K * c1;
      const approx = matmul(YYt, F, N, N, K);
      const f = ETA_LEMMA / ((lam + ETA_LEMMA) * (lam + ETA_LEMMA));
      for (let i = 0; i < approx.length; i++) approx[i] *= f;
      err += frobDiff(G, approx) / frob(G) / cfg.draws;
      gn += frob(G) / cfg.draws;
    }
    rows.push({
      part: "lemma_form",
      K,
      eta: ETA_LEMMA,
      G_norm: gn,
      rel_diff_direct: NaN,
      rel_diff_dual: NaN,
      lemma_rel_err: err,
    });
    ctx.progress.tick();
    await Promise.resolve();
  }
  ctx.progress.done();
  return rows;
}

// ---------------------------------------------------------------- claim check
/** Least-squares slope of log10 y against log10 x. */
function logSlope(rs: Row[], x: string, y: string): number {
  return fitLine(rs.map((r) => Math.log10(num(r, x))), rs.map((r) => Math.log10(num(r, y)))).slope;
}

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
function check(rows: Row[]): ReturnType<typeof verdictOf> {
  const items: CheckItem[] = [];
  const part = (p: string) => rows.filter((r) => r.part === p);
  const cf = part("closed_form");
  const maxDirect = Math.max(...cf.map((r) => num(r, "rel_diff_direct")));
  const maxDual = Math.max(...cf.map((r) => num(r, "rel_diff_dual")));
  items.push({
    name: "closed form η(F̃F̃ᵀ+ηI)⁻¹ỸỸᵀF̃(F̃ᵀF̃+ηI)⁻¹ equals (Ỹ − F̃V*)V*ᵀ",
    pass: maxDirect <= 1e-7 && maxDual <= 1e-7,
    measured: `max relative difference ${maxDirect.toExponential(1)} (definition), ` +
      `${maxDual.toExponential(1)} (dual form) over ${cf.length} (K, η)`,
    expected: "≤ 1e-7 (Float64)",
  });
  const narrow = part("eta_sweep_narrow").sort((a, b) => num(a, "eta") - num(b, "eta"));
  const wide = part("eta_sweep_wide").sort((a, b) => num(a, "eta") - num(b, "eta"));
  const top = (rs: Row[]) => rs.filter((r) => num(r, "eta") >= num(rs[rs.length - 1], "eta") / 100);
  const bottom = (rs: Row[]) => rs.filter((r) => num(r, "eta") <= num(rs[0], "eta") * 100);
  const sHiN = logSlope(top(narrow), "eta", "G_norm"), sHiW = logSlope(top(wide), "eta", "G_norm");
  items.push({
    name: "η → ∞: G_F → 0 like 1/η",
    pass: [sHiN, sHiW].every((s) => s >= -1.05 && s <= -0.95),
    measured: `log-log slope over the last two decades: ${sHiN.toFixed(3)} (K=${K_NARROW}), ` +
      `${sHiW.toFixed(3)} (K=${K_WIDE})`,
    expected: "slope in [−1.05, −0.95]",
  });
  const maxW = Math.max(...wide.map((r) => num(r, "G_norm")));
  const sLoW = logSlope(bottom(wide), "eta", "G_norm");
  const ratioW = num(wide[0], "G_norm") / maxW;
  items.push({
    name: `η → 0 with K = ${K_WIDE} ≥ n = ${N}: G_F → 0 like η`,
    pass: sLoW >= 0.95 && sLoW <= 1.05 && ratioW <= 1e-3,
    measured: `slope over the first two decades ${sLoW.toFixed(3)}; ‖G_F(η=${
      num(wide[0], "eta").toExponential(0)
    })‖/max = ${ratioW.toExponential(2)}`,
    expected: "slope in [0.95, 1.05], ratio ≤ 1e-3",
  });
  const maxN = Math.max(...narrow.map((r) => num(r, "G_norm")));
  const ratioN = num(narrow[0], "G_norm") / maxN;
  items.push({
    name: `η → 0 needs K ≥ n: with K = ${K_NARROW} < n, G_F stays finite`,
    pass: ratioN >= 0.1,
    measured: `‖G_F(η=${num(narrow[0], "eta").toExponential(0)})‖/max = ${ratioN.toFixed(3)}`,
    expected: "≥ 0.1 (no vanishing without over-parameterisation)",
  });
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
  items.push({
    name: "K → ∞ (η = 1): G_F → 0",
    pass: decreasing && ratioK <= 1e-2,
    measured: `decreasing for K ≥ ${4 * N}: ${decreasing}; ‖G_F(K=${
      num(ws[ws.length - 1], "K")
    })‖/max = ${ratioK.toExponential(2)}; log-log slope over the last decade ${sK.toFixed(2)}`,
    expected: "monotone decrease, ratio ≤ 1e-2",
  });
  const lf = part("lemma_form").sort((a, b) => num(a, "K") - num(b, "K"));
  const errLast = num(lf[lf.length - 1], "lemma_rel_err");
  const sErr = logSlope(lf, "K", "lemma_rel_err");
  items.push({
    name: "under the lemma's assumptions G_F ≈ η/((Kc₁+η)(nc₂+η))·ỸỸᵀF̃",
    pass: errLast <= 0.1 && sErr >= -0.65 && sErr <= -0.35,
    measured: `relative error ${num(lf[0], "lemma_rel_err").toFixed(3)} at K=${num(lf[0], "K")} → ${
      errLast.toFixed(4)
    } at K=${num(lf[lf.length - 1], "K")}; slope in log K ${sErr.toFixed(2)}`,
    expected:
      "error → 0 like K^(−1/2) (concentration of F̃F̃ᵀ/K): log-log slope in [−0.65, −0.35], " +
      "≤ 0.1 at the largest K",
  });
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
const replication: Replication = {
  id: "li2/backprop-gradient-vanishes",
  title: "Stage I: the backpropagated gradient G_F vanishes for η → 0 (K ≥ n), η → ∞ and K → ∞",
  usesTf: false,
  claim: {
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
    tolerances: "Float64 linear algebra (ml-matrix solves and a symmetric eigen-decomposition): " +
      "norms and errors reproduce to ~1e-12, rtol 1e-9 leaves margin; the rounding-level " +
      "differences between the three forms of G_F (1e-16…1e-9) are compared with atol 1e-7.",
    notes: `Push-through identity: V* = (F̃ᵀF̃+ηI)⁻¹F̃ᵀỸ = F̃ᵀ(F̃F̃ᵀ+ηI)⁻¹Ỹ, so
Ỹ − F̃V* = η(F̃F̃ᵀ+ηI)⁻¹Ỹ and G_F = (Ỹ − F̃V*)V*ᵀ = η(F̃F̃ᵀ+ηI)⁻¹ỸỸᵀ(F̃F̃ᵀ+ηI)⁻¹F̃, which equals
Lemma 1's form. The sweeps use this dual form through one eigen-decomposition F̃F̃ᵀ = QΛQᵀ per draw.
Limits: η → ∞ gives G_F ≈ ỸỸᵀF̃/η. For η → 0, if Λ > 0 on the centred subspace (K ≥ n − 1),
G_F ≈ η(F̃F̃ᵀ)⁺ỸỸᵀ(F̃F̃ᵀ)⁺F̃ → 0 linearly; if K < n − 1, the null space of F̃F̃ᵀ inside the centred
subspace keeps a finite term P_nullỸỸᵀ(F̃F̃ᵀ)⁺F̃. For K → ∞ with η fixed, Λ ~ K while ‖F̃‖ ~ √K, so
‖G_F‖ ~ η K^{-3/2}.`,
  },
  run,
  check: (rows) => check(rows),
  chart: new URL("./chart.vl.json", import.meta.url),
};

export default replication;

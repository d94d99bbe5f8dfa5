/**
 * cogo/constructed-optimizers — CoGO (Tian, arXiv 2410.01779), the "exemplar constructed global
 * optimizers" of the modular-addition example: z_F6 (order 6 per frequency), the mixed
 * order-4/6 z_F4/6 and perfect memorization z_M are exact zero-loss global optimizers of the
 * 2-layer quadratic network's centred MSE; order-4 blocks alone are not.
 *
 * Every construction is built from its algebraic description with the semi-ring operations of
 * lib/modadd_algebra.ts (sum = concatenate nodes, product = Kronecker product over nodes,
 * scalar = cube-root scaling), mapped to real weights, and evaluated on all d² pairs in
 * Float64, independently of the Fourier algebra.
 *
 * Read top to bottom: configuration, the constructions, the run, the claim check.
 *
 * @module
 */

import {
  type CheckItem,
  num,
  type Profile,
  type Replication,
  Rng,
  type Row,
  verdictOf,
} from "../../../mod.ts";
import { abs, type Complex, format, polar } from "../../../lib/science/math/complex.ts";
import {
  type Element,
  evaluateFullData,
  halfFrequencies,
  kappa,
  r3,
  rnResidual,
  toNetwork,
  zF46,
  zF4Only,
  zF6,
  zM,
} from "../../../lib/science/modadd/algebra.ts";

// ---------------------------------------------------------------- configuration
/** Moduli per profile: the paper's d ∈ {23, 71, 127}, plus the small d = 7. */
const CONFIG: Record<Profile, { ds: number[] }> = {
  quick: { ds: [7, 23, 71] },
  full: { ds: [7, 23, 71, 127] },
};

/** An exact optimizer must reach a loss below this (the float64 floor is ~1e-28; see tolerances). */
const LOSS_ZERO = 1e-20;
/** The counter-examples must stay at least this far from 0 (zero output already gives 1 − 1/d). */
const LOSS_FAR = 0.5;
/** Fourier-side conditions r_kkk = 1, R_n = 0 hold to this absolute error. */
const R_TOL = 1e-10;

// ---------------------------------------------------------------- constructions
/** One construction of the run: its name, role, element, the paper's width and extra columns. */
export interface Case {
  construction: string;
  role: "optimizer" | "counter-example";
  z: Element;
  qPaper: number;
  /** The loss the construction should have: 0 (paper) or our closed form for the counter-examples. */
  lossExpected: number;
  /** Whether the input side has no DC, so that R_n and r_kkk are the complete conditions. */
  noDc: boolean;
  params: string;
}

/** The constructions for one modulus, with parameters drawn from a per-d seed. */
export function cases(d: number, seed: number): Case[] {
  const rng = new Rng(seed * 1000 + d);
  const nu = polar(1, rng.range(-Math.PI, Math.PI));
  const xi = polar(1, rng.range(-Math.PI, Math.PI));
  const nuFree = polar(rng.range(0.5, 2), rng.range(-Math.PI, Math.PI));
  const ks = halfFrequencies(d);
  const k0 = ks[rng.int(ks.length)];
  const p = (x: Complex) => format(x, 4);
  return [
    {
      construction: "z_F6",
      role: "optimizer",
      z: zF6(d, nu),
      qPaper: 3 * (d - 1),
      lossExpected: 0,
      noDc: true,
      params: `nu=${p(nu)}`,
    },
    {
      construction: "z_F6 (|nu|!=1)",
      role: "optimizer",
      z: zF6(d, nuFree),
      qPaper: 3 * (d - 1),
      lossExpected: 0,
      noDc: true,
      params: `nu=${p(nuFree)}`,
    },
    {
      construction: "z_F4/6",
      role: "optimizer",
      z: zF46(d, { k0, nu, xi }),
      qPaper: 2 * d,
      lossExpected: 0,
      noDc: true,
      params: `k0=${k0} nu=${p(nu)} xi=${p(xi)}`,
    },
    {
      construction: "z_M",
      role: "optimizer",
      z: zM(d),
      qPaper: d * d,
      lossExpected: 0,
      noDc: false,
      params: "",
    },
    {
      construction: "order-4 only",
      role: "counter-example",
      z: zF4Only(d, xi),
      qPaper: 2 * (d - 1),
      lossExpected: 2 * (1 - 1 / d),
      noDc: true,
      params: `xi=${p(xi)}`,
    },
    {
      construction: "z_F4/6 without donors",
      role: "counter-example",
      z: zF46(d, { k0, nu, xi, donors: false }),
      qPaper: 2 * d,
      lossExpected: 2 * (1 - 3 / d),
      noDc: true,
      params: `k0=${k0} nu=${p(nu)} xi=${p(xi)}`,
    },
  ];
}

/** max_{k≠0} |r_kkk − 1| and max_{k≠0} |R_n(k)| of an element (Fourier side). */
function fourierConditions(z: Element): { rDev: number; rn: number } {
  const kap = kappa(z);
  let rDev = 0, rn = 0;
  for (let k = 1; k < z.d; k++) {
    const r = r3(z, k, k, k);
    rDev = Math.max(rDev, abs({ re: r.re - 1, im: r.im }));
    rn = Math.max(rn, abs(rnResidual(z, k, kap)));
  }
  return { rDev, rn };
}

// ---------------------------------------------------------------- run
/** The row of one construction: real-space loss and accuracy, Fourier-side conditions. */
export function measure(c: Case, d: number): Row {
  const { net, maxImag } = toNetwork(c.z);
  const { loss, accuracy } = evaluateFullData(net);
  const { rDev, rn } = fourierConditions(c.z);
  return {
    construction: c.construction,
    role: c.role,
    d,
    q: c.z.q,
    q_paper: c.qPaper,
    loss,
    loss_expected: c.lossExpected,
    loss_zero_output: 1 - 1 / d,
    accuracy,
    r_kkk_max_dev: rDev,
    rn_max: rn,
    no_input_dc: c.noDc ? 1 : 0,
    max_imag_weight: maxImag,
    params: c.params,
  };
}

async function run(ctx: Parameters<Replication["run"]>[0]): Promise<Row[]> {
  const { ds } = CONFIG[ctx.profile];
  const rows: Row[] = [];
  ctx.progress.start("constructions", ds.length * 6);
  for (const d of ds) {
    for (const c of cases(d, ctx.seed)) {
      rows.push(measure(c, d));
      ctx.progress.tick();
      await Promise.resolve();
    }
  }
  ctx.progress.done();
  return rows;
}

// ---------------------------------------------------------------- claim check
/**
 * From the paper (slide "Exemplar constructed global optimizers"): z_F6, z_F4/6 and z_M are
 * global optimizers, i.e. zero loss (the MSE is ≥ 0), hence accuracy 1, with widths
 * 3(d−1) (order 6 on each of the (d−1)/2 frequencies), 2d (order 4 mixed with one order-6
 * frequency) and d² (order d per frequency). The optimum conditions in r-space: r_kkk = 1 and
 * R_n = 0 for k ≠ 0. Order-4 blocks need the order-6 mixing: alone, or with the mixing node set
 * lacking its donor output components, the loss stays far from 0.
 */
export function check(rows: Row[]): ReturnType<typeof verdictOf> {
  const items: CheckItem[] = [];
  const opt = rows.filter((r) => r.role === "optimizer");
  const ds = [...new Set(rows.map((r) => num(r, "d")))].sort((a, b) => a - b);
  const names = [...new Set(opt.map((r) => String(r.construction)))];
  const e = (x: number) => x.toExponential(1);
  for (const name of names) {
    const rs = opt.filter((r) => r.construction === name);
    const worst = Math.max(...rs.map((r) => num(r, "loss")));
    const acc = Math.min(...rs.map((r) => num(r, "accuracy")));
    items.push({
      name: `${name} is an exact global optimizer (loss 0, accuracy 1) for d = ${
        rs.map((r) => num(r, "d")).join(", ")
      }`,
      pass: rs.length === ds.length && worst <= LOSS_ZERO && acc === 1,
      measured: `max loss ${e(worst)}, min accuracy ${acc}`,
      expected: `loss ≤ ${e(LOSS_ZERO)} (float64 zero), accuracy 1 at every d`,
    });
  }
  const widthOk = opt.every((r) => num(r, "q") === num(r, "q_paper"));
  items.push({
    name: "widths: z_F6 has q = 3(d−1), z_F4/6 q = 2d, z_M q = d²",
    pass: widthOk && opt.length > 0,
    measured: ds.map((d) =>
      `d=${d}: ` + opt.filter((r) => num(r, "d") === d).map((r) => `${r.construction} ${r.q}`)
        .join(", ")
    ).join("; "),
    expected: "q equal to the paper's order count",
  });
  const noDc = opt.filter((r) => num(r, "no_input_dc") === 1);
  const rDev = Math.max(...opt.map((r) => num(r, "r_kkk_max_dev")));
  const rn = Math.max(...noDc.map((r) => num(r, "rn_max")));
  items.push({
    name: "r-space optimality conditions: r_kkk = 1 (all optimizers) and R_n = 0 (DC-free ones)",
    pass: rDev <= R_TOL && rn <= R_TOL,
    measured: `max |r_kkk − 1| ${e(rDev)}, max |R_n| ${e(rn)}`,
    expected: `both ≤ ${e(R_TOL)}`,
  });
  const ctr = rows.filter((r) => r.role === "counter-example");
  const minCtr = Math.min(...ctr.map((r) => num(r, "loss")));
  items.push({
    name: "order-4 blocks need the order-6 mixing: order-4 alone, or z_F4/6 without the donor " +
      "output components, is not a global optimizer",
    pass: ctr.length === 2 * ds.length && minCtr >= LOSS_FAR,
    measured: ctr.map((r) => `${r.construction} d=${r.d}: ${num(r, "loss").toFixed(3)}`).join(
      "; ",
    ),
    expected: `loss ≥ ${LOSS_FAR} at every d (research notes: 1.1–1.9)`,
  });
  const cfErr = Math.max(
    ...ctr.map((r) => Math.abs(num(r, "loss") - num(r, "loss_expected")) / num(r, "loss_expected")),
  );
  items.push({
    name: "(derived here) the counter-examples' loss is the R_n residual alone: 2(1 − 1/d) for " +
      "order-4 only, 2(1 − 3/d) without donors",
    pass: cfErr <= 1e-9,
    measured: `max relative deviation ${e(cfErr)}`,
    expected: "≤ 1e-9",
  });
  const f6 = opt.filter((r) => String(r.construction).startsWith("z_F6"));
  const ourValue = `max loss z_F6 ${e(Math.max(...f6.map((r) => num(r, "loss"))))}, z_F4/6 ${
    e(Math.max(...opt.filter((r) => r.construction === "z_F4/6").map((r) => num(r, "loss"))))
  }, z_M ${
    e(Math.max(...opt.filter((r) => r.construction === "z_M").map((r) => num(r, "loss"))))
  } (accuracy 1); order-4 alone ${
    ctr.filter((r) => r.construction === "order-4 only").map((r) => num(r, "loss").toFixed(2))
      .join("/")
  } for d = ${ds.join("/")}`;
  return verdictOf(items, ourValue, names.map((_, i) => i));
}

// ---------------------------------------------------------------- the replication
const replication: Replication = {
  id: "cogo/constructed-optimizers",
  title: "Constructed global optimizers z_F6, z_F4/6, z_M reach zero loss; order-4 alone does not",
  usesTf: false,
  claim: {
    statement: "For modular addition with a 2-layer quadratic network and the centred MSE, the " +
      "algebraically composed networks z_F6 = 6^{-1/3} Σ_k z_syn^(k) * z_ν^(k) * y_k " +
      "(order 6 per frequency), the mixed order-4/6 z_F4/6 = 6^{-1/3} ẑ_F6^(k0) + " +
      "4^{-1/3} Σ_{k≠k0} z_F4^(k), and perfect memorization z_M = d^{-2/3} z_a * z_b are exact " +
      "global optimizers (zero loss); the order-4 solutions only work mixed with order 6.",
    source: "Tian, Composing Global Optimizers to Reasoning Tasks via Algebraic Objects in " +
      "Neural Nets, arXiv 2410.01779 (NeurIPS 2025 as CoGS): modular-addition section, " +
      "constructed optimizers (talk slide 'Exemplar constructed global optimizers'); " +
      "research notes A11",
    paperValue: "loss 0 (global optimum) for z_F6 (q = 3(d−1)), z_F4/6 (q = 2d), z_M (q = d²)",
    scale: {
      quick: "d ∈ {7, 23, 71} (the paper's d = 23, 71 plus a small case); all d² pairs",
      full: "d ∈ {7, 23, 71, 127} (adds the paper's largest d); z_M at d = 127 has 16129 nodes",
    },
    deviations: [
      "The exact form of ẑ_F6^(k0) (the hat) is not given on the slides and the paper body was " +
      "not available; we use the construction of research notes A11, which we re-derived " +
      "(README.md): the 6 order-6 nodes at k0 (|ν| = 1) each get the identical output " +
      "component γ_k = −R_n(k)/Σ_donors κ_j at every order-4 frequency k.",
      "The definitions of y_k (one node, coefficient 1 at ±k) and u_a^i, u_b^j (u_a^i: " +
      "a_k = ω^{−ki}, b_k = 1, c_k = ω^{ki}; u_b^j symmetric) are our reading; both reproduce " +
      "the paper's widths and r_kkk = 1.",
      "ν, ξ and k0 are drawn per d from the seed (the claim is for every ν ≠ 0, |ξ| = 1); z_F6 " +
      "is also run with |ν| ≠ 1.",
      "Zero is checked in float64 as loss ≤ 1e-20; the chart draws the paper's 0 as the " +
      "float64 ε rule.",
    ],
    tolerances: "Everything is closed-form Float64 with no iteration. Optimizer losses are " +
      "rounding residue (1e-31…1e-28; output entries are O(1) sums of q terms with error " +
      "~ε√q, squared and summed over d classes), so the loss column compares with atol 1e-24: " +
      "platform bit differences stay far below it, while any construction error moves the " +
      "loss by ≥ 1e-3. The counter-example losses (~1–2) and all other columns (r-deviations " +
      "~1e-15, imaginary residue ~1e-16, accuracies, widths) use rtol 1e-9 / atol 1e-12.",
    notes: `How each construction is built (lib/modadd_algebra.ts) and why it is exact:
- Weight synthesis: W_a[j,m] = (2d)^{-1/3} Σ_k z_{a,k,j} ω^{km}, V[m,j] = (2d)^{-1/3} Σ_k z_{c,k,j} ω^{−km}.
  With this scale the loss is ℓ = d⁻¹ Σ_{k≠0} ℓ_k + 1 − 1/d (see cogo/ring-homomorphism), and
  a global optimum needs r_kkk = 1, every other r_{k1k2k} = 0, and the two ¼-terms (R_n and the
  square terms) = 0.
- z_F6: per frequency, z_syn kills r_{±k,±k,k} except r_kkk and kills R_n, z_ν kills Σa²c and
  Σb²c; since every r is a ring homomorphism, the product inherits all zeros, and r_kkk = 3·2 = 6
  is normalised by 6^{-1/3}.
- z_F4/6: z_{ν=i}*z_ξ has r_kkk = 4 and every condition except R_n (residual 2+2i after the
  4^{-1/3} scale). The order-6 nodes at k0 donate an output component that cancels it; full
  derivation in README.md. Without donors the loss is exactly 2(1 − 3/d); with order 4
  everywhere it is 2(1 − 1/d) (each order-4 frequency contributes ℓ_k = −1 + ¼|2+2i|² = 1
  instead of −1).
- z_M: node (i, j) reads token i (a side), token j (b side) and writes class i + j; the squares
  add a class-constant output that the centred loss ignores. It has input DC, so R_n is not a
  condition for it; the real-space loss is the test.`,
  },
  run,
  check: (rows) => check(rows),
  chart: new URL("./chart.vl.json", import.meta.url),
};

export default replication;

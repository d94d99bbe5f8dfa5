/**
 * cogo/constructed-optimizers — CoGO's constructed networks z_F6, z_F4/6 and z_M are exact
 * zero-loss global optimizers of modular addition; order-4 blocks alone are not.
 *
 * @module
 */

import {
  atLeast,
  atMost,
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
  where,
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

// ---------------------------------------------------------------- the claim
const claim: Claim = {
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
    "(NOTES.md): the 6 order-6 nodes at k0 (|ν| = 1) each get the identical output " +
    "component γ_k = −R_n(k)/Σ_donors κ_j at every order-4 frequency k.",
    "The definitions of y_k (one node, coefficient 1 at ±k) and u_a^i, u_b^j (u_a^i: " +
    "a_k = ω^{−ki}, b_k = 1, c_k = ω^{ki}; u_b^j symmetric) are our reading; both reproduce " +
    "the paper's widths and r_kkk = 1.",
    "ν, ξ and k0 are drawn per d from the seed (the claim is for every ν ≠ 0, |ξ| = 1); z_F6 " +
    "is also run with |ν| ≠ 1.",
    "Zero is checked in float64 as loss ≤ 1e-20; the chart draws the paper's 0 as the " +
    "float64 ε rule.",
  ],
};

// ---------------------------------------------------------------- configuration: one cell per modulus
/** Moduli per profile: the paper's d ∈ {23, 71, 127}, plus the small d = 7. */
const MODULI: Record<Profile, number[]> = {
  quick: [7, 23, 71],
  full: [7, 23, 71, 127],
};

/** An exact optimizer must reach a loss below this (the float64 floor is ~1e-28; see tolerances). */
const LOSS_ZERO = 1e-20;
/** The counter-examples must stay at least this far from 0 (zero output already gives 1 − 1/d). */
const LOSS_FAR = 0.5;
/** Fourier-side conditions r_kkk = 1, R_n = 0 hold to this absolute error. */
const R_TOL = 1e-10;
/** The counter-examples' losses match our closed forms to this relative error. */
const CLOSED_FORM_TOL = 1e-9;
// cost: z_M (d² nodes on d² pairs) dominates; measured 5 s of one core at d = 71, 72 s at 127.

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

// ---------------------------------------------------------------- the cell: every construction for one d
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

function cell({ d, seed }: { d: number; seed: number }): Row[] {
  return cases(d, seed).map((c) => measure(c, d));
}

// ---------------------------------------------------------------- claim check
/**
 * From the paper (slide "Exemplar constructed global optimizers"): z_F6, z_F4/6 and z_M are
 * global optimizers, i.e. zero loss (the MSE is ≥ 0), hence accuracy 1, with widths
 * 3(d−1) (order 6 on each of the (d−1)/2 frequencies), 2d (order 4 mixed with one order-6
 * frequency) and d² (order d per frequency). The optimum conditions in r-space: r_kkk = 1 and
 * R_n = 0 for k ≠ 0. Order-4 blocks need the order-6 mixing: alone, or with the mixing node set
 * lacking its donor output components, the loss stays far from 0. The core items are the
 * optimizers' zero losses.
 */
export function check(rows: Row[]): CheckResult {
  const items: CheckItem[] = [];
  const opt = where(rows, { role: "optimizer" });
  const ds = [...new Set(rows.map((r) => num(r, "d")))].sort((a, b) => a - b);
  const names = [...new Set(opt.map((r) => String(r.construction)))];
  const maxOf = (rs: Row[], column: string) => Math.max(...rs.map((r) => num(r, column)));
  for (const name of names) {
    const rs = where(opt, { construction: name });
    const worst = maxOf(rs, "loss");
    const acc = Math.min(...rs.map((r) => num(r, "accuracy")));
    items.push(holds(
      `${name} is an exact global optimizer (loss 0, accuracy 1) for d = ${
        rs.map((r) => num(r, "d")).join(", ")
      }`,
      rs.length === ds.length && worst <= LOSS_ZERO && acc === 1,
      `max loss ${fmt(worst)}, min accuracy ${fmt(acc)}`,
      `loss ≤ ${fmt(LOSS_ZERO)} (float64 zero), accuracy 1 at every d`,
    ));
  }
  items.push(holds(
    "widths: z_F6 has q = 3(d−1), z_F4/6 q = 2d, z_M q = d²",
    opt.length > 0 && opt.every((r) => num(r, "q") === num(r, "q_paper")),
    ds.map((d) => `d=${d}: ` + where(opt, { d }).map((r) => `${r.construction} ${r.q}`).join(", "))
      .join("; "),
    "q equal to the paper's order count",
  ));
  const rDev = maxOf(opt, "r_kkk_max_dev");
  const rn = maxOf(where(opt, { no_input_dc: 1 }), "rn_max");
  const conditions = atMost(
    "r-space optimality conditions: r_kkk = 1 (all optimizers) and R_n = 0 (DC-free ones)",
    Math.max(rDev, rn),
    R_TOL,
  );
  items.push({
    ...conditions,
    measured: `max |r_kkk − 1| ${fmt(rDev)}, max |R_n| ${fmt(rn)}`,
    expected: `both ${conditions.expected}`,
  });
  const ctr = where(rows, { role: "counter-example" });
  const far = atLeast(
    "order-4 blocks need the order-6 mixing: order-4 alone, or z_F4/6 without the donor " +
      "output components, is not a global optimizer",
    Math.min(...ctr.map((r) => num(r, "loss"))),
    LOSS_FAR,
  );
  items.push({
    ...far,
    pass: far.pass && ctr.length === 2 * ds.length,
    measured: ctr.map((r) => `${r.construction} d=${r.d}: ${num(r, "loss").toFixed(3)}`)
      .join("; "),
    expected: `loss ${far.expected} at every d (research notes: 1.1–1.9)`,
  });
  items.push(atMost(
    "(derived here) the counter-examples' loss is the R_n residual alone: 2(1 − 1/d) for " +
      "order-4 only, 2(1 − 3/d) without donors; max relative deviation",
    Math.max(
      ...ctr.map((r) =>
        Math.abs(num(r, "loss") - num(r, "loss_expected")) / num(r, "loss_expected")
      ),
    ),
    CLOSED_FORM_TOL,
  ));
  const lossOf = (match: (name: string) => boolean) =>
    fmt(maxOf(opt.filter((r) => match(String(r.construction))), "loss"), { digits: 2 });
  const ourValue = `max loss z_F6 ${lossOf((n) => n.startsWith("z_F6"))}, z_F4/6 ${
    lossOf((n) => n === "z_F4/6")
  }, z_M ${lossOf((n) => n === "z_M")} (accuracy 1); order-4 alone ${
    where(ctr, { construction: "order-4 only" }).map((r) => num(r, "loss").toFixed(2)).join("/")
  } for d = ${ds.join("/")}`;
  return verdictOf(items, ourValue, names.map((_, i) => i));
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "Constructed global optimizers z_F6, z_F4/6, z_M reach zero loss; order-4 alone does not",
  claim,
  grid: ({ profile, seed }) => MODULI[profile].map((d) => ({ d, seed })),
  cell,
  cost: ({ d }) => 0.1 + 5 * (d / 71) ** 4.6,
  check,
  tolerances: {
    keys: ["construction", "d"],
    columns: {
      loss: {
        atol: 1e-24,
        rtol: 1e-9,
        why: "optimizer losses are float64 rounding residue 1e-31…1e-28 (platform-dependent " +
          "bits); any construction error moves them by ≥ 1e-3; counter-example losses ~1–2 " +
          "compare at rtol 1e-9",
      },
    },
    default: {
      atol: 1e-12,
      rtol: 1e-9,
      why: "closed-form Float64, no iteration: r-deviations (~1e-15) and imaginary residue " +
        "(~1e-16) are rounding, far under atol 1e-12; widths and accuracies exact",
    },
  },
});

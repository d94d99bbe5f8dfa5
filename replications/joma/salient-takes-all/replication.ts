/**
 * joma/salient-takes-all — JoMA, Theorem 2 and Fig. 3 (linear activation): under
 * v̇ = Δ ∘ exp(v²/2)/A only the most salient component l* = argmax_l |Δ_l| grows without bound,
 * the others converge to finite values, erf(v_l/√2)/Δ_l is the same for every l, and with
 * K > 1 neurons V becomes low rank.
 *
 * @module
 */

import { simulate, topSingularMass, type XKind } from "../../../lib/science/joma/attention.ts";
import { AUTHORS_MU, erf, erfinv, salientOde } from "../../../lib/science/joma/dynamics.ts";
import { tokenTable } from "../../../lib/science/joma/attention.ts";
import {
  atLeast,
  atMost,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  groupBy,
  holds,
  num,
  type Profile,
  Rng,
  type Row,
  verdictOf,
  where,
} from "../../../mod.ts";

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "With linear activation, integrating out attention leaves the modified MLP " +
    "dynamics v̇ = Δ ∘ exp(v²/2)/A (Δ_l = E[g | l]·P[l]: the saliency of token l). Then " +
    "erf(v_l/√2)/Δ_l is the same for every component, so only the most salient component " +
    "l* = argmax_l |Δ_l| grows without bound while every other v_l converges to a finite " +
    "limit √2·erf⁻¹(Δ_l/Δ_l*): attention becomes sparse. With K > 1 neurons the growth " +
    "rates of V's rows differ so widely that V becomes low rank.",
  source: "Tian, Wang, Zhang, Chen, Du, JoMA, ICLR 2024, arXiv 2310.00535: Theorem 2, Fig. 3; " +
    "the trained model is the Fig. 2/3 simulation of the authors' joma/draw_figure_2_3.py",
  paperValue: "only the most salient component goes to +∞, the others stay finite (Fig. 3: " +
    "v_0[0] keeps growing to ≈ 1.7 while v_0[1..3] saturate at ≈ 0.33, 0.20, 0.06 in the " +
    "authors' code); V low rank: top singular-value share 0.16 → 0.975 with Gaussian X " +
    "(0.18 → 0.44 with random X)",
  scale: {
    quick: "ODE: the authors' Fig. 4 μ as Δ plus 2 seeded N(0, 1) saliency vectors (10 " +
      "components, t ≤ 100, RK4 dt 5e-3) and the K = 20 row ODE with Δ from X; trained " +
      "model: the authors' softmax simulation (M_c = 20, K = 20, T = 0.5, SGD 0.1, 2,000 " +
      "iterations) with Gaussian and random X, 3 seeds",
    full: "as quick with 6 seeded saliency vectors and 10 seeds of the trained model",
  },
  deviations: [
    "The slide writes the conserved quantity as erf(v_l/2)/Δ_l; for the ODE as the issue " +
    "and the slide give it, v̇ = Δ∘exp(v²/2)/A, the conserved quantity is erf(v_l/√2)/Δ_l " +
    "(erf(v/2) belongs to exp(v²/4)); we integrate v̇ = Δ∘exp(v²/τ)/A with τ = 2 and " +
    "check erf(v/√τ)/Δ (NOTES.md).",
    "A is taken as the softmax normaliser Σ_j exp(v_j²/τ) (softmax attention); the " +
    "conservation law holds for any positive A(t).",
    "The trained model is the authors' unseeded torch script re-implemented in Float64 " +
    "with seeded X noise and initial weights; its saliency Δ_{l,0} = X[l,0] − x̄_l is the " +
    "initial (uniform-prediction) gradient direction of neuron 0.",
    "Low rank is asserted for Gaussian X only: with random X the authors' own run reaches " +
    "a top singular-value share of only 0.44 in 2,000 iterations; we report ours.",
  ],
};

// ---------------------------------------------------------------- configuration
const CONFIG: Record<Profile, { deltaSeeds: number; seeds: number }> = {
  quick: { deltaSeeds: 2, seeds: 3 },
  full: { deltaSeeds: 6, seeds: 10 },
};
/** τ in exp(v²/τ). */
const TAU = 2;
/** ODE horizon and step (K = 1). */
/** (dense output while attention saturates, t ≤ 10; then every 2 time units). */
const ODE1 = { tEnd: 100, dt: 5e-3 };
/** ODE horizon and step (K = 20 rows). */
const ODEK = { tEnd: 800, points: 40, dt: 0.1 };
/** Iterations of the trained model, and how often its components are recorded. */
const TRAIN = { iterations: 2000, recordEvery: 50 };

type Params =
  | { part: "ode"; delta: string; seed: number }
  | { part: "ode-rows"; x: XKind; seed: number }
  | { part: "trained"; x: XKind; seed: number };

function grid({ profile, seed }: { profile: Profile; seed: number }): Params[] {
  const c = CONFIG[profile];
  const cells: Params[] = [{ part: "ode", delta: "authors-mu", seed }];
  for (let i = 0; i < c.deltaSeeds; i++) {
    cells.push({ part: "ode", delta: "normal", seed: seed + i });
  }
  for (const x of ["gaussian", "random"] as const) cells.push({ part: "ode-rows", x, seed });
  for (const x of ["gaussian", "random"] as const) {
    for (let i = 0; i < c.seeds; i++) cells.push({ part: "trained", x, seed: seed + i });
  }
  return cells;
}

/** The saliency vector of an ODE cell: the authors' μ, or 10 seeded N(0, 1) draws. */
export function saliency(delta: string, seed: number): number[] {
  if (delta === "authors-mu") return [...AUTHORS_MU];
  const rng = new Rng(1000 + seed);
  return Array.from({ length: 10 }, () => rng.normal());
}

/** Δ of the K > 1 row ODE from X: Δ[l, k] = X[l, k] − x̄_l (neuron k's initial gradient). */
function rowSaliency(x: XKind, seed: number): Float64Array {
  const K = 20, M = 20;
  const X = tokenTable(x, 10, 10, K, 2 * seed + 1);
  const D = new Float64Array(M * K);
  for (let l = 0; l < M; l++) {
    let m = 0;
    for (let k = 0; k < K; k++) m += X[l * K + k] / K;
    for (let k = 0; k < K; k++) D[l * K + k] = X[l * K + k] - m;
  }
  return D;
}

const linspace = (a: number, b: number, n: number) =>
  Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);

// ---------------------------------------------------------------- cells
function odeCell(delta: string, seed: number): Row[] {
  const D = saliency(delta, seed);
  const M = D.length;
  const lStar = D.reduce((best, d, l) => (Math.abs(d) > Math.abs(D[best]) ? l : best), 0);
  const times = [...linspace(0, 10, 100), ...linspace(10, ODE1.tEnd, 45).slice(1)];
  const out = salientOde({ delta: Float64Array.from(D), M, tau: TAU, times, dt: ODE1.dt });
  const rows: Row[] = [];
  times.forEach((t, i) => {
    for (let l = 0; l < M; l++) {
      const v = out[i][l];
      rows.push({
        part: "ode",
        set: delta,
        seed,
        t,
        component: l,
        delta: D[l],
        is_star: l === lStar ? 1 : 0,
        v,
        ratio: erf(v / Math.sqrt(TAU)) / D[l],
        limit: l === lStar ? NaN : Math.sqrt(TAU) * erfinv(D[l] / Math.abs(D[lStar])),
      });
    }
  });
  return rows;
}

function rowOdeCell(x: XKind, seed: number): Row[] {
  const K = 20, M = 20;
  const D = rowSaliency(x, seed);
  const norms = Array.from({ length: M }, (_, l) => {
    let s = 0;
    for (let k = 0; k < K; k++) s += D[l * K + k] ** 2;
    return Math.sqrt(s);
  });
  const lStar = norms.indexOf(Math.max(...norms));
  const times = linspace(0, ODEK.tEnd, ODEK.points);
  const out = salientOde({ delta: D, M, K, tau: TAU, times, dt: ODEK.dt });
  const rows: Row[] = [];
  times.forEach((t, i) => {
    const V = out[i];
    const mass = t > 0 ? topSingularMass(V, M, K) : NaN;
    for (let l = 0; l < M; l++) {
      let n2 = 0;
      for (let k = 0; k < K; k++) n2 += V[l * K + k] ** 2;
      const v = Math.sqrt(n2);
      rows.push({
        part: "ode-rows",
        set: x,
        seed,
        t,
        component: l,
        delta: norms[l],
        is_star: l === lStar ? 1 : 0,
        v,
        ratio: erf(v / Math.sqrt(TAU)) / norms[l],
        limit: l === lStar ? NaN : Math.sqrt(TAU) * erfinv(norms[l] / norms[lStar]),
        top_mass: mass,
      });
    }
  });
  return rows;
}

function trainedCell(
  x: XKind,
  seed: number,
  ctx: { progress(done: number, total: number): void },
): Row[] {
  const tQ = Math.round(0.75 * (TRAIN.iterations - 1) / TRAIN.recordEvery) * TRAIN.recordEvery;
  const tEnd = TRAIN.iterations - 1;
  const res = simulate({
    attention: "softmax",
    x,
    seed,
    iterations: TRAIN.iterations,
    recordEvery: TRAIN.recordEvery,
    snapshotW: [tQ, tEnd],
    onProgress: (d, t) => ctx.progress(d, t),
  });
  const { Mc, K } = res.sizes;
  const sal = (l: number, k: number) => res.X[l * K + k] - res.xbar[l];
  const rows: Row[] = [];
  for (const p of res.trace) {
    for (let l = 0; l < Mc; l++) {
      rows.push({
        part: "trained",
        set: x,
        seed,
        t: p.t,
        component: l,
        delta: sal(l, 0),
        v: p.v0[l],
        top_mass: p.topMass,
      });
    }
  }
  // Every neuron k: is the component that grew most over the last quarter its most salient one?
  const W0 = res.wSnapshots.get(tQ)!, W1 = res.wSnapshots.get(tEnd)!;
  for (let k = 0; k < K; k++) {
    let star = 0, fast = 0, best = -Infinity;
    for (let l = 0; l < Mc; l++) {
      if (Math.abs(sal(l, k)) > Math.abs(sal(star, k))) star = l;
      const g = Math.abs(W1[l * K + k] - W0[l * K + k]);
      if (g > best) [best, fast] = [g, l];
    }
    rows.push({ part: "neuron", set: x, seed, t: tEnd, component: k, star, fast });
  }
  return rows;
}

function cell(p: Params, ctx: { progress(done: number, total: number): void }): Row[] {
  if (p.part === "ode") return odeCell(p.delta, p.seed);
  if (p.part === "ode-rows") return rowOdeCell(p.x, p.seed);
  return trainedCell(p.x, p.seed, ctx);
}

// ---------------------------------------------------------------- claim check
/** Conservation of erf(v/√τ)/Δ across components, to RK4 accuracy (measured ~1e-14). */
const RATIO_SPREAD = 1e-8;
/** The salient component's late growth rate relative to |Δ*| (→ 1 once attention saturates). */
const STAR_RATE = 0.9;
/** The others' limit: |v_l(t_end) − √τ erf⁻¹(Δ_l/Δ*)|, and their late change. */
const LIMIT_TOL = 1e-6;
/** Trained model: v_0[l*]'s growth over the last quarter vs every other component's. */
const GROWTH_RATIO = 3;
/** Trained model, Gaussian X: top singular-value share at the end (authors' code: 0.975)… */
const MASS_END = 0.9;
/** …starting from that of the random initialisation (authors' code: 0.16). */
const MASS_START = 0.3;
/** Row ODE: V becomes rank one. */
const MASS_ODE = 0.99;

/**
 * The paper's assertion, per ODE saliency vector (K = 1): (1) erf(v_l/√2)/Δ_l has the same
 * value for every l at every time (spread ≤ 1e-8); (2) v_{l*} grows without bound, at a late
 * rate ≥ 0.9|Δ*| (A-normalised growth saturates at |Δ*|); (3) every other v_l has stopped
 * (change over the second half ≤ 1e-6) at its finite limit √2 erf⁻¹(Δ_l/|Δ*|) (± 1e-6).
 * Row ODE (K = 20, Δ from X): (4) the same conservation for ‖V_l‖ and V's top singular-value
 * share → ≥ 0.99. Trained model, Gaussian X, every seed: (5) neuron 0's most salient
 * component grows ≥ 3× more than any other over the last quarter of training; (6) V's top
 * singular-value share rises from ≤ 0.3 to ≥ 0.9. Random X is reported, not asserted.
 */
export function check(rows: Row[], _profile?: Profile): CheckResult {
  const items: CheckItem[] = [];
  const ode = where(rows, { part: "ode" });
  let spread = 0, worstRate = Infinity, worstLimit = 0, worstStop = 0;
  const sets: string[] = [];
  for (const [key, g] of groupBy(ode.map((r) => ({ ...r, key: `${r.set}#${r.seed}` })), "key")) {
    sets.push(String(key));
    for (const [, at] of groupBy(g, "t")) {
      const ratios = at.map((r) => num(r, "ratio"));
      spread = Math.max(spread, Math.max(...ratios) - Math.min(...ratios));
    }
    const tEnd = Math.max(...g.map((r) => num(r, "t")));
    const tMid = tEnd / 2;
    const at = (t: number, l: number) =>
      num(g.find((r) => num(r, "t") === t && num(r, "component") === l)!, "v");
    const comps = [...new Set(g.map((r) => num(r, "component")))];
    for (const l of comps) {
      const r0 = g.find((r) => num(r, "component") === l)!;
      if (num(r0, "is_star") === 1) {
        const rate = Math.abs(at(tEnd, l) - at(tMid, l)) / (tEnd - tMid) /
          Math.abs(num(r0, "delta"));
        worstRate = Math.min(worstRate, rate);
      } else {
        worstLimit = Math.max(worstLimit, Math.abs(at(tEnd, l) - num(r0, "limit")));
        worstStop = Math.max(worstStop, Math.abs(at(tEnd, l) - at(tMid, l)));
      }
    }
  }
  items.push(atMost(
    `ODE (K = 1, ${sets.length} saliency vectors): spread over l of erf(v_l/√2)/Δ_l, max over t`,
    spread,
    RATIO_SPREAD,
  ));
  items.push(atLeast(
    "ODE: late growth rate of the most salient component, in units of |Δ_l*| (min over vectors)",
    worstRate,
    STAR_RATE,
  ));
  items.push(holds(
    "ODE: every other component stops at its finite limit √2·erf⁻¹(Δ_l/|Δ_l*|)",
    worstLimit <= LIMIT_TOL && worstStop <= LIMIT_TOL,
    `max |v_l(end) − limit| ${fmt(worstLimit)}; max change over the second half ${fmt(worstStop)}`,
    `both ≤ ${fmt(LIMIT_TOL)}`,
  ));
  const odeRows = where(rows, { part: "ode-rows" });
  let rowSpread = 0;
  const massEnd: string[] = [];
  let minMass = Infinity;
  for (const [x, g] of groupBy(odeRows, "set")) {
    for (const [, at] of groupBy(g, "t")) {
      const ratios = at.map((r) => num(r, "ratio")).filter((v) => Number.isFinite(v));
      if (ratios.length) rowSpread = Math.max(rowSpread, Math.max(...ratios) - Math.min(...ratios));
    }
    const tEnd = Math.max(...g.map((r) => num(r, "t")));
    const m = num(g.find((r) => num(r, "t") === tEnd)!, "top_mass");
    minMass = Math.min(minMass, m);
    massEnd.push(`${x} ${fmt(m)}`);
  }
  items.push(holds(
    "row ODE (K = 20, Δ = X − x̄): erf(‖V_l‖/√2)/‖Δ_l‖ conserved across rows and V → rank one",
    rowSpread <= RATIO_SPREAD && minMass >= MASS_ODE,
    `spread ${fmt(rowSpread)}; top singular-value share at the end: ${massEnd.join(", ")}`,
    `spread ≤ ${fmt(RATIO_SPREAD)}; share ≥ ${MASS_ODE}`,
  ));
  const trained = where(rows, { part: "trained", set: "gaussian" });
  const ratios: number[] = [], fig3: number[] = [], lateTop: string[] = [];
  const massStart: number[] = [], massFinal: number[] = [];
  for (const [, g] of groupBy(trained, "seed")) {
    const ts = [...new Set(g.map((r) => num(r, "t")))].sort((a, b) => a - b);
    const tEnd = ts.at(-1)!;
    const tQ = ts.reduce((
      best,
      t,
    ) => (Math.abs(t - 0.75 * tEnd) < Math.abs(best - 0.75 * tEnd) ? t : best));
    const first = g.filter((r) => num(r, "t") === 0);
    const lStar = first.reduce((
      b,
      r,
    ) => (Math.abs(num(r, "delta")) > Math.abs(num(b, "delta")) ? r : b));
    const grow = (l: number) => {
      const v = (t: number) =>
        num(g.find((r) => num(r, "t") === t && num(r, "component") === l)!, "v");
      return v(tEnd) - v(tQ);
    };
    const star = num(lStar, "component");
    const others = first.map((r) => num(r, "component")).filter((l) => l !== star);
    const gStar = grow(star) * Math.sign(num(lStar, "delta"));
    ratios.push(gStar / Math.max(...others.map((l) => Math.abs(grow(l)))));
    fig3.push(grow(0) / Math.max(...[1, 2, 3].map((l) => Math.abs(grow(l)))));
    const byGrowth = [...first.map((r) => num(r, "component"))]
      .sort((a, b) => Math.abs(grow(b)) - Math.abs(grow(a)));
    lateTop.push(`{${byGrowth.slice(0, 2).join(", ")}}`);
    massStart.push(num(first[0], "top_mass"));
    massFinal.push(num(g.find((r) => num(r, "t") === tEnd)!, "top_mass"));
  }
  items.push(atLeast(
    "trained model, Gaussian X: growth of neuron 0's most salient component over the last " +
      "quarter ÷ the largest growth of any other component (min over seeds)",
    Math.min(...ratios),
    GROWTH_RATIO,
  ));
  items.push(atLeast(
    "trained model, Gaussian X: Fig. 3's components v_0[0..3] — growth of component 0 over " +
      "the last quarter ÷ the largest growth of components 1–3 (min over seeds)",
    Math.min(...fig3),
    GROWTH_RATIO,
  ));
  items.push(holds(
    "trained model, Gaussian X: V = U_Cᵀ W becomes low rank (top singular-value share)",
    Math.max(...massStart) <= MASS_START && Math.min(...massFinal) >= MASS_END,
    `${massStart.map((v) => fmt(v, { digits: 3 })).join("/")} → ${
      massFinal.map((v) => fmt(v, { digits: 3 })).join("/")
    }`,
    `start ≤ ${MASS_START}, end ≥ ${MASS_END} (authors' code 0.16 → 0.975)`,
  ));
  const rnd = where(rows, { part: "trained", set: "random" });
  const rndEnd = [...groupBy(rnd, "seed").values()].map((g) => {
    const tEnd = Math.max(...g.map((r) => num(r, "t")));
    return num(g.find((r) => num(r, "t") === tEnd)!, "top_mass");
  });
  const neurons = where(rows, { part: "neuron", set: "gaussian" });
  const agree = neurons.filter((r) => num(r, "star") === num(r, "fast")).length;
  return verdictOf(
    items,
    `erf-ratio spread ${fmt(spread)}; l* late rate ${fmt(worstRate, { digits: 3 })}|Δ*|, others ` +
      `at their limits (±${fmt(worstLimit)}); row ODE share ${massEnd.join(", ")}; trained ` +
      `growth ratio ≥ ${fmt(Math.min(...ratios), { digits: 3 })} over all components (the two ` +
      `fastest late: ${lateTop.join(" ")}), ≥ ${fmt(Math.min(...fig3), { digits: 3 })} over ` +
      `Fig. 3's v_0[0..3]; top share (Gaussian X) ` +
      `${fmt(Math.max(...massStart), { digits: 2 })} → ≥ ${
        fmt(Math.min(...massFinal), { digits: 3 })
      }, ` +
      `random X (not asserted) → ${rndEnd.map((v) => fmt(v, { digits: 2 })).join("/")}; ` +
      `${agree}/${neurons.length} neurons (Gaussian X) grow fastest late in their most salient token`,
  );
}

// ---------------------------------------------------------------- the replication
export default defineReplication<Params>({
  title: "JoMA linear case: the most salient component takes all, V becomes low rank",
  claim,
  grid,
  cell,
  cost: (p) => (p.part === "trained" ? 0.3 : p.part === "ode" ? 0.6 : 0.3),
  check,
  tolerances: {
    keys: ["part", "set", "seed", "t", "component"],
    columns: {
      delta: { atol: 1e-15, rtol: 1e-12, why: "inputs: μ constants, seeded draws, X − x̄" },
    },
    default: {
      atol: 1e-9,
      rtol: 1e-8,
      why: "Float64 RK4 (≤ 100k steps) and SGD (2,000 steps); only last-bit differences of " +
        "Math.exp/log between V8 builds; the divergent component reaches ~350, hence rtol",
    },
  },
  fill: NaN,
  recorded: {
    quick: {
      verdict: "PARTIAL",
      why: "ODE and row ODE reproduce exactly (erf ratio conserved to 5e-12, l* grows at " +
        "|Δ*|, the others stop at √2 erf⁻¹(Δ_l/Δ*) to 1e-10; V → rank one) and the trained " +
        "V becomes low rank (0.17 → 0.97), but in the trained K = 20 model neuron 0 grows in " +
        "two components, token 0 (+) and token 9 (−, shared attention: the two rows of V " +
        "with the largest ‖Δ_l‖): growth ratio 0.88 < 3 over all components (≥ 174 over " +
        "Fig. 3's components 0–3).",
    },
    full: {
      verdict: "PARTIAL",
      why: "As quick on 10 seeds: neuron 0's late growth is shared by tokens 0 and 9 on " +
        "every seed (ratio ≥ 0.874 over all components, ≥ 140 over Fig. 3's 0–3); every " +
        "other item holds (top singular-value share 0.16–0.20 → 0.965–0.975).",
    },
  },
});

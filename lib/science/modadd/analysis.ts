/**
 * Fourier analysis of trained modular-addition networks (CoGO, Tian arXiv 2410.01779),
 * exactly as the research notes A7–A9 describe the authors' analysis code:
 *
 * - {@link fourierWeights}: A, B, C coefficients (A6 conventions, via lib/fourier.ts);
 * - {@link histogramOrders} (A7 def. 1, Fig. 3/4) and {@link tableOrders} (A7 def. 2, Table 2);
 * - {@link factorizeFrequency}: the order-4/6 factorisation (A8): lexicographic pairing search
 *   keeping the first strict minimum, the sign fix (tolerance 0.2), the rank-1-in-halves
 *   error (factorable when ≤ 0.1·√(3n)), and {@link classifyFactor} (tolerance 0.1, principal
 *   cube root);
 * - {@link solutionTable}: the per-seed table columns of the slide "Gradient descent
 *   solutions match the construction";
 * - {@link rDynamics}: the Fig. 3 r-quantities.
 *
 * Everything is Float64 and uses only the +k coefficients, with node selection on A (W_a side).
 *
 * @module
 */

import {
  abs,
  add,
  cbrt,
  type Complex,
  complex,
  conj,
  div,
  mul,
  neg,
  polar,
  scale,
  sub,
} from "../math/complex.ts";
import { type ComplexMatrix, inputFourier, outputFourier } from "../math/fourier.ts";
import type { ModAddWeights } from "./train.ts";
import { argminPermutation } from "../math/permutation.ts";

/** The Fourier coefficients of one network, each d × q, indexed `[k][j]`. */
export interface FourierWeights {
  /** A[k][j] = (1/d) Σ_m W_a[j,m] ω^{−km}. */
  A: ComplexMatrix;
  /** B[k][j], same for W_b. */
  B: ComplexMatrix;
  /** C[k][j] = (1/d) Σ_m V[m,j] ω^{+km}. */
  C: ComplexMatrix;
  /** d. */
  d: number;
  /** q. */
  q: number;
}

/** Fourier coefficients of trained weights (research A6). */
export function fourierWeights(w: ModAddWeights): FourierWeights {
  const { d, q } = w;
  const rowsA = Array.from({ length: q }, (_, j) => w.wa.subarray(j * d, (j + 1) * d));
  const rowsB = Array.from({ length: q }, (_, j) => w.wb.subarray(j * d, (j + 1) * d));
  const rowsV = Array.from({ length: d }, (_, m) => w.v.subarray(m * q, (m + 1) * q));
  return { A: inputFourier(rowsA), B: inputFourier(rowsB), C: outputFourier(rowsV), d, q };
}

/** Default magnitude threshold on |A[k,j]| for a node to count at frequency k. */
export const ORDER_THRESHOLD = 0.05;

/**
 * Solution order per frequency, definition 1 (Fig. 3 / Fig. 4 histograms):
 * order[k−1] = #{ j : |A[k,j]| > threshold } for k = 1..(d−1)/2 (a node may count at several k).
 */
export function histogramOrders(f: FourierWeights, threshold = ORDER_THRESHOLD): number[] {
  const out: number[] = [];
  for (let k = 1; k <= (f.d - 1) / 2; k++) {
    let n = 0;
    for (let j = 0; j < f.q; j++) if (abs(f.A[k][j]) > threshold) n++;
    out.push(n);
  }
  return out;
}

/**
 * Node groups per frequency, definition 2 (Table 2): each node j goes to
 * best(j) = argmax_{k ∈ 0..(d−1)/2} |A[k,j]| (first maximum), kept only when that maximum
 * exceeds `threshold`. Returns `groups[k]` = the kept nodes with best(j) = k, for k = 0..(d−1)/2
 * (k = 0 collects the DC-dominated nodes, which the table ignores).
 */
export function tableGroups(f: FourierWeights, threshold = ORDER_THRESHOLD): number[][] {
  const K = (f.d - 1) / 2;
  const groups: number[][] = Array.from({ length: K + 1 }, () => []);
  for (let j = 0; j < f.q; j++) {
    let best = 0;
    let mag = abs(f.A[0][j]);
    for (let k = 1; k <= K; k++) {
      const m = abs(f.A[k][j]);
      if (m > mag) {
        mag = m;
        best = k;
      }
    }
    if (mag > threshold) groups[best].push(j);
  }
  return groups;
}

/** Orders per frequency, definition 2: `tableGroups(f)[k].length` for k = 1..(d−1)/2. */
export function tableOrders(f: FourierWeights, threshold = ORDER_THRESHOLD): number[] {
  return tableGroups(f, threshold).slice(1).map((g) => g.length);
}

/** A 3 × m complex matrix: rows a, b, c; columns nodes (or factor entries). */
export type Triple = [Complex[], Complex[], Complex[]];

/** The type names of {@link classifyFactor}, as the authors' code spells them. */
export type FactorType =
  | "order-2-xi"
  | "order-2-4c"
  | "order-2-nu"
  | "order-2-unknown"
  | "order-3-syn"
  | "order-3-syn-ab"
  | "order-3-unknown";

/** A classified factor: its type and parameter(s) (null for the "unknown" types). */
export interface FactorClass {
  /** Type name. */
  type: FactorType;
  /** ξ, ν or the "4c" a-entry for order 2; [α, β] for "order-3-syn-ab", [1, 1] for "order-3-syn". */
  param: Complex | [Complex, Complex] | null;
}

const W3 = polar(1, (2 * Math.PI) / 3);
const IM = complex(0, 1);
const ONE = complex(1, 0);
const dist = (x: Complex, y: Complex) => abs(sub(x, y));
const colNorm = (q: Triple, col: number, target: Complex) =>
  Math.hypot(dist(q[0][col], target), dist(q[1][col], target), dist(q[2][col], target));

/**
 * Classify a factor Q (3 × m, m ∈ {2, 3}, column 0 all ones) as research A8's `classify`:
 * every column is divided by the principal cube root of its a·b·c product, then the
 * order-2 tests (c ≈ ±i → ξ; c ≈ 1 and a ≈ ±i → "4c" (ν = i); a ≈ −b → ν) or the order-3
 * tests (after the sign and conjugation normalisation: both columns ≈ ω₃·1, ω̄₃·1 → syn;
 * c ≈ ω₃, ω̄₃ → syn-αβ) are applied in that order, tolerance 0.1 (0.1·√3 for whole columns).
 */
export function classifyFactor(Q: Triple): FactorClass {
  const m = Q[0].length;
  const N: Triple = [[], [], []];
  for (let col = 0; col < m; col++) {
    const r = cbrt(mul(mul(Q[0][col], Q[1][col]), Q[2][col]));
    for (let row = 0; row < 3; row++) N[row].push(div(Q[row][col], r));
  }
  if (m === 2) {
    const [a, b, c] = [N[0][1], N[1][1], N[2][1]];
    if (dist(c, IM) < 0.1 || dist(c, neg(IM)) < 0.1) return { type: "order-2-xi", param: a };
    if (dist(c, ONE) < 0.1 && (dist(a, IM) < 0.1 || dist(a, neg(IM)) < 0.1)) {
      return { type: "order-2-4c", param: a };
    }
    if (abs(add(a, b)) < 0.1) return { type: "order-2-nu", param: a };
    return { type: "order-2-unknown", param: null };
  }
  if (m === 3) {
    for (const col of [1, 2]) {
      if (N[0][col].re > 0) {
        N[0][col] = neg(N[0][col]);
        N[1][col] = neg(N[1][col]);
      }
    }
    let M: Triple = N;
    if (N[2][1].im < 0) M = N.map((row) => row.map(conj)) as Triple;
    const W3c = conj(W3);
    const tol3 = 0.1 * Math.sqrt(3);
    if (colNorm(M, 1, W3) < tol3 && colNorm(M, 2, W3c) < tol3) {
      return { type: "order-3-syn", param: [ONE, ONE] };
    }
    if (dist(M[2][1], W3) < 0.1 && dist(M[2][2], W3c) < 0.1) {
      return { type: "order-3-syn-ab", param: [div(M[0][1], W3), div(M[0][2], W3)] };
    }
    return { type: "order-3-unknown", param: null };
  }
  throw new RangeError(`classifyFactor: factor with ${m} columns (need 2 or 3)`);
}

/** The outcome of factorising one order-4 or order-6 frequency. */
export interface Factorization {
  /** Number of nodes n (4 or 6). */
  n: number;
  /** The pairing permutation π* (columns of F in search order). */
  perm: number[];
  /** Frobenius error of the rank-1-in-halves fit. */
  err: number;
  /** err ≤ 0.1·√(3n). */
  factorable: boolean;
  /** The two factors' classes, ordered by type name (plain string order); null when not factorable. */
  factors: [FactorClass, FactorClass] | null;
}

/** Factorable iff err ≤ FACTOR_TOL·√(3n). */
export const FACTOR_TOL = 0.1;

/**
 * Factorise the 3 × n matrix F (rows A, B, C at +k of the n nodes, n ∈ {4, 6}) as research A8:
 * (1) pairing search over all n! column orders in lexicographic order, keeping the first
 * strict minimum of ‖r − mean r‖₂ with r_i = C_{π(i)} / C_{π(i+n/2)};
 * (2) sign fix: t_i = a_{i+n/2}/a_i, negate a_i, b_i where |t_i − t_0| > 0.2;
 * (3) R = F[:, n/2:] / F[:, :n/2], err = ‖R − rowmean R‖_F; factors [1, rowmean R] and
 * F[:, :n/2] with each row divided by its first entry, each classified.
 */
export function factorizeFrequency(F: Triple): Factorization {
  const n = F[0].length;
  if (n % 2 !== 0 || n < 2) throw new RangeError(`factorizeFrequency: n = ${n} is not even`);
  const h = n / 2;
  const c = F[2];
  const { perm } = argminPermutation(n, (p) => {
    const r: Complex[] = [];
    for (let i = 0; i < h; i++) r.push(div(c[p[i]], c[p[i + h]]));
    let mean = complex(0, 0);
    for (const x of r) mean = add(mean, x);
    mean = scale(mean, 1 / h);
    let s = 0;
    for (const x of r) s += abs(sub(x, mean)) ** 2;
    return Math.sqrt(s);
  });
  const G: Triple = [perm.map((j) => F[0][j]), perm.map((j) => F[1][j]), perm.map((j) => F[2][j])];
  // sign fix for the (−1, −1, +1) node symmetry
  const t = Array.from({ length: h }, (_, i) => div(G[0][i + h], G[0][i]));
  for (let i = 0; i < h; i++) {
    if (abs(sub(t[i], t[0])) > 0.2) {
      G[0][i] = neg(G[0][i]);
      G[1][i] = neg(G[1][i]);
    }
  }
  const R = G.map((row) => Array.from({ length: h }, (_, i) => div(row[i + h], row[i])));
  const means = R.map((row) => scale(row.reduce(add, complex(0, 0)), 1 / h));
  let e2 = 0;
  R.forEach((row, r) => row.forEach((x) => (e2 += abs(sub(x, means[r])) ** 2)));
  const err = Math.sqrt(e2);
  const factorable = err <= FACTOR_TOL * Math.sqrt(3 * n);
  if (!factorable) return { n, perm, err, factorable, factors: null };
  const comp1: Triple = [[ONE, means[0]], [ONE, means[1]], [ONE, means[2]]];
  const comp2 = G.map((row) => row.slice(0, h).map((x) => div(x, row[0]))) as Triple;
  let f1 = classifyFactor(comp1);
  let f2 = classifyFactor(comp2);
  if (f1.type > f2.type) [f1, f2] = [f2, f1];
  return { n, perm, err, factorable, factors: [f1, f2] };
}

/** Solution-distribution bucket of a factorised frequency (the slide's four columns). */
export type SolutionBucket = "nui_xi" | "nui_synab" | "nu_syn" | "others";

/** Bucket of a factorable frequency's (sorted) factor types, as the table code pools them. */
export function solutionBucket(types: [FactorType, FactorType]): SolutionBucket {
  const [t1, t2] = types;
  if (t1 === "order-2-4c" && t2 === "order-2-xi") return "nui_xi";
  if (t1 === "order-2-4c" && (t2 === "order-3-syn-ab" || t2 === "order-3-syn")) {
    return "nui_synab";
  }
  if (t1 === "order-2-nu" && t2 === "order-3-syn") return "nu_syn";
  return "others";
}

/** One network's row of the solution table (research A8 aggregation, before the seed mean). */
export interface SolutionStats {
  /** (d−1)/2 − n4 − n6: frequencies whose order (def. 2) is not 4 or 6 (a count). */
  notOrder46: number;
  /** Frequencies of order 4 and 6. */
  n4: number;
  /** Frequencies of order 6. */
  n6: number;
  /** Non-factorable order-4 / order-6 frequencies. */
  nonfact4: number;
  /** Non-factorable order-6 frequencies. */
  nonfact6: number;
  /** Errors of the factorable order-4 frequencies. */
  errs4: number[];
  /** Errors of the factorable order-6 frequencies. */
  errs6: number[];
  /** Counts per bucket over the factorable frequencies. */
  buckets: Record<SolutionBucket, number>;
  /** Factorable frequencies (n4 + n6 − nonfact4 − nonfact6). */
  nfact: number;
  /** Per frequency k = 1..(d−1)/2: order (def. 2), and the factorisation when order is 4 or 6. */
  perFrequency: { k: number; order: number; fact: Factorization | null }[];
}

/** Factorise every order-4/6 frequency of one network and count the table's quantities. */
export function solutionStats(f: FourierWeights, threshold = ORDER_THRESHOLD): SolutionStats {
  const groups = tableGroups(f, threshold);
  const out: SolutionStats = {
    notOrder46: 0,
    n4: 0,
    n6: 0,
    nonfact4: 0,
    nonfact6: 0,
    errs4: [],
    errs6: [],
    buckets: { nui_xi: 0, nui_synab: 0, nu_syn: 0, others: 0 },
    nfact: 0,
    perFrequency: [],
  };
  for (let k = 1; k < groups.length; k++) {
    const J = groups[k];
    const n = J.length;
    if (n !== 4 && n !== 6) {
      out.notOrder46++;
      out.perFrequency.push({ k, order: n, fact: null });
      continue;
    }
    const F: Triple = [J.map((j) => f.A[k][j]), J.map((j) => f.B[k][j]), J.map((j) => f.C[k][j])];
    const fact = factorizeFrequency(F);
    out.perFrequency.push({ k, order: n, fact });
    if (n === 4) out.n4++;
    else out.n6++;
    if (!fact.factorable) {
      if (n === 4) out.nonfact4++;
      else out.nonfact6++;
      continue;
    }
    (n === 4 ? out.errs4 : out.errs6).push(fact.err);
    out.nfact++;
    out.buckets[solutionBucket([fact.factors![0].type, fact.factors![1].type])]++;
  }
  return out;
}

/** The slide table's columns for one network (percentages ×100, errors ×100 as printed). */
export interface SolutionRow {
  /** Count of frequencies not of order 4/6 (the slide's "% not order-4/6" is this count). */
  not46: number;
  /** 100·nonfact4/n4 (NaN when n4 = 0). */
  nonfact4: number;
  /** 100·nonfact6/n6 (NaN when n6 = 0). */
  nonfact6: number;
  /** 100·mean err over factorable order-4 (NaN when none). */
  err4: number;
  /** 100·mean err over factorable order-6 (NaN when none). */
  err6: number;
  /** 100·share of z_{ν=i}*z_ξ among factorable frequencies. */
  nui_xi: number;
  /** 100·share of z_{ν=i}*z_{syn,αβ} (syn-αβ and plain syn). */
  nui_synab: number;
  /** 100·share of z_ν*z_syn. */
  nu_syn: number;
  /** 100·share of other factorisations. */
  others: number;
}

/** The table row of one network's {@link SolutionStats}. */
export function solutionRow(s: SolutionStats): SolutionRow {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const pct = (c: number) => (s.nfact > 0 ? (100 * c) / s.nfact : NaN);
  return {
    not46: s.notOrder46,
    nonfact4: s.n4 > 0 ? (100 * s.nonfact4) / s.n4 : NaN,
    nonfact6: s.n6 > 0 ? (100 * s.nonfact6) / s.n6 : NaN,
    err4: 100 * mean(s.errs4),
    err6: 100 * mean(s.errs6),
    nui_xi: pct(s.buckets.nui_xi),
    nui_synab: pct(s.buckets.nui_synab),
    nu_syn: pct(s.buckets.nu_syn),
    others: pct(s.buckets.others),
  };
}

/** The Fig. 3 r-quantities of one network (paper normalisation: 2d × the code sums). */
export interface RDynamics {
  /** Σ_{k=0}^{d−1} Re r_kkk (target d − 1). */
  diag: number;
  /** Σ over all (k1,k2,k) not all equal of Re r_{k1k2k} (target 0). */
  offDiag: number;
  /** |r_{a,k,−k,k}| = |2d Σ_j |A[k,j]|² C[k,j]| for k = 1..(d−1)/2 (index k−1). */
  rAkk: number[];
  /** |2d Σ_j A[k,j] conj(A[k+1,j]) C[k,j]| for k = 1..(d−1)/2 (the m = 1 variant). */
  rAk1: number[];
}

/**
 * r-dynamics quantities of research A9. The sum over ALL triples is computed in closed form:
 * Σ_{k1,k2,k} r_{k1k2k} = 2d Σ_j (Σ_k A[k,j])(Σ_k B[k,j])(Σ_k C[k,j]) = 2d Σ_j W_a[j,0] W_b[j,0] V[0,j]
 * (the inverse DFTs at m = 0), so offDiag = that total − diag (unit-tested against brute force).
 */
export function rDynamics(w: ModAddWeights, f: FourierWeights = fourierWeights(w)): RDynamics {
  const { d, q } = w;
  let diag = 0;
  for (let k = 0; k < d; k++) {
    let s = complex(0, 0);
    for (let j = 0; j < q; j++) s = add(s, mul(mul(f.A[k][j], f.B[k][j]), f.C[k][j]));
    diag += 2 * d * s.re;
  }
  let total = 0;
  for (let j = 0; j < q; j++) total += w.wa[j * d] * w.wb[j * d] * w.v[j];
  total *= 2 * d;
  const rAkk: number[] = [];
  const rAk1: number[] = [];
  for (let k = 1; k <= (d - 1) / 2; k++) {
    let s0 = complex(0, 0);
    let s1 = complex(0, 0);
    for (let j = 0; j < q; j++) {
      s0 = add(s0, scale(f.C[k][j], abs(f.A[k][j]) ** 2));
      s1 = add(s1, mul(mul(f.A[k][j], conj(f.A[(k + 1) % d][j])), f.C[k][j]));
    }
    rAkk.push(2 * d * abs(s0));
    rAk1.push(2 * d * abs(s1));
  }
  return { diag, offDiag: total - diag, rAkk, rAk1 };
}

/**
 * The algebra of the 2-layer quadratic network for modular addition (CoGO: Tian, "Composing
 * Global Optimizers to Reasoning Tasks via Algebraic Objects in Neural Nets", arXiv 2410.01779),
 * in Float64. One place for:
 *
 * - the **weight-space model** ({@link QuadNet}): W_a, W_b ∈ R^{q×d}, V ∈ R^{d×q}, no biases;
 *   for a pair (a, b): h = W_a[:, a] + W_b[:, b], s = h ⊙ h, o = V s ∈ R^d;
 * - the **centred MSE** of the authors' code (research notes A3): per sample
 *   ‖P o − (e_y − 1/d)‖² with P = I − 11ᵀ/d, summed over the d classes and averaged over
 *   samples; zero output gives 1 − 1/d ({@link evaluateFullData}, {@link centredSquaredError});
 * - the **semi-ring of node sets** ({@link Element}): each hidden node j carries complex
 *   per-frequency coefficients z_{a,k,j}, z_{b,k,j}, z_{c,k,j} (k ∈ Z_d) in the paper's
 *   normalisation z = (2d)^{1/3} × the 1/d-DFT coefficients of lib/fourier.ts. Sum
 *   ({@link sum}) concatenates nodes, product ({@link product}) is the Kronecker product over
 *   nodes, elementwise in k; the unit ({@link unit}) is one node with every coefficient 1;
 * - the **r-quantities** r_{k1k2k}(z) = Σ_j z_{a,k1,j} z_{b,k2,j} z_{c,k,j} and
 *   r_{p,k1,k2,k}(z) = Σ_j z_{p,k1,j} z_{p,k2,j} z_{c,k,j} (p ∈ {a, b}), which are ring
 *   homomorphisms, and the **loss decomposition** ℓ = d⁻¹ Σ_{k≠0} ℓ_k + 1 − 1/d
 *   ({@link lossFromR}), exact when the input weights have no DC component;
 * - the paper's **building blocks** (z_syn, z_ν, z_{ν=i}, z_ξ, y_k, u_a, u_b) and the
 *   **constructed global optimizers** z_F6, z_F4/6 and z_M ({@link zF6}, {@link zF46},
 *   {@link zM}), mapped to weights by {@link toNetwork}.
 *
 * Weight synthesis (research notes A6/A11): W_a[j, m] = (2d)^{-1/3} Σ_k z_{a,k,j} ω^{km},
 * W_b likewise, V[m, j] = (2d)^{-1/3} Σ_k z_{c,k,j} ω^{−km}, ω = e^{2πi/d}. With this scale
 * r_kkk = 1 for every k ≠ 0 (plus the other conditions) is a zero-loss global optimum.
 *
 * ```ts
 * import { evaluateFullData, toNetwork, zF6 } from "./algebra.ts";
 * import { polar } from "../math/complex.ts";
 * const { net } = toNetwork(zF6(23, polar(1, 0.4)));
 * evaluateFullData(net); // { loss: ~1e-30, accuracy: 1 }
 * ```
 *
 * @module
 */

import { type Complex, conj, div, mul, neg, polar, powInt } from "../math/complex.ts";
import { inputFourier, outputFourier, rootTable } from "../math/fourier.ts";
import type { Rng } from "../math/rng.ts";

// ------------------------------------------------------------------------------------------
// Weight space
// ------------------------------------------------------------------------------------------

/** A 2-layer quadratic network for a + b mod d, in weight space (no biases). */
export interface QuadNet {
  /** Modulus (number of tokens and of classes). */
  d: number;
  /** Hidden width. */
  q: number;
  /** W_a: q rows (nodes) of length d (tokens). */
  Wa: Float64Array[];
  /** W_b: q rows (nodes) of length d (tokens). */
  Wb: Float64Array[];
  /** V: d rows (classes) of length q (nodes). */
  V: Float64Array[];
}

/** The output o = V (W_a[:, a] + W_b[:, b])² ∈ R^d for one pair (a, b). */
export function forward(net: QuadNet, a: number, b: number): Float64Array {
  const { d, q, Wa, Wb, V } = net;
  const s = new Float64Array(q);
  for (let j = 0; j < q; j++) {
    const h = Wa[j][a] + Wb[j][b];
    s[j] = h * h;
  }
  const o = new Float64Array(d);
  for (let m = 0; m < d; m++) {
    let acc = 0;
    const row = V[m];
    for (let j = 0; j < q; j++) acc += row[j] * s[j];
    o[m] = acc;
  }
  return o;
}

/**
 * The authors' per-sample loss ‖P o − (e_y − 1/d·1)‖² (P centres over classes): the squared
 * error summed over the d classes. Zero output gives 1 − 1/d.
 */
export function centredSquaredError(o: ArrayLike<number>, y: number): number {
  const d = o.length;
  let mean = 0;
  for (let m = 0; m < d; m++) mean += o[m];
  mean /= d;
  let s = 0;
  for (let m = 0; m < d; m++) {
    const e = o[m] - mean - ((m === y ? 1 : 0) - 1 / d);
    s += e * e;
  }
  return s;
}

/** Full-data loss and accuracy of a network. */
export interface FullDataMetrics {
  /** Centred MSE averaged over all d² pairs (a, b). */
  loss: number;
  /** Fraction of pairs whose argmax output (first maximum) is (a + b) mod d. */
  accuracy: number;
}

/**
 * Centred MSE and accuracy of `net` on all d² pairs (a, b) with label (a + b) mod d, in
 * Float64. Cost d³·q multiply-adds (for each a, the d×d block of outputs over b is built node
 * by node), so d = 127 with q = d² takes tens of seconds.
 */
export function evaluateFullData(net: QuadNet): FullDataMetrics {
  const { d, q, Wa, Wb, V } = net;
  const VT: Float64Array[] = Array.from({ length: q }, (_, j) => {
    const col = new Float64Array(d);
    for (let m = 0; m < d; m++) col[m] = V[m][j];
    return col;
  });
  const O = new Float64Array(d * d); // O[m*d + b] for the current a
  const s = new Float64Array(d);
  const o = new Float64Array(d);
  let lossSum = 0, correct = 0;
  for (let a = 0; a < d; a++) {
    O.fill(0);
    for (let j = 0; j < q; j++) {
      const wa = Wa[j][a], wb = Wb[j], vj = VT[j];
      for (let b = 0; b < d; b++) {
        const h = wa + wb[b];
        s[b] = h * h;
      }
      for (let m = 0; m < d; m++) {
        const v = vj[m];
        if (v === 0) continue;
        const base = m * d;
        for (let b = 0; b < d; b++) O[base + b] += v * s[b];
      }
    }
    for (let b = 0; b < d; b++) {
      const y = (a + b) % d;
      let best = 0;
      for (let m = 0; m < d; m++) {
        o[m] = O[m * d + b];
        if (o[m] > o[best]) best = m;
      }
      lossSum += centredSquaredError(o, y);
      if (best === y) correct++;
    }
  }
  return { loss: lossSum / (d * d), accuracy: correct / (d * d) };
}

// ------------------------------------------------------------------------------------------
// Semi-ring elements
// ------------------------------------------------------------------------------------------

/** A complex array in split storage; element (node j, frequency k) sits at index j·d + k. */
export interface SplitComplex {
  /** Real parts. */
  re: Float64Array;
  /** Imaginary parts. */
  im: Float64Array;
}

/**
 * A semi-ring element: q hidden nodes, each with complex coefficients at every frequency
 * k ∈ 0..d−1 for the three weight groups a (W_a), b (W_b), c (V), in the paper's
 * normalisation (see the module doc). Index (j, k) ↦ j·d + k.
 */
export interface Element {
  /** Modulus. */
  d: number;
  /** Number of nodes. */
  q: number;
  /** Input coefficients on the a side. */
  a: SplitComplex;
  /** Input coefficients on the b side. */
  b: SplitComplex;
  /** Output coefficients. */
  c: SplitComplex;
}

/** Which group of weights: a (W_a), b (W_b) or c (V). */
export type Part = "a" | "b" | "c";

/** One node as three length-d lists of complex coefficients (index k). */
export interface NodeCoefficients {
  /** a-side coefficients z_{a,k}, k = 0..d−1. */
  a: Complex[];
  /** b-side coefficients z_{b,k}. */
  b: Complex[];
  /** Output coefficients z_{c,k}. */
  c: Complex[];
}

function split(n: number): SplitComplex {
  return { re: new Float64Array(n), im: new Float64Array(n) };
}

/** An element of q nodes with all coefficients 0. */
export function zeroElement(d: number, q: number): Element {
  return { d, q, a: split(q * d), b: split(q * d), c: split(q * d) };
}

/** Coefficient z_{p,k,j} (k taken mod d). */
export function coef(z: Element, p: Part, k: number, j: number): Complex {
  const d = z.d, i = j * d + (((k % d) + d) % d);
  return { re: z[p].re[i], im: z[p].im[i] };
}

/** Set z_{p,k,j} (k taken mod d) in place. */
export function setCoef(z: Element, p: Part, k: number, j: number, v: Complex): void {
  const d = z.d, i = j * d + (((k % d) + d) % d);
  z[p].re[i] = v.re;
  z[p].im[i] = v.im;
}

/** An element from explicit per-node coefficient lists (each of length d). */
export function elementFromNodes(d: number, nodes: NodeCoefficients[]): Element {
  const z = zeroElement(d, nodes.length);
  nodes.forEach((n, j) => {
    for (const p of ["a", "b", "c"] as const) {
      if (n[p].length !== d) throw new RangeError(`node ${j}: ${p} has length ${n[p].length}`);
      for (let k = 0; k < d; k++) setCoef(z, p, k, j, n[p][k]);
    }
  });
  return z;
}

/**
 * A block living on the frequency pair ±k: node j has (a, b, c) = `nodes[j]` at +k and the
 * conjugates at −k (so the weights are real), 0 elsewhere (DC included). Needs 0 < k < d/2.
 */
export function frequencyBlock(
  d: number,
  k: number,
  nodes: ReadonlyArray<readonly [Complex, Complex, Complex]>,
): Element {
  if (!(k > 0 && 2 * k < d)) throw new RangeError(`frequency k=${k} must satisfy 0 < k < d/2`);
  const z = zeroElement(d, nodes.length);
  nodes.forEach((n, j) => {
    (["a", "b", "c"] as const).forEach((p, i) => {
      setCoef(z, p, k, j, n[i]);
      setCoef(z, p, -k, j, conj(n[i]));
    });
  });
  return z;
}

/** Options of {@link randomElement}. */
export interface RandomElementOptions {
  /** Standard deviation of the real and of the imaginary part of each coefficient (default 0.5). */
  sigma?: number;
  /** Also draw the input DC z_{a,0}, z_{b,0} (real); default false (DC-free input side). */
  inputDc?: boolean;
}

/**
 * A random Hermitian element (real weights) of q nodes: every coefficient at 0 < k < d/2 is
 * complex normal, −k its conjugate, z_{c,0} real normal, and the input DC 0 unless
 * `inputDc` (the condition under which {@link lossFromR} is exact). Needs odd d.
 */
export function randomElement(
  rng: Rng,
  d: number,
  q: number,
  opts: RandomElementOptions = {},
): Element {
  if (d % 2 !== 1) throw new RangeError(`randomElement needs odd d, got ${d}`);
  const sigma = opts.sigma ?? 0.5;
  const z = zeroElement(d, q);
  for (let j = 0; j < q; j++) {
    for (const p of ["a", "b", "c"] as const) {
      if (p === "c" || opts.inputDc) setCoef(z, p, 0, j, { re: sigma * rng.normal(), im: 0 });
      for (let k = 1; 2 * k < d; k++) {
        const v = { re: sigma * rng.normal(), im: sigma * rng.normal() };
        setCoef(z, p, k, j, v);
        setCoef(z, p, -k, j, conj(v));
      }
    }
  }
  return z;
}

/** Ring addition: concatenate the node sets (z1's nodes first). */
export function sum(...zs: Element[]): Element {
  if (zs.length === 0) throw new RangeError("sum of no elements");
  const d = zs[0].d;
  const q = zs.reduce((s, z) => {
    if (z.d !== d) throw new RangeError(`sum: moduli differ (${d} vs ${z.d})`);
    return s + z.q;
  }, 0);
  const out = zeroElement(d, q);
  let off = 0;
  for (const z of zs) {
    for (const p of ["a", "b", "c"] as const) {
      out[p].re.set(z[p].re, off * d);
      out[p].im.set(z[p].im, off * d);
    }
    off += z.q;
  }
  return out;
}

/**
 * Ring multiplication: the Kronecker product over nodes. Node (j1, j2) (index j1·q2 + j2) has
 * z_{p,k,(j1,j2)} = z1_{p,k,j1} · z2_{p,k,j2} for every p and k. More than two factors fold
 * from the left.
 */
export function product(...zs: Element[]): Element {
  if (zs.length === 0) throw new RangeError("product of no elements");
  let acc = zs[0];
  for (let t = 1; t < zs.length; t++) acc = product2(acc, zs[t]);
  return acc;
}

function product2(z1: Element, z2: Element): Element {
  const d = z1.d;
  if (z2.d !== d) throw new RangeError(`product: moduli differ (${d} vs ${z2.d})`);
  const out = zeroElement(d, z1.q * z2.q);
  for (const p of ["a", "b", "c"] as const) {
    const x = z1[p], y = z2[p], o = out[p];
    for (let j1 = 0; j1 < z1.q; j1++) {
      for (let j2 = 0; j2 < z2.q; j2++) {
        const oj = (j1 * z2.q + j2) * d, i1 = j1 * d, i2 = j2 * d;
        for (let k = 0; k < d; k++) {
          const xr = x.re[i1 + k], xi = x.im[i1 + k], yr = y.re[i2 + k], yi = y.im[i2 + k];
          o.re[oj + k] = xr * yr - xi * yi;
          o.im[oj + k] = xr * yi + xi * yr;
        }
      }
    }
  }
  return out;
}

/**
 * Scalar multiple s·z: every coefficient of a, b and c times the real s, so every r-quantity
 * scales by s³ (the paper's 6^{-1/3} z, d^{-2/3} z).
 */
export function scaleElement(z: Element, s: number): Element {
  const out = zeroElement(z.d, z.q);
  for (const p of ["a", "b", "c"] as const) {
    for (let i = 0; i < z.q * z.d; i++) {
      out[p].re[i] = s * z[p].re[i];
      out[p].im[i] = s * z[p].im[i];
    }
  }
  return out;
}

/** The multiplicative unit 1: one node with every coefficient equal to 1. */
export function unit(d: number): Element {
  const z = zeroElement(d, 1);
  for (const p of ["a", "b", "c"] as const) z[p].re.fill(1);
  return z;
}

/**
 * A copy of z in which every node gets an extra output component γ at frequency k (and γ̄ at
 * −k): z_{c,k,j} += γ for all j. This is the "donor" modification of z_F4/6 (see {@link zF46}).
 */
export function addOutputComponent(z: Element, k: number, gamma: Complex): Element {
  const out = sum(z);
  for (let j = 0; j < z.q; j++) {
    const x = coef(out, "c", k, j);
    setCoef(out, "c", k, j, { re: x.re + gamma.re, im: x.im + gamma.im });
    const y = coef(out, "c", -k, j);
    setCoef(out, "c", -k, j, { re: y.re + gamma.re, im: y.im - gamma.im });
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// Building blocks (research notes A11); each lives on ±k, written by its +k values
// ------------------------------------------------------------------------------------------

const ONE: Complex = { re: 1, im: 0 };
const IU: Complex = { re: 0, im: 1 };

/** z_syn^(k): 3 nodes (ω₃^j, ω₃^j, ω₃^j), j = 0, 1, 2, ω₃ = e^{2πi/3}; r_kkk = 3. */
export function zSyn(d: number, k: number): Element {
  const w = [0, 1, 2].map((j) => polar(1, (2 * Math.PI * j) / 3));
  return frequencyBlock(d, k, w.map((x) => [x, x, x] as const));
}

/** z_ν^(k): 2 nodes (1, 1, 1) and (ν, −ν, −ν⁻²); r_kkk = 2, kills Σ a²c and Σ b²c. */
export function zNu(d: number, k: number, nu: Complex): Element {
  return frequencyBlock(d, k, [[ONE, ONE, ONE], [nu, neg(nu), neg(powInt(nu, -2))]]);
}

/** z_{ν=i}^(k) = z_ν^(k) at ν = i: nodes (1, 1, 1) and (i, −i, 1). */
export function zNuI(d: number, k: number): Element {
  return zNu(d, k, IU);
}

/** z_ξ^(k) (|ξ| = 1): nodes (1, 1, 1) and (ξ, −iξ̄, i); r_kkk = 2. */
export function zXi(d: number, k: number, xi: Complex): Element {
  return frequencyBlock(d, k, [[ONE, ONE, ONE], [xi, neg(mul(IU, conj(xi))), IU]]);
}

/**
 * y_k: one node with a = b = c = 1 at ±k and 0 elsewhere. Multiplying by it keeps only the
 * ±k coefficients of every node (it places a block on frequency k).
 */
export function yK(d: number, k: number): Element {
  return frequencyBlock(d, k, [[ONE, ONE, ONE]]);
}

/**
 * u_a^i: one node with z_{a,k} = ω^{−ki}, z_{b,k} = 1, z_{c,k} = ω^{ki} at every k (DC
 * included). In weight space (before the (2d)^{-1/3} scale): a one-hot on token i for W_a,
 * on token 0 for W_b, and on class i for V (each times d).
 */
export function uA(d: number, i: number): Element {
  const z = zeroElement(d, 1);
  for (let k = 0; k < d; k++) {
    const w = polar(1, (-2 * Math.PI * ((k * i) % d)) / d);
    setCoef(z, "a", k, 0, w);
    setCoef(z, "b", k, 0, ONE);
    setCoef(z, "c", k, 0, conj(w));
  }
  return z;
}

/** u_b^j: one node with z_{a,k} = 1, z_{b,k} = ω^{−kj}, z_{c,k} = ω^{kj} at every k. */
export function uB(d: number, j: number): Element {
  const z = zeroElement(d, 1);
  for (let k = 0; k < d; k++) {
    const w = polar(1, (-2 * Math.PI * ((k * j) % d)) / d);
    setCoef(z, "a", k, 0, ONE);
    setCoef(z, "b", k, 0, w);
    setCoef(z, "c", k, 0, conj(w));
  }
  return z;
}

// ------------------------------------------------------------------------------------------
// r-quantities and the loss decomposition
// ------------------------------------------------------------------------------------------

/** r_{k1k2k}(z) = Σ_j z_{a,k1,j} z_{b,k2,j} z_{c,k,j} (indices mod d). */
export function r3(z: Element, k1: number, k2: number, k: number): Complex {
  return triple(z, "a", "b", k1, k2, k);
}

/** r_{p,k1,k2,k}(z) = Σ_j z_{p,k1,j} z_{p,k2,j} z_{c,k,j}, p ∈ {a, b}. */
export function rp(z: Element, p: "a" | "b", k1: number, k2: number, k: number): Complex {
  return triple(z, p, p, k1, k2, k);
}

function triple(z: Element, p1: Part, p2: Part, k1: number, k2: number, k: number): Complex {
  const d = z.d, md = (x: number) => ((x % d) + d) % d;
  const i1 = md(k1), i2 = md(k2), i3 = md(k);
  const x = z[p1], y = z[p2], c = z.c;
  let re = 0, im = 0;
  for (let j = 0, o = 0; j < z.q; j++, o += d) {
    const xr = x.re[o + i1], xi = x.im[o + i1], yr = y.re[o + i2], yi = y.im[o + i2];
    const pr = xr * yr - xi * yi, pi = xr * yi + xi * yr;
    const cr = c.re[o + i3], ci = c.im[o + i3];
    re += pr * cr - pi * ci;
    im += pr * ci + pi * cr;
  }
  return { re, im };
}

/**
 * All d³ values of a triple r-quantity, flat at index (k1·d + k2)·d + k:
 * `rTable(z)` gives r_{k1k2k}; `rTable(z, "a")` / `rTable(z, "b")` give r_{p,k1,k2,k}.
 */
export function rTable(z: Element, p?: "a" | "b"): SplitComplex {
  const d = z.d, q = z.q;
  const x = z[p ?? "a"], y = z[p ?? "b"], c = z.c;
  const out = split(d * d * d);
  for (let j = 0, o = 0; j < q; j++, o += d) {
    for (let k1 = 0; k1 < d; k1++) {
      const xr = x.re[o + k1], xi = x.im[o + k1];
      if (xr === 0 && xi === 0) continue;
      for (let k2 = 0; k2 < d; k2++) {
        const yr = y.re[o + k2], yi = y.im[o + k2];
        if (yr === 0 && yi === 0) continue;
        const pr = xr * yr - xi * yi, pi = xr * yi + xi * yr;
        const base = (k1 * d + k2) * d;
        for (let k = 0; k < d; k++) {
          const cr = c.re[o + k], ci = c.im[o + k];
          out.re[base + k] += pr * cr - pi * ci;
          out.im[base + k] += pr * ci + pi * cr;
        }
      }
    }
  }
  return out;
}

/** Per-node κ_j = Σ_k (z_{a,k,j} z_{a,−k,j} + z_{b,k,j} z_{b,−k,j}) (= Σ_k |a|²+|b|² if Hermitian). */
export function kappa(z: Element): Complex[] {
  const d = z.d, out: Complex[] = [];
  for (let j = 0; j < z.q; j++) {
    let re = 0, im = 0;
    for (const p of ["a", "b"] as const) {
      for (let k = 0; k < d; k++) {
        const x = coef(z, p, k, j), y = coef(z, p, -k, j);
        re += x.re * y.re - x.im * y.im;
        im += x.re * y.im + x.im * y.re;
      }
    }
    out.push({ re, im });
  }
  return out;
}

/**
 * The "R_n" residual at output frequency k: Σ_p Σ_{k'} r_{p,k',−k',k}(z) = Σ_j z_{c,k,j} κ_j,
 * summed over all nodes. A global optimizer needs it to vanish at every k ≠ 0. Pass `kap`
 * (= `kappa(z)`) when evaluating many k.
 */
export function rnResidual(z: Element, k: number, kap: Complex[] = kappa(z)): Complex {
  let re = 0, im = 0;
  for (let j = 0; j < z.q; j++) {
    const c = coef(z, "c", k, j);
    re += c.re * kap[j].re - c.im * kap[j].im;
    im += c.re * kap[j].im + c.im * kap[j].re;
  }
  return { re, im };
}

/** The parts of the loss decomposition. */
export interface LossDecomposition {
  /** d⁻¹ Σ_{k≠0} ℓ_k + 1 − 1/d. */
  loss: number;
  /** ℓ_k for k = 0..d−1 (ℓ_0 is not used and reported as 0). */
  perFrequency: Float64Array;
}

/**
 * The paper's loss decomposition from r-quantities alone:
 *
 *     ℓ = d⁻¹ Σ_{k≠0} ℓ_k + 1 − 1/d,
 *     ℓ_k = −2 r_kkk + Σ_{k1,k2} |r_{k1k2k}|² + ¼ |Σ_p Σ_{k'} r_{p,k',−k',k}|²
 *           + ¼ Σ_{m≠0} Σ_p |Σ_{k'} r_{p,k',m−k',k}|².
 *
 * It equals {@link evaluateFullData}'s loss on `toNetwork(z)` when z is Hermitian (real
 * weights) and z_{a,0,j} = z_{b,0,j} = 0 (no DC on the input side); z_{c,0} is free because the
 * centred loss ignores the class-mean of the output. `−2 r_kkk` enters as −2 Re r_kkk (the
 * ±k pair sums to a real number). Cost O(d³ q).
 */
export function lossFromR(z: Element): LossDecomposition {
  const d = z.d;
  const r = rTable(z), ra = rTable(z, "a"), rb = rTable(z, "b");
  const at = (k1: number, k2: number, k: number) =>
    (((k1 % d) + d) % d * d + (((k2 % d) + d) % d)) * d + k;
  const per = new Float64Array(d);
  let total = 0;
  for (let k = 1; k < d; k++) {
    let lk = -2 * r.re[at(k, k, k)];
    for (let k1 = 0; k1 < d; k1++) {
      for (let k2 = 0; k2 < d; k2++) {
        const i = at(k1, k2, k);
        lk += r.re[i] * r.re[i] + r.im[i] * r.im[i];
      }
    }
    for (let m = 0; m < d; m++) {
      let sar = 0, sai = 0, sbr = 0, sbi = 0;
      for (let kp = 0; kp < d; kp++) {
        const i = at(kp, m - kp, k);
        sar += ra.re[i];
        sai += ra.im[i];
        sbr += rb.re[i];
        sbi += rb.im[i];
      }
      if (m === 0) {
        const tr = sar + sbr, ti = sai + sbi;
        lk += 0.25 * (tr * tr + ti * ti);
      } else {
        lk += 0.25 * (sar * sar + sai * sai + sbr * sbr + sbi * sbi);
      }
    }
    per[k] = lk;
    total += lk;
  }
  return { loss: total / d + 1 - 1 / d, perFrequency: per };
}

// ------------------------------------------------------------------------------------------
// Weight space ↔ semi-ring
// ------------------------------------------------------------------------------------------

/** The network of an element, and how far its synthesised weights were from real. */
export interface Synthesis {
  /** The weights. */
  net: QuadNet;
  /** max |Im| over all synthesised weights (≈ 1e-16 for a Hermitian element). */
  maxImag: number;
}

/**
 * Weights of an element: W_a[j, m] = (2d)^{-1/3} Σ_k z_{a,k,j} ω^{km} (W_b likewise) and
 * V[m, j] = (2d)^{-1/3} Σ_k z_{c,k,j} ω^{−km}; the real parts are kept and the largest
 * imaginary part is reported. Cost 3·q·d² (zero coefficients skipped).
 */
export function toNetwork(z: Element): Synthesis {
  const { d, q } = z;
  const s = Math.cbrt(1 / (2 * d));
  const { cos, sin } = rootTable(d);
  let maxImag = 0;
  const synth = (x: SplitComplex, j: number, sign: 1 | -1): Float64Array => {
    const w = new Float64Array(d), wi = new Float64Array(d);
    const o = j * d;
    for (let k = 0; k < d; k++) {
      const xr = x.re[o + k], xi = x.im[o + k];
      if (xr === 0 && xi === 0) continue;
      for (let m = 0, n = 0; m < d; m++, n = (n + k) % d) {
        const c = cos[n], sn = sign * sin[n];
        w[m] += xr * c - xi * sn;
        wi[m] += xr * sn + xi * c;
      }
    }
    for (let m = 0; m < d; m++) {
      w[m] *= s;
      maxImag = Math.max(maxImag, Math.abs(s * wi[m]));
    }
    return w;
  };
  const Wa: Float64Array[] = [], Wb: Float64Array[] = [];
  const V: Float64Array[] = Array.from({ length: d }, () => new Float64Array(q));
  for (let j = 0; j < q; j++) {
    Wa.push(synth(z.a, j, 1));
    Wb.push(synth(z.b, j, 1));
    const v = synth(z.c, j, -1);
    for (let m = 0; m < d; m++) V[m][j] = v[m];
  }
  return { net: { d, q, Wa, Wb, V }, maxImag };
}

/**
 * The element of a network: z = (2d)^{1/3} × the 1/d-DFT coefficients (lib/fourier.ts
 * conventions: conjugated basis on W_a, W_b, plain basis on V). Inverse of {@link toNetwork}.
 */
export function fromNetwork(net: QuadNet): Element {
  const { d, q } = net;
  const s = Math.cbrt(2 * d);
  const z = zeroElement(d, q);
  const A = inputFourier(net.Wa), B = inputFourier(net.Wb), C = outputFourier(net.V);
  for (let k = 0; k < d; k++) {
    for (let j = 0; j < q; j++) {
      const i = j * d + k;
      z.a.re[i] = s * A[k][j].re;
      z.a.im[i] = s * A[k][j].im;
      z.b.re[i] = s * B[k][j].re;
      z.b.im[i] = s * B[k][j].im;
      z.c.re[i] = s * C[k][j].re;
      z.c.im[i] = s * C[k][j].im;
    }
  }
  return z;
}

// ------------------------------------------------------------------------------------------
// Constructed global optimizers
// ------------------------------------------------------------------------------------------

/** The frequencies 1..(d−1)/2 (one of each ±k pair; d odd). */
export function halfFrequencies(d: number): number[] {
  if (d % 2 !== 1 || d < 3) throw new RangeError(`d must be odd and ≥ 3, got ${d}`);
  return Array.from({ length: (d - 1) / 2 }, (_, i) => i + 1);
}

/**
 * z_F6 = 6^{-1/3} Σ_{k=1}^{(d−1)/2} z_syn^(k) * z_ν^(k) * y_k: 6 nodes per frequency,
 * q = 3(d − 1). A zero-loss global optimizer for any ν ≠ 0.
 */
export function zF6(d: number, nu: Complex): Element {
  const blocks = halfFrequencies(d).map((k) => product(zSyn(d, k), zNu(d, k, nu), yK(d, k)));
  return scaleElement(sum(...blocks), Math.cbrt(1 / 6));
}

/** The order-4 block z_F4^(k) = z_{ν=i}^(k) * z_ξ^(k) * y_k (4 nodes, r_kkk = 4, unscaled). */
export function zF4Block(d: number, k: number, xi: Complex): Element {
  return product(zNuI(d, k), zXi(d, k, xi), yK(d, k));
}

/**
 * The order-4-only candidate 4^{-1/3} Σ_k z_F4^(k): it has r_kkk = 1 and satisfies every
 * condition except R_n (Σ_j z_{c,k,j} κ_j = 2 + 2i ≠ 0 after scaling), so it is NOT a global
 * optimizer; its loss is 2(1 − 1/d).
 */
export function zF4Only(d: number, xi: Complex): Element {
  const blocks = halfFrequencies(d).map((k) => zF4Block(d, k, xi));
  return scaleElement(sum(...blocks), Math.cbrt(1 / 4));
}

/** Options of {@link zF46}. */
export interface F46Options {
  /** The order-6 (donor) frequency k0 ∈ 1..(d−1)/2. */
  k0: number;
  /** ν of the order-6 block; must have |ν| = 1 for the donors to be exact. */
  nu: Complex;
  /** ξ of the order-4 blocks (|ξ| = 1). */
  xi: Complex;
  /** Give the order-6 nodes the compensating output components (default true). */
  donors?: boolean;
}

/**
 * The mixed order-4/6 optimizer z_F4/6 = 6^{-1/3} ẑ_F6^(k0) + 4^{-1/3} Σ_{k≠k0} z_F4^(k),
 * q = 6 + 4((d−1)/2 − 1) = 2d. The order-4 blocks leave the residual R_n(k) = Σ_j c_kj κ_j ≠ 0
 * at their frequencies; ẑ_F6^(k0) is the order-6 block whose 6 nodes each get the identical
 * extra output component γ_k = −R_n(k) / Σ_{donors} κ_j at every order-4 frequency k. Because
 * Σ ab, Σ āb, Σ ab̄, Σ āb̄ and Σ a², Σ b² all vanish over z_syn*z_ν when |ν| = 1, this component
 * only enters the R_n term and cancels it (derivation: replications/cogo/constructed-optimizers/
 * NOTES.md). `donors: false` gives the failing variant (loss 2(1 − 3/d)).
 */
export function zF46(d: number, opts: F46Options): Element {
  const { k0, nu, xi, donors = true } = opts;
  const ks = halfFrequencies(d);
  if (!ks.includes(k0)) throw new RangeError(`k0=${k0} is not in 1..${(d - 1) / 2}`);
  const four = scaleElement(
    sum(...ks.filter((k) => k !== k0).map((k) => zF4Block(d, k, xi))),
    Math.cbrt(1 / 4),
  );
  let six = scaleElement(product(zSyn(d, k0), zNu(d, k0, nu), yK(d, k0)), Math.cbrt(1 / 6));
  if (donors && four.q > 0) {
    const kap = kappa(six);
    let total: Complex = { re: 0, im: 0 };
    for (const x of kap) total = { re: total.re + x.re, im: total.im + x.im };
    for (const k of ks) {
      if (k === k0) continue;
      six = addOutputComponent(six, k, neg(div(rnResidual(four, k), total)));
    }
  }
  return four.q > 0 ? sum(six, four) : six;
}

/**
 * Perfect memorization z_M = d^{-2/3} z_a * z_b with z_a = Σ_i u_a^i, z_b = Σ_j u_b^j:
 * q = d² nodes; node (i, j) reads token i on the a side, token j on the b side and writes
 * class (i + j) mod d.
 */
export function zM(d: number): Element {
  const za = sum(...Array.from({ length: d }, (_, i) => uA(d, i)));
  const zb = sum(...Array.from({ length: d }, (_, j) => uB(d, j)));
  return scaleElement(product(za, zb), Math.pow(d, -2 / 3));
}

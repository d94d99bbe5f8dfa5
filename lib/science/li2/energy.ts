/**
 * Float64 mathematics of Tian's Li² grokking analysis (arXiv 2509.21519) for group arithmetic
 * a·b = c with a two-layer network h = σ(x·w), σ(x) = x²:
 *
 * - data: pairs (a, b) of a {@link FiniteGroup}, inputs x = (e_a ⊕ e_b)/√2 (unit-norm rows),
 *   targets Ỹ = P₁^⊥ Y (one-hot labels centred over the samples);
 * - Stage I: the ridge top layer V* = (F̃ᵀF̃ + ηI)⁻¹F̃ᵀỸ and the backpropagated gradient
 *   G_F = (Ỹ − F̃V*)V*ᵀ = η(F̃F̃ᵀ + ηI)⁻¹ỸỸᵀF̃(F̃ᵀF̃ + ηI)⁻¹ (Lemma 1), three ways;
 * - Stage II: the energy E(w) = ½‖Tᵀσ(Xw)‖² (T = Ỹ, or a residual target for Stage III's E_S),
 *   its gradient and projected (Riemannian) gradient ascent on the unit sphere ‖w‖ = 1;
 * - the spectrum of a weight vector over the group's real isotypic classes;
 * - the hidden features σ(Xw) of a set of nodes (for the least-squares fits of Theorem 3 and
 *   Theorem 7, done with `leastSquaresResidual` of lib/science/math/linalg.ts).
 *
 * Matrices are row-major Float64Arrays (generic linear algebra: lib/science/math/linalg.ts).
 *
 * @module
 */

import { solve } from "ml-matrix";
import type { FiniteGroup } from "../math/groups.ts";
import { isotypicProjectors } from "../math/groups.ts";
import type { Rng } from "../math/rng.ts";
import { fromMatrix, gramRows, matmul, symEig, toMatrix, transpose } from "../math/linalg.ts";

// ---------------------------------------------------------------- data

/** Training pairs of a group task: a_i · b_i = c_i. */
export interface PairData {
  /** The group. */
  group: FiniteGroup;
  /** First operands. */
  a: Int32Array;
  /** Second operands. */
  b: Int32Array;
  /** Labels c = a·b. */
  c: Int32Array;
}

/** Pair data from pair ids p = a·M + b. */
export function pairsFromIds(group: FiniteGroup, ids: ArrayLike<number>): PairData {
  const M = group.order;
  const a = new Int32Array(ids.length),
    b = new Int32Array(ids.length),
    c = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    a[i] = Math.floor(ids[i] / M);
    b[i] = ids[i] % M;
    c[i] = group.mul[a[i] * M + b[i]];
  }
  return { group, a, b, c };
}

/** All M² pairs, in id order. */
export function allPairs(group: FiniteGroup): PairData {
  return pairsFromIds(group, Array.from({ length: group.order ** 2 }, (_, i) => i));
}

/** n pairs drawn uniformly without replacement (a seeded shuffle of the ids). */
export function samplePairs(group: FiniteGroup, n: number, rng: Rng): PairData {
  const ids = rng.shuffle(Array.from({ length: group.order ** 2 }, (_, i) => i)).slice(0, n);
  return pairsFromIds(group, ids);
}

/** Input matrix X (n × 2M): rows (e_a ⊕ e_b)·scale; scale 1/√2 gives unit-norm rows. */
export function inputMatrix(d: PairData, scale = Math.SQRT1_2): Float64Array {
  const M = d.group.order, n = d.a.length;
  const X = new Float64Array(n * 2 * M);
  for (let i = 0; i < n; i++) {
    X[i * 2 * M + d.a[i]] = scale;
    X[i * 2 * M + M + d.b[i]] = scale;
  }
  return X;
}

/** Centred targets Ỹ = P₁^⊥ Y (n × M): one-hot labels minus their column means over the samples. */
export function centredTargets(d: PairData): Float64Array {
  const M = d.group.order, n = d.c.length;
  const Y = new Float64Array(n * M);
  const mean = new Float64Array(M);
  for (let i = 0; i < n; i++) mean[d.c[i]] += 1 / n;
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < M; m++) Y[i * M + m] = (d.c[i] === m ? 1 : 0) - mean[m];
  }
  return Y;
}

// ---------------------------------------------------------------- energy (Stage II)

/**
 * The energy E(w) = ½‖Tᵀσ(Xw)‖² of one hidden node, w = [u; v] ∈ R^{2M}, σ(x) = x², with
 * unit-norm input rows (h_i = (u_{a_i} + v_{b_i})/√2). T defaults to Ỹ (Li² Eqn. 8, computed
 * in O(n) from the label counts); a dense T (n × cols) gives e.g. Stage III's E_S.
 */
export class Energy {
  /** The pairs the energy is summed over. */
  readonly data: PairData;
  /** Dimension 2M of w = [u; v]. */
  readonly dim: number;
  readonly #target: Float64Array | null;
  readonly #cols: number;
  readonly #mean: Float64Array;
  readonly #h: Float64Array;
  readonly #s: Float64Array;
  readonly #z: Float64Array;
  readonly #g: Float64Array;

  /** Energy over `data`, optionally with a dense target T (n × cols) instead of Ỹ. */
  constructor(data: PairData, target?: { T: Float64Array; cols: number }) {
    const n = data.a.length, M = data.group.order;
    this.data = data;
    this.dim = 2 * M;
    this.#target = target ? target.T : null;
    this.#cols = target ? target.cols : M;
    if (target && target.T.length !== n * target.cols) throw new RangeError("Energy: target shape");
    this.#mean = new Float64Array(M);
    for (let i = 0; i < n; i++) this.#mean[data.c[i]] += 1 / n;
    this.#h = new Float64Array(n);
    this.#s = new Float64Array(n);
    this.#z = new Float64Array(this.#cols);
    this.#g = new Float64Array(n);
  }

  /** E(w); when `grad` is given, writes ∇E(w) into it. */
  evaluate(w: Float64Array, grad?: Float64Array): number {
    const { a, b, c } = this.data;
    const M = this.data.group.order, n = a.length, cols = this.#cols;
    const h = this.#h, s = this.#s, z = this.#z, g = this.#g;
    z.fill(0);
    let total = 0;
    for (let i = 0; i < n; i++) {
      h[i] = (w[a[i]] + w[M + b[i]]) * Math.SQRT1_2;
      s[i] = h[i] * h[i];
      total += s[i];
    }
    const T = this.#target;
    if (T === null) {
      for (let i = 0; i < n; i++) z[c[i]] += s[i];
      for (let m = 0; m < M; m++) z[m] -= this.#mean[m] * total;
    } else {
      for (let i = 0; i < n; i++) {
        const si = s[i], row = i * cols;
        for (let m = 0; m < cols; m++) z[m] += T[row + m] * si;
      }
    }
    let e = 0;
    for (let m = 0; m < cols; m++) e += z[m] * z[m];
    e *= 0.5;
    if (grad) {
      if (T === null) {
        let kappa = 0;
        for (let m = 0; m < M; m++) kappa += z[m] * this.#mean[m];
        for (let i = 0; i < n; i++) g[i] = z[c[i]] - kappa;
      } else {
        for (let i = 0; i < n; i++) {
          let acc = 0;
          const row = i * cols;
          for (let m = 0; m < cols; m++) acc += T[row + m] * z[m];
          g[i] = acc;
        }
      }
      grad.fill(0);
      for (let i = 0; i < n; i++) {
        const dh = 2 * h[i] * g[i] * Math.SQRT1_2;
        grad[a[i]] += dh;
        grad[M + b[i]] += dh;
      }
    }
    return e;
  }
}

/** A uniformly random unit vector of dimension `dim`. */
export function randomUnit(rng: Rng, dim: number): Float64Array {
  const w = rng.fill(dim, (r) => r.normal());
  return normalise(w);
}

/** Scale a vector to unit Euclidean norm in place; returns it. */
export function normalise(w: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * w[i];
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < w.length; i++) w[i] *= inv;
  return w;
}

/** Options of {@link ascend}. */
export interface AscentOptions {
  /** Maximum number of accepted or rejected steps (default 20000). */
  maxIter?: number;
  /** Stop when the Riemannian gradient norm ≤ tol·max(1, E) (default 1e-7; rounding stalls the ascent near 1e-8). */
  tol?: number;
  /** Initial step size (default 1). */
  lr?: number;
}

/** Outcome of {@link ascend}. */
export interface AscentResult {
  /** The final unit-norm weights. */
  w: Float64Array;
  /** E at w. */
  energy: number;
  /** Iterations used. */
  iters: number;
  /** Final Riemannian gradient norm. */
  gradNorm: number;
  /** Whether the tolerance was met. */
  converged: boolean;
}

/**
 * Projected gradient ascent of E on the unit sphere: w ← (w + lr·g_⊥)/‖·‖ with the Riemannian
 * gradient g_⊥ = ∇E − (wᵀ∇E)w; lr grows ×1.2 on an accepted (non-decreasing) step and halves
 * on a rejected one, so the energy never decreases.
 */
export function ascend(energy: Energy, w0: Float64Array, opts: AscentOptions = {}): AscentResult {
  const maxIter = opts.maxIter ?? 20000, tol = opts.tol ?? 1e-7;
  let lr = opts.lr ?? 1;
  const dim = energy.dim;
  let w = normalise(Float64Array.from(w0));
  const grad = new Float64Array(dim), g2 = new Float64Array(dim);
  let e = energy.evaluate(w, grad);
  let gn = 0;
  let it = 0;
  for (; it < maxIter; it++) {
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += w[i] * grad[i];
    gn = 0;
    for (let i = 0; i < dim; i++) {
      grad[i] -= dot * w[i];
      gn += grad[i] * grad[i];
    }
    gn = Math.sqrt(gn);
    if (gn <= tol * Math.max(1, e)) {
      return { w, energy: e, iters: it, gradNorm: gn, converged: true };
    }
    const trial = new Float64Array(dim);
    for (let i = 0; i < dim; i++) trial[i] = w[i] + lr * grad[i];
    normalise(trial);
    const et = energy.evaluate(trial, g2);
    if (et >= e) {
      w = trial;
      e = et;
      grad.set(g2);
      lr *= 1.2;
    } else {
      lr *= 0.5;
      energy.evaluate(w, grad);
      if (lr < 1e-300) break;
    }
  }
  return { w, energy: e, iters: it, gradNorm: gn, converged: false };
}

/**
 * Share of ‖w‖² (w = [u; v]) in each real isotypic class of the group, in `group.irreps`
 * order: (‖P_k u‖² + ‖P_k v‖²)/‖w‖². Pass precomputed projectors to save work.
 */
export function spectrum(
  group: FiniteGroup,
  w: Float64Array,
  projectors: Float64Array[] = isotypicProjectors(group),
): Float64Array {
  const M = group.order;
  let total = 0;
  for (let i = 0; i < 2 * M; i++) total += w[i] * w[i];
  const out = new Float64Array(projectors.length);
  projectors.forEach((P, k) => {
    let s = 0;
    for (let half = 0; half < 2; half++) {
      const off = half * M;
      for (let x = 0; x < M; x++) {
        let acc = 0;
        for (let y = 0; y < M; y++) acc += P[x * M + y] * w[off + y];
        s += acc * acc;
      }
    }
    out[k] = s / total;
  });
  return out;
}

// ---------------------------------------------------------------- Stage I: ridge and G_F

/** Sizes of a Stage-I problem: F̃ is n×K, Ỹ is n×M. */
export interface StageIShape {
  /** Samples. */
  n: number;
  /** Hidden width. */
  K: number;
  /** Output classes. */
  M: number;
}

/** Ridge top layer V* = (F̃ᵀF̃ + ηI)⁻¹F̃ᵀỸ (K×M), by a K×K linear solve. */
export function ridgeTopLayer(
  F: Float64Array,
  Y: Float64Array,
  eta: number,
  s: StageIShape,
): Float64Array {
  const Fm = toMatrix(F, s.n, s.K);
  const A = Fm.transpose().mmul(Fm);
  for (let i = 0; i < s.K; i++) A.set(i, i, A.get(i, i) + eta);
  return fromMatrix(solve(A, Fm.transpose().mmul(toMatrix(Y, s.n, s.M))));
}

/** G_F by its definition: (Ỹ − F̃V*)V*ᵀ with the ridge V* (n×K). */
export function backpropGradientDirect(
  F: Float64Array,
  Y: Float64Array,
  eta: number,
  s: StageIShape,
): Float64Array {
  const V = ridgeTopLayer(F, Y, eta, s);
  const R = Float64Array.from(Y);
  const FV = matmul(F, V, s.n, s.K, s.M);
  for (let i = 0; i < R.length; i++) R[i] -= FV[i];
  return matmul(R, transpose(V, s.K, s.M), s.n, s.M, s.K);
}

/** G_F by Lemma 1's closed form η(F̃F̃ᵀ + ηI)⁻¹ỸỸᵀF̃(F̃ᵀF̃ + ηI)⁻¹, with explicit inverses. */
export function backpropGradientClosed(
  F: Float64Array,
  Y: Float64Array,
  eta: number,
  s: StageIShape,
): Float64Array {
  const Fm = toMatrix(F, s.n, s.K), Ym = toMatrix(Y, s.n, s.M);
  const A = Fm.mmul(Fm.transpose());
  for (let i = 0; i < s.n; i++) A.set(i, i, A.get(i, i) + eta);
  const B = Fm.transpose().mmul(Fm);
  for (let i = 0; i < s.K; i++) B.set(i, i, B.get(i, i) + eta);
  const left = solve(A, Ym.mmul(Ym.transpose()).mmul(Fm));
  const right = solve(B, left.transpose()).transpose(); // left·B⁻¹ (B symmetric)
  return fromMatrix(right.mul(eta));
}

/**
 * G_F in the dual (n×n) form η R ỸỸᵀ R F̃ with R = (F̃F̃ᵀ + ηI)⁻¹ taken from the eigen-
 * decomposition of F̃F̃ᵀ (uses F̃(F̃ᵀF̃ + ηI)⁻¹ = (F̃F̃ᵀ + ηI)⁻¹F̃); cost O(n²K + n³), so wide
 * layers are cheap. Also returns the eigenvalues of F̃F̃ᵀ.
 */
export function backpropGradientDual(
  F: Float64Array,
  Y: Float64Array,
  eta: number,
  s: StageIShape,
  eig?: { values: Float64Array; Q: Float64Array },
): { G: Float64Array; eig: { values: Float64Array; Q: Float64Array } } {
  const { n, K, M } = s;
  const e = eig ?? symEig(gramRows(F, n, K), n);
  const { values, Q } = e;
  // RY = Q diag(1/(λ+η)) Qᵀ Ỹ  (n×M)
  const QtY = matmul(transpose(Q, n, n), Y, n, n, M);
  for (let i = 0; i < n; i++) {
    const f = 1 / (Math.max(values[i], 0) + eta);
    for (let m = 0; m < M; m++) QtY[i * M + m] *= f;
  }
  const RY = matmul(Q, QtY, n, n, M);
  // C = η RY RYᵀ (n×n), G = C F̃ (n×K)
  const C = matmul(RY, transpose(RY, n, M), n, M, n);
  for (let i = 0; i < C.length; i++) C[i] *= eta;
  return { G: matmul(C, F, n, n, K), eig: e };
}

// ---------------------------------------------------------------- features

/** Hidden features σ(Xw_j) = ((u_a + v_b)/√2)² of K nodes (rows of Wt, K × 2M) on the pairs: n×K. */
export function squareFeatures(d: PairData, Wt: Float64Array, K: number): Float64Array {
  const M = d.group.order, n = d.a.length;
  const F = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < K; j++) {
      const h = (Wt[j * 2 * M + d.a[i]] + Wt[j * 2 * M + M + d.b[i]]) * Math.SQRT1_2;
      F[i * K + j] = h * h;
    }
  }
  return F;
}

/**
 * JoMA's reduced ("modified MLP") dynamics of the contextual components v of a neuron's
 * weight, once self-attention is integrated out (arXiv 2310.00535, Sec. 4–5):
 *
 * - linear activation (Theorem 2, Fig. 3): v̇ = Δ ∘ exp(v²/τ)/A, with saliency Δ_l and the
 *   attention normaliser A = Σ_j exp(v_j²/τ); for K > 1 neurons, row l of V ∈ R^{M×K} obeys
 *   V̇_l = Δ_l exp(‖V_l‖²/τ)/A with A = Σ_j exp(‖V_j‖²/τ);
 * - nonlinear activation (Fig. 4, the authors' `joma/draw_figure_4.py`): the discrete iteration
 *   v ← v + η (μ − v) ∘ softmax(v²/T), whose attention entropy first falls, then rises.
 *
 * Plus the special functions the conservation law needs (erf, erf⁻¹ in Float64).
 *
 * @module
 */

import { integrateRk4 } from "../math/ode.ts";

// ---------------------------------------------------------------- special functions

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * The error function erf(x) = (2/√π) ∫₀ˣ e^{−s²} ds to ~1e-16: the positive series
 * (2/√π) e^{−x²} Σ (2x²)ⁿ x/(2n+1)!! for |x| ≤ 4 (no cancellation), the continued fraction
 * of erfc beyond.
 *
 * @example
 * ```ts
 * import { erf } from "./dynamics.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(erf(1) - 0.8427007929497149) < 1e-15);
 * assert.ok(erf(-2) === -erf(2));
 * ```
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf(-x);
  if (x <= 4) {
    const x2 = 2 * x * x;
    let term = x, sum = x;
    for (let n = 1; n < 500; n++) {
      term *= x2 / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return (2 / SQRT_PI) * Math.exp(-x * x) * sum;
  }
  return 1 - erfc(x);
}

/** erfc(x) for x > 4 by the continued fraction e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/…))). */
function erfc(x: number): number {
  let f = x;
  for (let n = 80; n >= 1; n--) f = x + (n / 2) / f;
  return Math.exp(-x * x) / SQRT_PI / f;
}

/**
 * The inverse error function on (−1, 1), by Newton's method on {@link erf}.
 *
 * @example
 * ```ts
 * import { erf, erfinv } from "./dynamics.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(erf(erfinv(0.7)) - 0.7) < 1e-14);
 * ```
 */
export function erfinv(y: number): number {
  if (!(y > -1 && y < 1)) return y === 1 ? Infinity : y === -1 ? -Infinity : NaN;
  if (y === 0) return 0;
  // Winitzki's approximation as the start, then Newton.
  const a = 0.147;
  const ln = Math.log(1 - y * y);
  const t = 2 / (Math.PI * a) + ln / 2;
  let x = Math.sign(y) * Math.sqrt(Math.sqrt(t * t - ln / a) - t);
  for (let i = 0; i < 50; i++) {
    const step = (erf(x) - y) / ((2 / SQRT_PI) * Math.exp(-x * x));
    x -= step;
    if (Math.abs(step) < 1e-16 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

/**
 * Shannon entropy (nats) of a probability vector, with the authors' convention
 * −Σ p (ln p + 1e-8) (`joma/draw_figure_4.py`); `eps = 0` gives the exact entropy.
 *
 * @example
 * ```ts
 * import { entropy } from "./dynamics.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(entropy([0.5, 0.5], 0) - Math.LN2) < 1e-15);
 * ```
 */
export function entropy(p: ArrayLike<number>, eps = 1e-8): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * (Math.log(p[i]) + eps);
  return h;
}

/**
 * softmax(v²/T), computed stably.
 *
 * @example
 * ```ts
 * import { softmaxSquares } from "./dynamics.ts";
 * import assert from "node:assert/strict";
 * const s = softmaxSquares([0, 0], 3);
 * assert.ok(s[0] === 0.5 && s[1] === 0.5);
 * ```
 */
export function softmaxSquares(v: ArrayLike<number>, T: number): Float64Array {
  const n = v.length;
  const s = new Float64Array(n);
  let mx = -Infinity;
  for (let i = 0; i < n; i++) mx = Math.max(mx, (v[i] * v[i]) / T);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    s[i] = Math.exp((v[i] * v[i]) / T - mx);
    sum += s[i];
  }
  for (let i = 0; i < n; i++) s[i] /= sum;
  return s;
}

// ---------------------------------------------------------------- Fig. 4: nonlinear case

/**
 * The authors' Fig. 4 target μ: `torch.manual_seed(0); (torch.rand(10)·3 + 1).sort()`
 * (values as printed by torch; PyTorch's RNG stream cannot be reproduced in TypeScript).
 */
export const AUTHORS_MU: readonly number[] = [
  1.2655,
  1.396,
  1.9222,
  2.3668,
  2.4703,
  2.4889,
  2.8969,
  2.9023,
  3.3046,
  3.6892,
];

/** Options of {@link bounceIteration}. */
export interface BounceOptions {
  /** Target (nonlinear) or saliency Δ (linear), one entry per component. */
  mu: readonly number[];
  /** `nonlinear`: v += η(μ − v)∘s; `linear`: v += η μ∘s (μ plays Δ). */
  kind: "nonlinear" | "linear";
  /** Step size η (0.02). */
  eta?: number;
  /** Temperature T of s = softmax(v²/T) (3). */
  temperature?: number;
  /** Number of steps (5000). */
  steps?: number;
  /** Initial value of every component (0.05). */
  v0?: number;
  /** Record v every this many steps (100); entropy is recorded at every step. */
  recordEvery?: number;
}

/** What {@link bounceIteration} returns. */
export interface BounceResult {
  /** Entropy of s (authors' convention) before each step 0..steps−1. */
  entropy: Float64Array;
  /** v before steps 0, recordEvery, 2·recordEvery, … and after the last step. */
  snapshots: { step: number; v: Float64Array }[];
  /** The final v (after `steps` updates). */
  final: Float64Array;
}

/**
 * The discrete dynamics of the authors' Fig. 4 script: each step computes s = softmax(v²/T),
 * records its entropy, then updates v ← v + η (μ − v) ∘ s (nonlinear) or v + η μ ∘ s
 * (linear counterpart, μ read as Δ).
 *
 * @example
 * ```ts
 * import { AUTHORS_MU, bounceIteration } from "./dynamics.ts";
 * import assert from "node:assert/strict";
 * const r = bounceIteration({ mu: AUTHORS_MU, kind: "nonlinear", steps: 10 });
 * assert.ok(Math.abs(r.entropy[0] - Math.log(10)) < 1e-6);
 * ```
 */
export function bounceIteration(opts: BounceOptions): BounceResult {
  const eta = opts.eta ?? 0.02;
  const T = opts.temperature ?? 3;
  const steps = opts.steps ?? 5000;
  const every = opts.recordEvery ?? 100;
  const n = opts.mu.length;
  const v = new Float64Array(n).fill(opts.v0 ?? 0.05);
  const ent = new Float64Array(steps);
  const snapshots: { step: number; v: Float64Array }[] = [];
  for (let t = 0; t < steps; t++) {
    if (t % every === 0) snapshots.push({ step: t, v: Float64Array.from(v) });
    const s = softmaxSquares(v, T);
    ent[t] = entropy(s);
    for (let i = 0; i < n; i++) {
      const drive = opts.kind === "nonlinear" ? opts.mu[i] - v[i] : opts.mu[i];
      v[i] += eta * drive * s[i];
    }
  }
  snapshots.push({ step: steps, v: Float64Array.from(v) });
  return { entropy: ent, snapshots, final: Float64Array.from(v) };
}

// ---------------------------------------------------------------- Theorem 2: linear case

/** Options of {@link salientOde}. */
export interface SalientOdeOptions {
  /** Saliency Δ: M rows × K columns, row-major (K = 1: one value per component). */
  delta: Float64Array;
  /** Number of components (rows) M. */
  M: number;
  /** Number of neurons (columns) K (1). */
  K?: number;
  /** τ in exp(‖V_l‖²/τ) (2: the v̇ = Δ∘exp(v²/2)/A). */
  tau?: number;
  /** Normalise by A = Σ_j exp(‖V_j‖²/τ) (softmax attention, default) or not (A = 1). */
  normalise?: boolean;
  /** Output times (ascending, from 0). */
  times: number[];
  /** RK4 step. */
  dt: number;
}

/**
 * Integrate V̇_l = Δ_l exp(‖V_l‖²/τ)/A from V(0) = 0 with RK4 (Float64) and return V at each
 * output time (M × K row-major). For K = 1 this is Theorem 2's v̇ = Δ ∘ exp(v²/τ)/A.
 *
 * @example
 * ```ts
 * import { salientOde } from "./dynamics.ts";
 * import assert from "node:assert/strict";
 * const out = salientOde({ delta: new Float64Array([1, 2]), M: 2, times: [0, 1], dt: 1e-3 });
 * assert.ok(out[1][1] > out[1][0]);
 * ```
 */
export function salientOde(opts: SalientOdeOptions): Float64Array[] {
  const K = opts.K ?? 1;
  const M = opts.M;
  const tau = opts.tau ?? 2;
  const normalise = opts.normalise ?? true;
  const D = opts.delta;
  if (D.length !== M * K) throw new RangeError(`delta has ${D.length} entries, want ${M * K}`);
  const g = new Float64Array(M);
  const rhs = (_t: number, y: Float64Array, dy: Float64Array) => {
    // log-sum-exp for A keeps large components finite
    let mx = -Infinity;
    for (let l = 0; l < M; l++) {
      let n2 = 0;
      for (let k = 0; k < K; k++) n2 += y[l * K + k] ** 2;
      g[l] = n2 / tau;
      mx = Math.max(mx, g[l]);
    }
    let A = 0;
    if (normalise) { for (let l = 0; l < M; l++) A += Math.exp(g[l] - mx); }
    for (let l = 0; l < M; l++) {
      const w = normalise ? Math.exp(g[l] - mx) / A : Math.exp(g[l]);
      for (let k = 0; k < K; k++) dy[l * K + k] = D[l * K + k] * w;
    }
  };
  return integrateRk4(rhs, 0, new Float64Array(M * K), opts.times, { dt: opts.dt });
}

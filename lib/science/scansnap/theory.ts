/**
 * Scan & Snap's reduced attention dynamics (arXiv 2305.16380, Sec. 5–6, App. D–F) in Float64,
 * shared by the replications that integrate them:
 *
 * - the (u, z, B) system of Theorem 4's proof: u(t) = h(t/K) the decoder margin per M, z the
 *   common-token logit and B = B_n = η_Z ∫ ξ_n dt (Theorem 3, Eqn. 12):
 *     du/dt = (η_Y/K)/D,  D = (M−1) + e^{Mu},  γ = (M−1)² u/D,
 *     dz/dt = −(η_Z/C0) γ e^{4z},  dB/dt = +(η_Z/C0) γ e^{4z}
 *   (the same equations as `replications/scan-snap/bn-phase-transition`);
 * - Theorem 3's distinct-token logits driven by that B: for a distinct token l of class n,
 *   ż_l = η_Z ξ_n f_{nl}² = (dB/dt) f_{nl}², with f_n = c̃_n/‖c̃_n‖ and
 *   c̃_{l|n} = P(l|n) e^{z_l} over the class's support (common tokens at logit z).
 *
 * @module
 */

import type { Rhs } from "../math/ode.ts";

/** Parameters of the (u, z, B) system. */
export interface BnParams {
  /** Vocabulary size M. */
  M: number;
  /** Attention learning rate η_Z. */
  etaZ: number;
  /** Decoder learning rate η_Y. */
  etaY: number;
  /** Number of next tokens K (1, as in the bn-phase-transition replication). */
  K?: number;
  /** C0 = ρ0⁴/K (1, likewise). */
  C0?: number;
}

/**
 * Right-hand side of the (u, z, B) system on state [u, z, B].
 *
 * @example
 * ```ts
 * import { bnRhs } from "./theory.ts";
 * import assert from "node:assert/strict";
 * const dy = new Float64Array(3);
 * bnRhs({ M: 100, etaZ: 1, etaY: 1 })(0, new Float64Array(3), dy);
 * assert.ok(dy[0] === 1 / 100 && dy[2] === 0);
 * ```
 */
export function bnRhs(p: BnParams): Rhs {
  const K = p.K ?? 1, C0 = p.C0 ?? 1;
  return (_t, y, dy) => {
    const u = y[0], z = y[1];
    const D = (p.M - 1) + Math.exp(p.M * u);
    const gamma = (p.M - 1) ** 2 * u / D;
    const drive = (p.etaZ / C0) * gamma * Math.exp(4 * z);
    dy[0] = (p.etaY / K) / D;
    dy[1] = -drive;
    dy[2] = drive;
  };
}

/** One class's support: P(l|n) of its common tokens (shared logit z) and distinct tokens. */
export interface Support {
  /** P(l|n) of each common token. */
  common: readonly number[];
  /** P(l|n) of each distinct token. */
  distinct: readonly number[];
}

/**
 * Normalised attention feature f_n = c̃_n/‖c̃_n‖ for common logit z and distinct logits zd:
 * returns f² of the distinct tokens (and of one common token, last entry).
 *
 * @example
 * ```ts
 * import { distinctF2 } from "./theory.ts";
 * import assert from "node:assert/strict";
 * const f2 = distinctF2({ common: [1], distinct: [1] }, 0, [0]);
 * assert.ok(Math.abs(f2[0] - 0.5) < 1e-15);
 * ```
 */
export function distinctF2(s: Support, z: number, zd: ArrayLike<number>): Float64Array {
  const n = s.distinct.length;
  const out = new Float64Array(n + 1);
  // work relative to the largest logit to keep e^{2z} finite
  let mx = z;
  for (let i = 0; i < n; i++) mx = Math.max(mx, zd[i]);
  let norm = 0;
  const cz = Math.exp(z - mx);
  for (const p of s.common) norm += (p * cz) ** 2;
  for (let i = 0; i < n; i++) {
    out[i] = (s.distinct[i] * Math.exp(zd[i] - mx)) ** 2;
    norm += out[i];
  }
  for (let i = 0; i < n; i++) out[i] /= norm;
  out[n] = s.common.length ? (s.common[0] * cz) ** 2 / norm : 0;
  return out;
}

/**
 * Right-hand side of the (u, z, B) system extended by one class's distinct-token logits and
 * the running integral I = ∫ f²_{l0} dB of a chosen token l0:
 * state [u, z, B, zd_0, …, zd_{n−1}, I], with ż_l = (dB/dt) f_l² (Theorem 3's premise).
 *
 * @example
 * ```ts
 * import { relativeGainRhs } from "./theory.ts";
 * import assert from "node:assert/strict";
 * const f = relativeGainRhs({ M: 100, etaZ: 1, etaY: 1 }, { common: [1], distinct: [1, 2] }, 1);
 * const dy = new Float64Array(6);
 * f(0, new Float64Array([0.01, 0, 0, 0, 0, 0]), dy);
 * assert.ok(dy[4] > dy[3] && dy[3] > 0);
 * ```
 */
export function relativeGainRhs(p: BnParams, s: Support, l0: number): Rhs {
  const base = bnRhs(p);
  const n = s.distinct.length;
  const head = new Float64Array(3), dhead = new Float64Array(3);
  return (t, y, dy) => {
    head[0] = y[0];
    head[1] = y[1];
    head[2] = y[2];
    base(t, head, dhead);
    dy[0] = dhead[0];
    dy[1] = dhead[1];
    dy[2] = dhead[2];
    const f2 = distinctF2(s, y[1], y.subarray(3, 3 + n));
    for (let i = 0; i < n; i++) dy[3 + i] = dhead[2] * f2[i];
    dy[3 + n] = dhead[2] * f2[l0];
  };
}

/**
 * Relative gain r_{l/l'} = c̃_l²/c̃_{l'}² − 1 with c̃_l = P(l) e^{z_l}.
 *
 * @example
 * ```ts
 * import { relativeGain } from "./theory.ts";
 * import assert from "node:assert/strict";
 * assert.ok(relativeGain(2, 0, 1, 0) === 3);
 * ```
 */
export function relativeGain(pl: number, zl: number, plp: number, zlp: number): number {
  return (pl / plp) ** 2 * Math.exp(2 * (zl - zlp)) - 1;
}

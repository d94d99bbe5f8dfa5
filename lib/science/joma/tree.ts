/**
 * A latent-tree generative model of token co-occurrence (JoMA, arXiv 2310.00535, Sec. 6,
 * Theorem 5 and Fig. 5a): a complete b-ary tree of height L whose root is the (active)
 * sequence label; every other node is a binary latent variable switched on with probability
 * ρ when its parent is on and never when it is off (the "activation" channel of the authors'
 * `TreeNode.traverse` in `self_attention_linear_test.py`); the leaves are tokens, and token l
 * appears in the sequence iff its leaf is on.
 *
 * Exact co-occurrence: given y_m = 1 every ancestor of m is on, so for l ≠ m whose lowest
 * common ancestor (LCA) has height H, P[y_l = 1 | y_m = 1] = ρ^H. The general two-state
 * channel is also supported (exact by matrix powers), to compare readings of the model.
 *
 * @module
 */

import type { Rng } from "../math/rng.ts";

/**
 * A homogeneous two-state channel P(child | parent): `p01` = P(child on | parent off),
 * `p11` = P(child on | parent on).
 */
export interface Channel {
  /** P(child = 1 | parent = 0). */
  p01: number;
  /** P(child = 1 | parent = 1). */
  p11: number;
}

/**
 * The activation channel: a child can be on only if its parent is, with probability ρ.
 *
 * @example
 * ```ts
 * import { activationChannel } from "./tree.ts";
 * import assert from "node:assert/strict";
 * assert.ok(activationChannel(0.9).p01 === 0);
 * ```
 */
export function activationChannel(rho: number): Channel {
  return { p01: 0, p11: rho };
}

/** P(node on) after `steps` edges from a node that is on with probability `pOn`. */
function propagate(ch: Channel, pOn: number, steps: number): number {
  let p = pOn;
  for (let i = 0; i < steps; i++) p = p * ch.p11 + (1 - p) * ch.p01;
  return p;
}

/**
 * Exact P[y_l = 1 | y_m = 1] for two distinct leaves whose LCA has height H, in a tree of
 * height L with an active root: condition on the LCA's state.
 *
 * @example
 * ```ts
 * import { activationChannel, exactCooccurrence } from "./tree.ts";
 * import assert from "node:assert/strict";
 * const p = exactCooccurrence(activationChannel(0.9), 8, 3);
 * assert.ok(Math.abs(p - 0.9 ** 3) < 1e-15);
 * ```
 */
export function exactCooccurrence(ch: Channel, L: number, H: number): number {
  if (!(H >= 1 && H <= L)) throw new RangeError(`need 1 ≤ H ≤ L, got H = ${H}, L = ${L}`);
  const a1 = propagate(ch, 1, L - H); // P(LCA on)
  const on = propagate(ch, 1, H); // P(leaf on | LCA on)
  const off = propagate(ch, 0, H); // P(leaf on | LCA off)
  const joint = a1 * on * on + (1 - a1) * off * off;
  const pm = a1 * on + (1 - a1) * off;
  return joint / pm;
}

/**
 * Sample the whole tree once (breadth-first, node i's children are b·i+1 … b·i+b) and
 * return the on/off state of the b^L leaves, leaf j being node (b^L − 1)/(b − 1) + j.
 *
 * @example
 * ```ts
 * import { activationChannel, sampleLeaves } from "./tree.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const leaves = sampleLeaves(activationChannel(1), 2, 3, new Rng(1));
 * assert.ok(leaves.length === 8 && leaves.every((x) => x === 1));
 * ```
 */
export function sampleLeaves(ch: Channel, b: number, L: number, rng: Rng): Uint8Array {
  const nodes = (b ** (L + 1) - 1) / (b - 1);
  const state = new Uint8Array(nodes);
  state[0] = 1;
  for (let i = 1; i < nodes; i++) {
    const parent = Math.floor((i - 1) / b);
    const p = state[parent] ? ch.p11 : ch.p01;
    state[i] = rng.uniform() < p ? 1 : 0;
  }
  const first = (b ** L - 1) / (b - 1);
  return state.subarray(first);
}

/**
 * Height of the LCA of leaves i and j (0-based leaf indices) of a complete b-ary tree.
 *
 * @example
 * ```ts
 * import { lcaHeight } from "./tree.ts";
 * import assert from "node:assert/strict";
 * assert.ok(lcaHeight(0, 1, 2) === 1 && lcaHeight(0, 4, 2) === 3);
 * ```
 */
export function lcaHeight(i: number, j: number, b: number): number {
  let h = 0;
  while (i !== j) {
    i = Math.floor(i / b);
    j = Math.floor(j / b);
    h++;
  }
  return h;
}

/** Monte-Carlo estimate of P[y_l = 1 | y_m = 1]: co-occurrences and occurrences of m. */
export interface CooccurrenceCount {
  /** Samples with y_m = 1. */
  m: number;
  /** Samples with y_m = y_l = 1. */
  both: number;
}

/**
 * Estimate P[y_l = 1 | y_m = 1] for every LCA height H = 1..L from `samples` draws of the
 * full tree, using the leaf pair (0, b^{H−1}) (whose LCA has height H).
 *
 * @example
 * ```ts
 * import { activationChannel, monteCarloTree } from "./tree.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const c = monteCarloTree(activationChannel(0.8), 2, 4, 2000, new Rng(3));
 * assert.ok(c.length === 4 && c[0].m > 0);
 * ```
 */
export function monteCarloTree(
  ch: Channel,
  b: number,
  L: number,
  samples: number,
  rng: Rng,
): CooccurrenceCount[] {
  const counts = Array.from({ length: L }, () => ({ m: 0, both: 0 }));
  for (let s = 0; s < samples; s++) {
    const leaves = sampleLeaves(ch, b, L, rng);
    if (!leaves[0]) continue;
    for (let H = 1; H <= L; H++) {
      counts[H - 1].m++;
      if (leaves[b ** (H - 1)]) counts[H - 1].both++;
    }
  }
  return counts;
}

/**
 * The same estimate from the generator's marginal on the two root-to-leaf paths only
 * (root → LCA: L − H edges, LCA → each leaf: H edges), for trees too large to sample whole.
 *
 * @example
 * ```ts
 * import { activationChannel, monteCarloPaths } from "./tree.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const c = monteCarloPaths(activationChannel(0.9), 40, 3, 5000, new Rng(4));
 * assert.ok(c.m > 0 && c.both <= c.m);
 * ```
 */
export function monteCarloPaths(
  ch: Channel,
  L: number,
  H: number,
  samples: number,
  rng: Rng,
): CooccurrenceCount {
  const walk = (on: number, steps: number) => {
    let s = on;
    for (let i = 0; i < steps; i++) s = rng.uniform() < (s ? ch.p11 : ch.p01) ? 1 : 0;
    return s;
  };
  const out = { m: 0, both: 0 };
  for (let s = 0; s < samples; s++) {
    const a = walk(1, L - H);
    const m = walk(a, H);
    if (!m) continue;
    out.m++;
    if (walk(a, H)) out.both++;
  }
  return out;
}

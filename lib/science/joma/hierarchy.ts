/**
 * JoMA's synthetic hierarchical data (Table 1) and the latent/hidden-neuron correlation
 * scores, in Float64 TypeScript.
 *
 * Generator (as the authors' `Dataset` in `decoder_only_hier.py`, re-implemented): a
 * vocabulary of M ids, the last (M − 1) being padding; S latent layers with N_s latents
 * each. A latent of layer 0 is a set of p_0 observable tokens (ids 0..M−2), a latent of
 * layer s > 0 a set of p_s latents of layer s − 1; each set is a uniformly random p-subset,
 * redrawn until it differs from every earlier set of its layer. The latents of the top
 * layer are the classes. A sample draws its class uniformly; every child of an active
 * latent is active (the tree is deterministic given the class), so each class has one
 * fixed token set, written at the END of a length-L sequence of padding ids (left padding),
 * in ascending id order.
 *
 * Scores: for a layer s, G (C × N_s) is the 0/1 activity of its latents per class and
 * H (C × K) the max-over-positions of the MLP hidden units of block s per class. The
 * authors' normalised correlation of latent column g and hidden column h is
 * ⟨g, h⟩ / ((‖g‖ + 1e−9)(‖h‖ + 1e−9)), either on mean-centred columns ("pearson") or raw
 * ("cosine"); a latent's best match is its maximum over the K hidden units. The layer score
 * is the mean best match over the latents, either over all of them ("all") or only over the
 * latents some class activates ("active"; a never-active latent has g = 0, hence best
 * match 0 in both variants). Because each class is one fixed sequence, these are computed
 * over the C classes with equal weights: the population value of the authors' estimate on
 * 1280 sampled sequences.
 *
 * @module
 */

import type { Rng } from "../math/rng.ts";

/** Sizes of a hierarchy. */
export interface HierarchySpec {
  /** Vocabulary size M, including the padding id M − 1. */
  vocab: number;
  /** Sequence length L. */
  length: number;
  /** Latents per layer, bottom to top; the last entry is the number of classes C. */
  latents: number[];
  /** Children per latent of each layer (N_ch; the paper uses one value for all layers). */
  children: number[];
}

/** A drawn hierarchy: the children of every latent. */
export interface Hierarchy {
  /** The sizes it was drawn with. */
  spec: HierarchySpec;
  /** `children[s][j]`: ascending ids of the children of latent j of layer s (tokens for s = 0). */
  children: number[][][];
  /** The padding id, M − 1. */
  pad: number;
}

/**
 * Draw a hierarchy: for each layer, bottom to top, N_s distinct uniformly random
 * p_s-subsets of the layer below (shuffle the candidate ids, take the first p_s, sort;
 * redraw on a repeat).
 *
 * @example
 * ```ts
 * import { Rng } from "../math/rng.ts";
 * import { makeHierarchy } from "./hierarchy.ts";
 * import assert from "node:assert/strict";
 * const spec = { vocab: 100, length: 30, latents: [10, 20, 20], children: [2, 2, 2] };
 * const h = makeHierarchy(spec, new Rng(1));
 * assert.ok(h.children[2].length === 20 && h.children[0][0].length === 2);
 * ```
 */
export function makeHierarchy(spec: HierarchySpec, rng: Rng): Hierarchy {
  const S = spec.latents.length;
  if (spec.children.length !== S) {
    throw new RangeError(`${S} latent layers but ${spec.children.length} child counts`);
  }
  const children: number[][][] = [];
  let below = spec.vocab - 1;
  for (let s = 0; s < S; s++) {
    const p = spec.children[s];
    const n = spec.latents[s];
    if (!(p >= 1 && p <= below) || binomial(below, p) < n) {
      throw new RangeError(`layer ${s}: cannot draw ${n} distinct ${p}-subsets of ${below} ids`);
    }
    const ids = Array.from({ length: below }, (_, i) => i);
    const seen = new Set<string>();
    const layer: number[][] = [];
    while (layer.length < n) {
      rng.shuffle(ids);
      const subset = ids.slice(0, p).sort((a, b) => a - b);
      const key = subset.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      layer.push(subset);
    }
    children.push(layer);
    below = n;
  }
  return { spec, children, pad: spec.vocab - 1 };
}

/** C(n, k) as a float (exact for the small sizes used here). */
function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (n - i)) / (i + 1);
  return r;
}

/** Number of classes C (latents of the top layer). */
export function numClasses(h: Hierarchy): number {
  return h.spec.latents[h.spec.latents.length - 1];
}

/**
 * The active latents of class c per layer, bottom to top (the top layer holds c alone),
 * and its observed tokens, all ascending.
 *
 * @example
 * ```ts
 * import { Rng } from "../math/rng.ts";
 * import { classActivity, makeHierarchy } from "./hierarchy.ts";
 * import assert from "node:assert/strict";
 * const spec = { vocab: 100, length: 30, latents: [10, 20, 20], children: [2, 2, 2] };
 * const h = makeHierarchy(spec, new Rng(1));
 * const a = classActivity(h, 3);
 * assert.ok(a.latents[2].length === 1 && a.latents[2][0] === 3 && a.tokens.length <= 8);
 * ```
 */
export function classActivity(h: Hierarchy, c: number): { latents: number[][]; tokens: number[] } {
  const S = h.spec.latents.length;
  if (!(c >= 0 && c < numClasses(h)) || !Number.isInteger(c)) {
    throw new RangeError(`class ${c} out of range`);
  }
  const latents: number[][] = new Array(S);
  let current = [c];
  for (let s = S - 1; s >= 0; s--) {
    latents[s] = current;
    const next = new Set<number>();
    for (const j of current) for (const k of h.children[s][j]) next.add(k);
    current = [...next].sort((a, b) => a - b);
  }
  return { latents, tokens: current };
}

/**
 * The input sequence of class c: padding ids, then its tokens (ascending) at the end.
 *
 * @example
 * ```ts
 * import { Rng } from "../math/rng.ts";
 * import { classSequence, makeHierarchy } from "./hierarchy.ts";
 * import assert from "node:assert/strict";
 * const spec = { vocab: 100, length: 30, latents: [10, 20, 20], children: [2, 2, 2] };
 * const h = makeHierarchy(spec, new Rng(1));
 * const x = classSequence(h, 0);
 * assert.ok(x.length === 30 && x[0] === 99 && x[29] !== 99);
 * ```
 */
export function classSequence(h: Hierarchy, c: number): Int32Array {
  const { tokens } = classActivity(h, c);
  const L = h.spec.length;
  if (tokens.length > L) {
    throw new RangeError(`class ${c} has ${tokens.length} tokens, more than L = ${L}`);
  }
  const x = new Int32Array(L).fill(h.pad);
  x.set(tokens, L - tokens.length);
  return x;
}

/**
 * The 0/1 activity of the latents of layer s per class: C × N_s, row-major.
 *
 * @example
 * ```ts
 * import { Rng } from "../math/rng.ts";
 * import { activityMatrix, makeHierarchy } from "./hierarchy.ts";
 * import assert from "node:assert/strict";
 * const spec = { vocab: 100, length: 30, latents: [10, 20, 20], children: [2, 2, 2] };
 * const h = makeHierarchy(spec, new Rng(1));
 * const top = activityMatrix(h, 2); // the identity: class c activates top latent c only
 * assert.ok(top[0] === 1 && top[1] === 0 && top[21] === 1);
 * ```
 */
export function activityMatrix(h: Hierarchy, s: number): Float64Array {
  const C = numClasses(h);
  const N = h.spec.latents[s];
  const g = new Float64Array(C * N);
  for (let c = 0; c < C; c++) {
    for (const j of classActivity(h, c).latents[s]) g[c * N + j] = 1;
  }
  return g;
}

/**
 * Best-match normalised correlation of every column of `g` (n × a) with the columns of
 * `hidden` (n × b), both row-major over the same n samples: for column j of g, the maximum
 * over columns k of ⟨g_j, h_k⟩ / ((‖g_j‖ + 1e−9)(‖h_k‖ + 1e−9)), after subtracting each
 * column's mean when `zeroMean` (the authors' `compute_corr` followed by a max over hidden
 * units).
 *
 * @example
 * ```ts
 * import { bestMatch } from "./hierarchy.ts";
 * import assert from "node:assert/strict";
 * const g = new Float64Array([1, 0, 1, 0]); // 4 samples, 1 latent
 * const h = new Float64Array([5, 0, 0, 2, 5, 0, 0, 2]); // 4 samples, 2 units
 * assert.ok(Math.abs(bestMatch(g, h, 4, true)[0] - 1) < 1e-8);
 * ```
 */
export function bestMatch(
  g: ArrayLike<number>,
  hidden: ArrayLike<number>,
  n: number,
  zeroMean: boolean,
): Float64Array {
  const a = g.length / n, b = hidden.length / n;
  if (!Number.isInteger(a) || !Number.isInteger(b)) {
    throw new RangeError(`matrices of ${g.length} and ${hidden.length} entries over ${n} rows`);
  }
  const gc = centredColumns(g, n, a, zeroMean);
  const hc = centredColumns(hidden, n, b, zeroMean);
  const best = new Float64Array(a).fill(-Infinity);
  for (let j = 0; j < a; j++) {
    for (let k = 0; k < b; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += gc.cols[j * n + i] * hc.cols[k * n + i];
      const corr = dot / ((gc.norms[j] + 1e-9) * (hc.norms[k] + 1e-9));
      if (corr > best[j]) best[j] = corr;
    }
  }
  return best;
}

/** Columns of an n × m row-major matrix, column-major, optionally centred, with their norms. */
function centredColumns(
  x: ArrayLike<number>,
  n: number,
  m: number,
  zeroMean: boolean,
): { cols: Float64Array; norms: Float64Array } {
  const cols = new Float64Array(n * m);
  const norms = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let mu = 0;
    if (zeroMean) {
      for (let i = 0; i < n; i++) mu += x[i * m + j];
      mu /= n;
    }
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * m + j] - mu;
      cols[j * n + i] = v;
      ss += v * v;
    }
    norms[j] = Math.sqrt(ss);
  }
  return { cols, norms };
}

/** The four variants of one layer's score, and the latent counts behind them. */
export interface LayerScores {
  /** Mean best-match Pearson (centred) correlation over all latents of the layer. */
  pearsonAll: number;
  /** The same over the latents that some class activates. */
  pearsonActive: number;
  /** Mean best-match cosine (uncentred) correlation over all latents. */
  cosineAll: number;
  /** The same over the active latents. */
  cosineActive: number;
  /** Number of latents of the layer. */
  latents: number;
  /** Latents no class activates (best match 0 in both variants). */
  neverActive: number;
  /** Latents every class activates (zero variance: Pearson best match 0). */
  alwaysActive: number;
}

/**
 * The four score variants of one layer from its activity matrix `g` (C × N) and the
 * max-pooled hidden activations `hidden` (C × K) of the matching block.
 *
 * @example
 * ```ts
 * import { layerScores } from "./hierarchy.ts";
 * import assert from "node:assert/strict";
 * // 4 classes, 2 latents (the second never active), 1 hidden unit equal to latent 0
 * const g = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0]);
 * const s = layerScores(g, new Float64Array([3, 0, 3, 0]), 4);
 * assert.ok(s.neverActive === 1 && Math.abs(s.pearsonActive - 1) < 1e-8);
 * assert.ok(Math.abs(s.pearsonAll - 0.5) < 1e-8 && Math.abs(s.cosineAll - 0.5) < 1e-8);
 * ```
 */
export function layerScores(
  g: ArrayLike<number>,
  hidden: ArrayLike<number>,
  classes: number,
): LayerScores {
  const N = g.length / classes;
  const pearson = bestMatch(g, hidden, classes, true);
  const cosine = bestMatch(g, hidden, classes, false);
  let never = 0, always = 0;
  let pa = 0, pA = 0, ca = 0, cA = 0;
  for (let j = 0; j < N; j++) {
    let uses = 0;
    for (let c = 0; c < classes; c++) uses += g[c * N + j] !== 0 ? 1 : 0;
    pa += pearson[j];
    ca += cosine[j];
    if (uses === 0) never++;
    else {
      pA += pearson[j];
      cA += cosine[j];
    }
    if (uses === classes) always++;
  }
  const active = N - never;
  return {
    pearsonAll: pa / N,
    pearsonActive: active > 0 ? pA / active : NaN,
    cosineAll: ca / N,
    cosineActive: active > 0 ? cA / active : NaN,
    latents: N,
    neverActive: never,
    alwaysActive: always,
  };
}

/**
 * Chance level of {@link layerScores}: the four variants averaged over `permutations`
 * random relabellings of the classes in `g` (rows shuffled, so every latent keeps its
 * number of active classes): what the best match over the K hidden units gives for latent
 * patterns unrelated to the inputs.
 *
 * @example
 * ```ts
 * import { Rng } from "../math/rng.ts";
 * import { chanceScores } from "./hierarchy.ts";
 * import assert from "node:assert/strict";
 * const g = new Float64Array([1, 0, 1, 0, 0, 1, 0, 1]); // 8 classes × 1 latent
 * const h = Float64Array.from(g); // one unit equal to the latent
 * const c = chanceScores(g, h, 8, new Rng(1), 20);
 * assert.ok(c.pearsonActive < 0.9); // a shuffled latent rarely matches the unit
 * ```
 */
export function chanceScores(
  g: ArrayLike<number>,
  hidden: ArrayLike<number>,
  classes: number,
  rng: Rng,
  permutations: number,
): LayerScores {
  const N = g.length / classes;
  const acc = { pearsonAll: 0, pearsonActive: 0, cosineAll: 0, cosineActive: 0 };
  let last: LayerScores | null = null;
  for (let k = 0; k < permutations; k++) {
    const order = rng.shuffle(Array.from({ length: classes }, (_, c) => c));
    const shuffled = new Float64Array(g.length);
    for (let c = 0; c < classes; c++) {
      for (let j = 0; j < N; j++) shuffled[c * N + j] = g[order[c] * N + j];
    }
    last = layerScores(shuffled, hidden, classes);
    acc.pearsonAll += last.pearsonAll / permutations;
    acc.pearsonActive += last.pearsonActive / permutations;
    acc.cosineAll += last.cosineAll / permutations;
    acc.cosineActive += last.cosineActive / permutations;
  }
  if (!last) throw new RangeError("chanceScores needs at least one permutation");
  return { ...last, ...acc };
}

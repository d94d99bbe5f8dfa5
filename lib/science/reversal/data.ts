/**
 * The token datasets of Zhu et al. (NeurIPS'24, arXiv 2405.04669), laid out as in the authors'
 * generators (`src/datasets/ReverseDataset.py`, `ChainDataset.py`; facts, not code, carried
 * over): two reserved relation tokens (ids 0 and 1), `vocab` entity tokens (ids 2…vocab+1),
 * alphabets of ⌊vocab/4⌋ tokens drawn without replacement, one-token entities, a shuffled
 * pairing, a 70/30 split of the pairs (triples), and sequences of three tokens
 * (entity, relation, entity).
 *
 * Reversal (`reverseDataset`): "A_i → B_i" is `[A_i, 0, B_i]`, "B_i ← A_i" is `[B_i, 1, A_i]`.
 * Training pairs contribute both sentences; every held-out pair contributes one direction to
 * training (forward or backward with probability ½ each, as in the authors' code) and the other
 * direction is its test sentence.
 *
 * Chain (`chainDataset`): "A_i → B_i" is `[A_i, 0, B_i]`, "B_i → C_i" is `[B_i, 0, C_i]`,
 * "A_i ⇝ C_i" is `[A_i, 1, C_i]`. Training triples contribute all three; held-out triples
 * contribute the two one-hop sentences to training and the direct one to the test set.
 *
 * Randomness is our seeded {@link Rng} (the authors use NumPy's), so the draws differ from theirs
 * while the layout and the proportions are the same.
 *
 * @module
 */

import { Rng } from "../math/rng.ts";

/** A three-token sentence `[x1, x2, x3]`: entity, relation token, entity. */
export type Sentence = [number, number, number];

/** Relation token ids (reserved, as in the authors' code). */
export const RIGHT = 0;
/** "←" in the reversal task, "⇝" (the direct two-hop relation) in the chain task. */
export const LEFT = 1;
/** Number of reserved relation tokens. */
export const RESERVED = 2;

/** Options of the dataset generators. */
export interface DataOptions {
  /** Entity vocabulary size (the authors' `vocab_size`, default 800); M = vocab + 2 tokens. */
  vocab: number;
  /** Seed of the draws. */
  seed: number;
  /** Fraction of pairs (triples) that are training pairs (0.7 in the authors' code). */
  splitRatio?: number;
}

/** The reversal dataset. */
export interface ReverseData {
  /** Total number of tokens M = vocab + 2. */
  M: number;
  /** The pairs (A_i, B_i), in split order: training pairs first, then held-out pairs. */
  pairs: [number, number][];
  /** Number of training pairs (both directions trained). */
  numTrainPairs: number;
  /** Training sentences. */
  train: Sentence[];
  /** Test sentences: the untrained direction of each held-out pair. */
  test: Sentence[];
}

/** The chain (chain-of-thought) dataset. */
export interface ChainData {
  /** Total number of tokens M = vocab + 2. */
  M: number;
  /** The triples (A_i, B_i, C_i), training triples first, then held-out ones. */
  triples: [number, number, number][];
  /** Number of training triples. */
  numTrainTriples: number;
  /** Training sentences. */
  train: Sentence[];
  /** Test sentences `[A_i, 1, C_i]` of the held-out triples. */
  test: Sentence[];
}

/** Draw `k` disjoint alphabets of ⌊vocab/4⌋ entity-token ids (shifted past the reserved ids). */
function alphabets(vocab: number, k: number, rng: Rng): number[][] {
  const size = Math.floor(vocab / 4);
  if (size < 2 || k * size > vocab) {
    throw new RangeError(`vocab ${vocab} is too small for ${k} alphabets`);
  }
  const ids = rng.shuffle(Array.from({ length: vocab }, (_, i) => i + RESERVED));
  return Array.from({ length: k }, (_, j) => ids.slice(j * size, (j + 1) * size));
}

/**
 * The reversal dataset: ⌊vocab/4⌋ pairs, 70 % trained in both directions, the rest in one.
 *
 * @example
 * ```ts
 * import { reverseDataset } from "./data.ts";
 * import assert from "node:assert/strict";
 * const d = reverseDataset({ vocab: 120, seed: 1 });
 * assert.ok(d.M === 122 && d.pairs.length === 30 && d.numTrainPairs === 21);
 * assert.ok(d.train.length === 2 * 21 + 9 && d.test.length === 9);
 * ```
 */
export function reverseDataset(opts: DataOptions): ReverseData {
  const rng = new Rng(opts.seed);
  const [xs, ys] = alphabets(opts.vocab, 2, rng);
  rng.shuffle(ys); // the pairing is random
  const pairs = xs.map((x, i) => [x, ys[i]] as [number, number]);
  rng.shuffle(pairs);
  const numTrainPairs = Math.round(pairs.length * (opts.splitRatio ?? 0.7));
  const train: Sentence[] = [];
  const test: Sentence[] = [];
  pairs.forEach(([a, b], i) => {
    const forward: Sentence = [a, RIGHT, b];
    const backward: Sentence = [b, LEFT, a];
    if (i < numTrainPairs) train.push(forward, backward);
    else if (rng.uniform() < 0.5) (train.push(forward), test.push(backward));
    else (train.push(backward), test.push(forward));
  });
  return { M: opts.vocab + RESERVED, pairs, numTrainPairs, train, test };
}

/**
 * The chain dataset: ⌊vocab/4⌋ triples; all one-hop sentences are trained, the direct
 * "A_i ⇝ C_i" only for the 70 % training triples.
 *
 * @example
 * ```ts
 * import { chainDataset } from "./data.ts";
 * import assert from "node:assert/strict";
 * const d = chainDataset({ vocab: 120, seed: 1 });
 * assert.ok(d.triples.length === 30 && d.train.length === 3 * 21 + 2 * 9);
 * assert.ok(d.test.every(([, r]) => r === 1));
 * ```
 */
export function chainDataset(opts: DataOptions): ChainData {
  const rng = new Rng(opts.seed);
  const [as, bs, cs] = alphabets(opts.vocab, 3, rng);
  rng.shuffle(bs);
  rng.shuffle(cs);
  const triples = as.map((a, i) => [a, bs[i], cs[i]] as [number, number, number]);
  rng.shuffle(triples);
  const numTrainTriples = Math.round(triples.length * (opts.splitRatio ?? 0.7));
  const train: Sentence[] = [];
  const test: Sentence[] = [];
  triples.forEach(([a, b, c], i) => {
    train.push([a, RIGHT, b], [b, RIGHT, c]);
    if (i < numTrainTriples) train.push([a, LEFT, c]);
    else test.push([a, LEFT, c]);
  });
  return { M: opts.vocab + RESERVED, triples, numTrainTriples, train, test };
}

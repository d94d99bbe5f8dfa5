/**
 * The shortest-path task of Spectral Journey (arXiv 2502.08794) as token sequences, in the
 * talk's format
 *
 * `<bos> u₁ v₁ <e> u₂ v₂ <e> … <q> s t <p> s n₁ n₂ … t <eos>`
 *
 * one token per node label (0..N−1) plus six control tokens. The edge list is in random
 * order with each edge in a random orientation; the path is a uniformly random shortest
 * path. The loss is on the path and `<eos>` (the positions from `<p>` on predict them).
 *
 * @module
 */

import type { Rng } from "../math/rng.ts";
import { type Graph, randomShortestPath } from "./graph.ts";

/** Token ids for graphs with at most `maxNodes` nodes. */
export interface Vocab {
  /** Number of node tokens N (labels 0..N−1). */
  maxNodes: number;
  /** `<bos>`. */
  bos: number;
  /** `<e>`: ends each edge. */
  edge: number;
  /** `<q>`: the query follows. */
  query: number;
  /** `<p>`: the path follows. */
  path: number;
  /** `<eos>`. */
  eos: number;
  /** Padding after `<eos>`. */
  pad: number;
  /** Vocabulary size N + 6. */
  size: number;
}

/**
 * The vocabulary for graphs of up to `maxNodes` nodes.
 *
 * @example
 * ```ts
 * import { makeVocab } from "./tokens.ts";
 * import assert from "node:assert/strict";
 * assert.ok(makeVocab(6).size === 12 && makeVocab(6).bos === 6);
 * ```
 */
export function makeVocab(maxNodes: number): Vocab {
  const n = maxNodes;
  return {
    maxNodes: n,
    bos: n,
    edge: n + 1,
    query: n + 2,
    path: n + 3,
    eos: n + 4,
    pad: n + 5,
    size: n + 6,
  };
}

/** One encoded example. */
export interface Example {
  /** Token ids, unpadded. */
  tokens: number[];
  /** Index of `<p>`: logits at positions ≥ this (up to the one before `<eos>`) are trained. */
  pathStart: number;
  /** The graph. */
  graph: Graph;
  /** Source and target. */
  s: number;
  /** Target. */
  t: number;
  /** For every edge of `graph.edges` (by index): position of its second node token. */
  secondPos: Int32Array;
  /** For every edge: position of its `<e>` token. */
  edgePos: Int32Array;
}

/**
 * Encode a graph and a query. The edge order and orientations are drawn from `rng`; `path`
 * (default: a uniformly random shortest path, also from `rng`) is the answer; pass `[]` to
 * encode the prompt only (up to and including `<p>`).
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { encodeExample, makeVocab } from "./tokens.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const v = makeVocab(4);
 * const g = graphFromEdges(3, [[0, 1], [1, 2]]);
 * const ex = encodeExample(v, g, 0, 2, new Rng(1));
 * // <bos> a b <e> c d <e> <q> 0 2 <p> 0 1 2 <eos>
 * assert.ok(ex.tokens.length === 15 && ex.tokens[ex.pathStart] === v.path);
 * ```
 */
export function encodeExample(
  vocab: Vocab,
  g: Graph,
  s: number,
  t: number,
  rng: Rng,
  path?: number[],
): Example {
  if (g.n > vocab.maxNodes) throw new RangeError(`graph has ${g.n} > ${vocab.maxNodes} nodes`);
  const m = g.edges.length;
  const order = Array.from({ length: m }, (_, e) => e);
  rng.shuffle(order);
  const tokens = [vocab.bos];
  const secondPos = new Int32Array(m);
  const edgePos = new Int32Array(m);
  for (const e of order) {
    const [u, v] = g.edges[e];
    const flip = rng.uniform() < 0.5;
    tokens.push(flip ? v : u, flip ? u : v);
    secondPos[e] = tokens.length - 1;
    tokens.push(vocab.edge);
    edgePos[e] = tokens.length - 1;
  }
  tokens.push(vocab.query, s, t, vocab.path);
  const pathStart = tokens.length - 1;
  const answer = path ?? randomShortestPath(g, s, t, rng);
  if (answer.length > 0) tokens.push(...answer, vocab.eos);
  return { tokens, pathStart, graph: g, s, t, secondPos, edgePos };
}

/**
 * Longest sequence for graphs of up to N nodes: 1 + 3·N(N−1)/2 + 4 + N + 1 (a complete
 * graph's edge list and a path through all nodes, which cannot both happen, so this bounds).
 *
 * @example
 * ```ts
 * import { maxSequenceLength } from "./tokens.ts";
 * import assert from "node:assert/strict";
 * assert.ok(maxSequenceLength(6) === 57 && maxSequenceLength(10) === 151);
 * ```
 */
export function maxSequenceLength(maxNodes: number): number {
  return 1 + (3 * maxNodes * (maxNodes - 1)) / 2 + 4 + maxNodes + 1;
}

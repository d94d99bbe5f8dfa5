/**
 * The shortest-path task around the transformer of Spectral Journey (arXiv 2502.08794):
 * drawing train and held-out graphs, batches, the path accuracy of greedy decoding, and the
 * correlation of the model's edge representations (the residual stream after layer 1,
 * averaged over random edge orders) with the line graph's Laplacian eigenvectors.
 *
 * Held-out graphs: a graph is a test graph when its Weisfeiler–Lehman class hash is ≡ 0
 * mod 5, so about 20 % of the graph classes never appear in training (the paper holds out
 * 20 % of its non-isomorphic graphs).
 *
 * @module
 */

import type { TfModule } from "../../tf.ts";
import type { Rng } from "../math/rng.ts";
import { spectralCorrelation } from "./correlation.ts";
import {
  bfsDistances,
  type Graph,
  isShortestPath,
  sampleGraph,
  type SamplerName,
  wlHash,
} from "./graph.ts";
import { lineGraphSpectrum } from "./spectrum.ts";
import { encodeExample, type Example, type Vocab } from "./tokens.ts";
import {
  type Batch,
  greedyPaths,
  layerOneStates,
  makeBatch,
  type TransformerModel,
} from "./transformer.ts";

/**
 * Whether a graph belongs to the held-out classes.
 *
 * @example
 * ```ts
 * import { graphFromEdges, relabel } from "./graph.ts";
 * import { isTestGraph } from "./pathtask.ts";
 * import assert from "node:assert/strict";
 * const g = graphFromEdges(4, [[0, 1], [1, 2], [2, 3]]);
 * assert.ok(isTestGraph(g) === isTestGraph(relabel(g, [2, 3, 0, 1])));
 * ```
 */
export function isTestGraph(g: Graph): boolean {
  return wlHash(g) % 5 === 0;
}

/** Options of {@link drawGraph}. */
export interface DrawOptions {
  /** Sampler (see `sampleGraph`). */
  sampler: SamplerName;
  /** Smallest and largest number of nodes. */
  nMin?: number;
  /** Largest number of nodes. */
  nMax: number;
  /** Draw from the held-out classes (true) or the training classes (false). */
  test: boolean;
  /** Reject graphs with fewer edges (default 0). */
  minEdges?: number;
}

/**
 * A connected random graph from the training or the held-out classes.
 *
 * @example
 * ```ts
 * import { drawGraph, isTestGraph } from "./pathtask.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const g = drawGraph(new Rng(1), { sampler: "paper", nMax: 6, test: true });
 * assert.ok(isTestGraph(g));
 * ```
 */
export function drawGraph(rng: Rng, o: DrawOptions): Graph {
  for (;;) {
    const g = sampleGraph(rng, { sampler: o.sampler, nMin: o.nMin, nMax: o.nMax });
    if (isTestGraph(g) === o.test && g.edges.length >= (o.minEdges ?? 0)) return g;
  }
}

/**
 * A uniformly random ordered pair s ≠ t.
 *
 * @example
 * ```ts
 * import { randomPair } from "./pathtask.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const [s, t] = randomPair(new Rng(1), 2);
 * assert.ok(s + t === 1);
 * ```
 */
export function randomPair(rng: Rng, n: number): [number, number] {
  const s = rng.int(n);
  let t = rng.int(n - 1);
  if (t >= s) t++;
  return [s, t];
}

/**
 * Training batches of `size` examples from training-class graphs, each with a uniformly
 * random query and a uniformly random shortest path. Examples are drawn `bucket` batches at
 * a time, sorted by length and cut into `bucket` batches of similar length (served in random
 * order), so less of each batch is padding; every drawn example is used once.
 *
 * @example
 * ```ts
 * import { TrainingStream } from "./pathtask.ts";
 * import { makeVocab } from "./tokens.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const s = new TrainingStream(new Rng(1), makeVocab(6), 8, 64, { sampler: "paper", nMax: 6 }, 4);
 * assert.ok(s.next().B === 8);
 * ```
 */
export class TrainingStream {
  #queue: Batch[] = [];
  /** @param rng draws graphs, queries, paths, edge orders and the batch order. */
  constructor(
    readonly rng: Rng,
    readonly vocab: Vocab,
    readonly size: number,
    readonly maxLen: number,
    readonly draw: Omit<DrawOptions, "test">,
    readonly bucket = 4,
  ) {}

  /** The next batch. */
  next(): Batch {
    if (this.#queue.length === 0) {
      const examples: Example[] = [];
      for (let i = 0; i < this.size * this.bucket; i++) {
        const g = drawGraph(this.rng, { ...this.draw, test: false });
        const [s, t] = randomPair(this.rng, g.n);
        examples.push(encodeExample(this.vocab, g, s, t, this.rng));
      }
      examples.sort((a, b) => a.tokens.length - b.tokens.length);
      for (let b = 0; b < this.bucket; b++) {
        const part = examples.slice(b * this.size, (b + 1) * this.size);
        this.#queue.push(makeBatch(part, this.vocab, this.maxLen));
      }
      this.rng.shuffle(this.#queue);
    }
    return this.#queue.pop()!;
  }
}

/**
 * One training batch without bucketing (see {@link TrainingStream}).
 *
 * @example
 * ```ts
 * import { trainingBatch } from "./pathtask.ts";
 * import { makeVocab } from "./tokens.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * assert.ok(trainingBatch(new Rng(1), makeVocab(5), 4, 48, { sampler: "paper", nMax: 5 }).B === 4);
 * ```
 */
export function trainingBatch(
  rng: Rng,
  vocab: Vocab,
  size: number,
  maxLen: number,
  draw: Omit<DrawOptions, "test">,
): Batch {
  return new TrainingStream(rng, vocab, size, maxLen, draw, 1).next();
}

/** Path accuracy of greedy decoding. */
export interface PathAccuracy {
  /** Queries. */
  queries: number;
  /** Share whose decoded path is a shortest path (any one). */
  accuracy: number;
  /** The same among queries at distance ≥ 2. */
  accuracyFar: number;
  /** Queries at distance ≥ 2. */
  far: number;
}

/**
 * Decode every prompt greedily and grade it: correct when the tokens before `<eos>` are a
 * shortest path from s to t in the prompt's graph (any of them).
 *
 * @example
 * ```ts ignore
 * const acc = await pathAccuracy(tf, model, vocab, prompts, 256);
 * ```
 */
export async function pathAccuracy(
  tf: TfModule,
  model: TransformerModel,
  vocab: Vocab,
  prompts: Example[],
  chunk = 256,
): Promise<PathAccuracy> {
  let ok = 0;
  let okFar = 0;
  let far = 0;
  for (let i = 0; i < prompts.length; i += chunk) {
    const part = prompts.slice(i, i + chunk);
    const paths = await greedyPaths(tf, model, vocab, part, vocab.maxNodes + 1);
    part.forEach((p, j) => {
      const good = isShortestPath(p.graph, paths[j], p.s, p.t);
      const d = bfsDistances(p.graph, p.s)[p.t];
      if (good) ok++;
      if (d >= 2) {
        far++;
        if (good) okFar++;
      }
    });
  }
  return {
    queries: prompts.length,
    accuracy: ok / prompts.length,
    accuracyFar: far > 0 ? okFar / far : NaN,
    far,
  };
}

/**
 * Held-out prompts (graph, random query, empty path).
 *
 * @example
 * ```ts
 * import { isTestGraph, testPrompts } from "./pathtask.ts";
 * import { makeVocab } from "./tokens.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const ps = testPrompts(new Rng(2), makeVocab(6), 3, { sampler: "paper", nMax: 6 });
 * assert.ok(ps.length === 3 && ps.every((p) => isTestGraph(p.graph)));
 * ```
 */
export function testPrompts(
  rng: Rng,
  vocab: Vocab,
  count: number,
  draw: Omit<DrawOptions, "test">,
): Example[] {
  return Array.from({ length: count }, () => {
    const g = drawGraph(rng, { ...draw, test: true });
    const [s, t] = randomPair(rng, g.n);
    return encodeExample(vocab, g, s, t, rng, []);
  });
}

/** Where an edge's representation is read: its second node token or its `<e>` token. */
export type Readout = "second" | "edge";

/**
 * Edge representations of one graph: for each of `orders` random edge orders (and
 * orientations), the residual stream after layer 1 at each edge's readout position, averaged
 * over the orders. Returns m×d row-major per readout. (The states at edge positions do not
 * depend on the query, which comes later in the causal sequence.)
 *
 * @example
 * ```ts ignore
 * const { second, edge } = await edgeRepresentations(tf, model, vocab, g, 8, new Rng(1));
 * ```
 */
export async function edgeRepresentations(
  tf: TfModule,
  model: TransformerModel,
  vocab: Vocab,
  g: Graph,
  orders: number,
  rng: Rng,
): Promise<Record<Readout, Float64Array>> {
  const m = g.edges.length;
  const d = model.config.width;
  const examples = Array.from({ length: orders }, () => encodeExample(vocab, g, 0, 1, rng, []));
  const out: Record<Readout, Float64Array> = {
    second: new Float64Array(m * d),
    edge: new Float64Array(m * d),
  };
  for (const readout of ["second", "edge"] as const) {
    const pos = examples.map((e) => (readout === "second" ? e.secondPos : e.edgePos));
    const states = await layerOneStates(tf, model, vocab, examples, pos);
    for (const s of states) for (let i = 0; i < m * d; i++) out[readout][i] += s[i] / orders;
  }
  return out;
}

/**
 * The K lowest non-trivial eigenvectors of 𝓛(L(G)) as an m×K row-major array.
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { spectralCoordinates } from "./pathtask.ts";
 * import assert from "node:assert/strict";
 * const u = spectralCoordinates(graphFromEdges(4, [[0, 1], [1, 2], [2, 3], [0, 3]]), 2);
 * assert.ok(u.length === 8);
 * ```
 */
export function spectralCoordinates(g: Graph, k: number): Float64Array {
  const eig = lineGraphSpectrum(g);
  const m = g.edges.length;
  const u = new Float64Array(m * k);
  for (let e = 0; e < m; e++) for (let c = 0; c < k; c++) u[e * k + c] = eig.vectors[e * m + 1 + c];
  return u;
}

/**
 * ρ_K (see `correlation.ts`) for K = 1..kMax between edge representations x (m×d) and the
 * graph's spectral coordinates.
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { correlationsUpTo, spectralCoordinates } from "./pathtask.ts";
 * import assert from "node:assert/strict";
 * const g = graphFromEdges(5, [[0, 1], [1, 2], [2, 3], [3, 4], [0, 4], [0, 2]]);
 * const rho = correlationsUpTo(g, spectralCoordinates(g, 3), 3, 3);
 * assert.ok(Math.abs(rho[2] - 1) < 1e-9);
 * ```
 */
export function correlationsUpTo(g: Graph, x: Float64Array, d: number, kMax: number): number[] {
  const m = g.edges.length;
  return Array.from({ length: kMax }, (_, i) => {
    const k = i + 1;
    return spectralCorrelation(x, m, d, spectralCoordinates(g, k), k);
  });
}

/**
 * Control representations without a model: `endpoint-sum` gives edge {u, v} the vector
 * a_u + a_v with a_w ~ N(0, I_d) per node (its Gram matrix is ≈ d·BᵀB = d·(2I + A_L), so its
 * principal components are the line graph's top adjacency eigenvectors); `random` draws every
 * edge's vector independently (chance level).
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { controlRepresentations } from "./pathtask.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const x = controlRepresentations(graphFromEdges(3, [[0, 1], [1, 2]]), 4, "endpoint-sum", new Rng(1));
 * assert.ok(x.length === 8);
 * ```
 */
export function controlRepresentations(
  g: Graph,
  d: number,
  kind: "endpoint-sum" | "random",
  rng: Rng,
): Float64Array {
  const m = g.edges.length;
  const x = new Float64Array(m * d);
  if (kind === "random") {
    for (let i = 0; i < m * d; i++) x[i] = rng.normal();
    return x;
  }
  const a = rng.fill(g.n * d, (r) => r.normal());
  g.edges.forEach(([u, v], e) => {
    for (let c = 0; c < d; c++) x[e * d + c] = a[u * d + c] + a[v * d + c];
  });
  return x;
}

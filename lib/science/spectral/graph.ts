/**
 * Small simple undirected graphs for the Spectral Journey replications (Cohen, Gromov, Yang,
 * Tian, arXiv 2502.08794): the graph type, the random-graph samplers, BFS distances,
 * shortest-path checks and sampling, and a Weisfeiler–Lehman class hash used to hold out
 * whole graph classes from training.
 *
 * Nodes are `0..n−1`; an edge is a pair `[u, v]` with `u < v`, listed once, in lexicographic
 * order (`edges[e]` is edge e; the line graph numbers its nodes the same way).
 *
 * @module
 */

import type { Rng } from "../math/rng.ts";

/** A simple undirected graph on nodes 0..n−1. */
export interface Graph {
  /** Number of nodes. */
  n: number;
  /** Edges `[u, v]` with u < v, sorted lexicographically, no duplicates. */
  edges: [number, number][];
  /** Neighbour lists, each sorted ascending. */
  adj: number[][];
  /** `edgeId[u * n + v]` (both orders) = index of edge {u, v} in `edges`, or −1. */
  edgeId: Int32Array;
}

/**
 * Build a graph from an edge list (any order, either orientation; duplicates and self-loops
 * are rejected).
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import assert from "node:assert/strict";
 * const g = graphFromEdges(3, [[1, 0], [1, 2]]);
 * assert.ok(g.edges[0][0] === 0 && g.edges[0][1] === 1 && g.adj[1].length === 2);
 * ```
 */
export function graphFromEdges(n: number, list: [number, number][]): Graph {
  const seen = new Set<number>();
  const edges: [number, number][] = [];
  for (const [a, b] of list) {
    if (a === b || a < 0 || b < 0 || a >= n || b >= n) {
      throw new RangeError(`bad edge [${a}, ${b}] for n = ${n}`);
    }
    const u = Math.min(a, b);
    const v = Math.max(a, b);
    if (seen.has(u * n + v)) throw new RangeError(`duplicate edge [${u}, ${v}]`);
    seen.add(u * n + v);
    edges.push([u, v]);
  }
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const adj: number[][] = Array.from({ length: n }, () => []);
  const edgeId = new Int32Array(n * n).fill(-1);
  edges.forEach(([u, v], e) => {
    adj[u].push(v);
    adj[v].push(u);
    edgeId[u * n + v] = e;
    edgeId[v * n + u] = e;
  });
  for (const a of adj) a.sort((x, y) => x - y);
  return { n, edges, adj, edgeId };
}

/**
 * Whether the graph is connected (a graph with one node is).
 *
 * @example
 * ```ts
 * import { graphFromEdges, isConnected } from "./graph.ts";
 * import assert from "node:assert/strict";
 * assert.ok(!isConnected(graphFromEdges(3, [[0, 1]])));
 * ```
 */
export function isConnected(g: Graph): boolean {
  return bfsDistances(g, 0).every((d) => d >= 0);
}

/**
 * Breadth-first distances from `source` (−1 for unreachable nodes).
 *
 * @example
 * ```ts
 * import { bfsDistances, graphFromEdges } from "./graph.ts";
 * import assert from "node:assert/strict";
 * const d = bfsDistances(graphFromEdges(4, [[0, 1], [1, 2], [2, 3]]), 0);
 * assert.ok(d[3] === 3);
 * ```
 */
export function bfsDistances(g: Graph, source: number): Int32Array {
  const dist = new Int32Array(g.n).fill(-1);
  const queue = new Int32Array(g.n);
  let head = 0;
  let tail = 0;
  dist[source] = 0;
  queue[tail++] = source;
  while (head < tail) {
    const u = queue[head++];
    for (const v of g.adj[u]) {
      if (dist[v] < 0) {
        dist[v] = dist[u] + 1;
        queue[tail++] = v;
      }
    }
  }
  return dist;
}

/**
 * All-pairs BFS distances, `d[s * n + t]`.
 *
 * @example
 * ```ts
 * import { allDistances, graphFromEdges } from "./graph.ts";
 * import assert from "node:assert/strict";
 * const d = allDistances(graphFromEdges(3, [[0, 1], [1, 2]]));
 * assert.ok(d[0 * 3 + 2] === 2 && d[2 * 3 + 0] === 2);
 * ```
 */
export function allDistances(g: Graph): Int32Array {
  const out = new Int32Array(g.n * g.n);
  for (let s = 0; s < g.n; s++) out.set(bfsDistances(g, s), s * g.n);
  return out;
}

/**
 * Whether `path` is a shortest path from `s` to `t`: starts at s, ends at t, every step is an
 * edge, and it has exactly dist(s, t) steps (so it visits no node twice). Any of several
 * shortest paths counts.
 *
 * @example
 * ```ts
 * import { graphFromEdges, isShortestPath } from "./graph.ts";
 * import assert from "node:assert/strict";
 * const square = graphFromEdges(4, [[0, 1], [1, 2], [2, 3], [0, 3]]);
 * assert.ok(isShortestPath(square, [0, 1, 2], 0, 2) && isShortestPath(square, [0, 3, 2], 0, 2));
 * assert.ok(!isShortestPath(square, [0, 1, 2, 3], 0, 3));
 * ```
 */
export function isShortestPath(g: Graph, path: ArrayLike<number>, s: number, t: number): boolean {
  if (path.length === 0 || path[0] !== s || path[path.length - 1] !== t) return false;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1];
    const b = path[i];
    if (!(a >= 0 && a < g.n && b >= 0 && b < g.n) || g.edgeId[a * g.n + b] < 0) return false;
  }
  return path.length - 1 === bfsDistances(g, s)[t];
}

/**
 * A shortest path from s to t drawn uniformly among all shortest paths (by counting paths
 * on the BFS layers towards t and stepping to each closer neighbour with probability
 * proportional to its count).
 *
 * @example
 * ```ts
 * import { graphFromEdges, isShortestPath, randomShortestPath } from "./graph.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const g = graphFromEdges(4, [[0, 1], [1, 2], [2, 3], [0, 3]]);
 * assert.ok(isShortestPath(g, randomShortestPath(g, 0, 2, new Rng(1)), 0, 2));
 * ```
 */
export function randomShortestPath(g: Graph, s: number, t: number, rng: Rng): number[] {
  const dt = bfsDistances(g, t);
  if (dt[s] < 0) throw new RangeError(`${t} is not reachable from ${s}`);
  // count[v] = number of shortest paths v → t
  const order = Array.from({ length: g.n }, (_, v) => v).filter((v) => dt[v] >= 0)
    .sort((a, b) => dt[a] - dt[b]);
  const count = new Float64Array(g.n);
  for (const v of order) {
    if (v === t) count[v] = 1;
    else for (const w of g.adj[v]) if (dt[w] === dt[v] - 1) count[v] += count[w];
  }
  const path = [s];
  let cur = s;
  while (cur !== t) {
    const next = g.adj[cur].filter((w) => dt[w] === dt[cur] - 1);
    let r = rng.uniform() * count[cur];
    let pick = next[next.length - 1];
    for (const w of next) {
      r -= count[w];
      if (r < 0) {
        pick = w;
        break;
      }
    }
    path.push(pick);
    cur = pick;
  }
  return path;
}

/**
 * Number of connected unlabelled graphs on n nodes (OEIS A001349), n = 0..10. The paper's
 * data set is every connected non-isomorphic graph with 3–10 nodes (≈ 12 million), so a
 * uniformly drawn graph of it has n with probability ∝ this count.
 */
export const CONNECTED_GRAPH_COUNTS: readonly number[] = [
  1,
  1,
  1,
  2,
  6,
  21,
  112,
  853,
  11117,
  261080,
  11716571,
];

/** How random graphs are drawn. */
export type SamplerName = "paper" | "mixed";

/** Options of {@link sampleGraph}. */
export interface SamplerOptions {
  /**
   * `"paper"`: n ∈ {nMin..nMax} with probability ∝ {@link CONNECTED_GRAPH_COUNTS}[n] (as a
   * uniform draw from the enumeration of connected graphs), then G(n, ½) conditioned on being
   * connected. `"mixed"`: n uniform in {nMin..nMax}, p uniform in [0.2, 0.8], G(n, p)
   * conditioned on being connected.
   */
  sampler: SamplerName;
  /** Smallest number of nodes (default 3). */
  nMin?: number;
  /** Largest number of nodes. */
  nMax: number;
}

/**
 * Draw one connected random graph (rejection on connectivity).
 *
 * @example
 * ```ts
 * import { isConnected, sampleGraph } from "./graph.ts";
 * import { Rng } from "../math/rng.ts";
 * import assert from "node:assert/strict";
 * const g = sampleGraph(new Rng(3), { sampler: "paper", nMax: 10 });
 * assert.ok(isConnected(g) && g.n >= 3 && g.n <= 10);
 * ```
 */
export function sampleGraph(rng: Rng, opts: SamplerOptions): Graph {
  const nMin = opts.nMin ?? 3;
  if (!(nMin >= 2 && opts.nMax >= nMin && opts.nMax < CONNECTED_GRAPH_COUNTS.length)) {
    throw new RangeError(`sampleGraph: need 2 ≤ nMin ≤ nMax ≤ 10, got ${nMin}..${opts.nMax}`);
  }
  let n: number;
  let p: number;
  if (opts.sampler === "paper") {
    let total = 0;
    for (let k = nMin; k <= opts.nMax; k++) total += CONNECTED_GRAPH_COUNTS[k];
    let r = rng.uniform() * total;
    n = opts.nMax;
    for (let k = nMin; k <= opts.nMax; k++) {
      r -= CONNECTED_GRAPH_COUNTS[k];
      if (r < 0) {
        n = k;
        break;
      }
    }
    p = 0.5;
  } else {
    n = nMin + rng.int(opts.nMax - nMin + 1);
    p = rng.range(0.2, 0.8);
  }
  for (;;) {
    const list: [number, number][] = [];
    for (let u = 0; u < n; u++) {
      for (let v = u + 1; v < n; v++) if (rng.uniform() < p) list.push([u, v]);
    }
    const g = graphFromEdges(n, list);
    if (isConnected(g)) return g;
  }
}

/**
 * The graph with its nodes renamed: node v becomes `perm[v]`.
 *
 * @example
 * ```ts
 * import { graphFromEdges, relabel } from "./graph.ts";
 * import assert from "node:assert/strict";
 * const g = relabel(graphFromEdges(3, [[0, 1]]), [2, 0, 1]);
 * assert.ok(g.edges[0][0] === 0 && g.edges[0][1] === 2);
 * ```
 */
export function relabel(g: Graph, perm: ArrayLike<number>): Graph {
  return graphFromEdges(g.n, g.edges.map(([u, v]) => [perm[u], perm[v]]));
}

/**
 * A hash of the graph's Weisfeiler–Lehman (colour refinement) class: isomorphic graphs get
 * the same value, and most non-isomorphic small graphs different ones (graphs that 1-WL
 * cannot tell apart share a class, which only makes a split by class coarser). Used to hold
 * out whole classes of graphs from training, as the paper holds out 20 % of its
 * non-isomorphic graphs.
 *
 * @example
 * ```ts
 * import { graphFromEdges, relabel, wlHash } from "./graph.ts";
 * import assert from "node:assert/strict";
 * const path = graphFromEdges(4, [[0, 1], [1, 2], [2, 3]]);
 * const star = graphFromEdges(4, [[0, 1], [0, 2], [0, 3]]);
 * assert.ok(wlHash(path) === wlHash(relabel(path, [3, 1, 0, 2])));
 * assert.ok(wlHash(path) !== wlHash(star));
 * ```
 */
export function wlHash(g: Graph): number {
  let colour = g.adj.map((a) => a.length);
  for (let round = 0; round < g.n; round++) {
    const sig = g.adj.map((a, v) =>
      `${colour[v]}:${a.map((w) => colour[w]).sort((x, y) => x - y).join(",")}`
    );
    const palette = [...new Set(sig)].sort();
    const next = sig.map((s) => palette.indexOf(s));
    const stable = new Set(next).size === new Set(colour).size;
    // keep the signature strings' content in the colours so the hash is canonical
    colour = next.map((c) => hashString(palette[c]));
    if (stable && round > 0) break;
  }
  const multiset = [...colour].sort((a, b) => a - b).join(",");
  return hashString(`${g.n}|${g.edges.length}|${multiset}`);
}

/** FNV-1a 32-bit hash of a string. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

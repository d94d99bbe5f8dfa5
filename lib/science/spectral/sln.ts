/**
 * The Spectral Line Navigator (SLN) of Cohen, Gromov, Yang, Tian (arXiv 2502.08794), as the
 * slide states it: embed every edge of G by the eigenvectors of the normalised Laplacian of
 * the line graph L(G); from i = source, while i ≠ target, step to the neighbour j of the
 * pair (j, k) minimising ‖v_{ij} − v_{k,target}‖₂ over the edges {i, j} at i and the edges
 * {k, target} at the target.
 *
 * Details the slide leaves open, fixed here:
 * - ties (distances within {@link TIE_TOL}) go to the lowest node label j; every decision
 *   where a different j was tied is counted, so their effect can be read off;
 * - no shortcut when i is adjacent to the target: the edge {i, target} is then a candidate
 *   at distance 0 from itself, so the rule steps to the target unless another edge has the
 *   very same coordinates (possible only in degenerate embeddings);
 * - with the slide's loop as written (rule `plain`) the next hop depends only on
 *   (i, target), so a revisited node means an endless loop: the walk stops there and the
 *   pair counts as not reached. Rule `no-revisit` (not on the slide) skips visited
 *   neighbours instead.
 *
 * @module
 */

import { allDistances, type Graph } from "./graph.ts";

/** Distances closer than this are a tie. */
export const TIE_TOL = 1e-9;

/** Edge coordinates: row e (edge `g.edges[e]`) of an m×dim row-major matrix. */
export interface EdgeCoords {
  /** Dimension of each edge's vector. */
  dim: number;
  /** m×dim, row-major. */
  coords: Float64Array;
}

/** How the walk treats nodes it has already visited. */
export type WalkRule =
  /** The slide's loop as written: every neighbour is a candidate (a revisit is a loop). */
  | "plain"
  /** Visited nodes are not candidates; a node whose neighbours are all visited is stuck. */
  | "no-revisit";

/**
 * Each edge's distance to the target: `score[e] = min_k ‖x_e − x_{k,t}‖₂` over the edges
 * {k, t} at t. The SLN steps from i to the neighbour j whose edge {i, j} has the smallest
 * score.
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { slnScores } from "./sln.ts";
 * import assert from "node:assert/strict";
 * const g = graphFromEdges(3, [[0, 1], [1, 2]]);
 * const s = slnScores(g, { dim: 1, coords: new Float64Array([0, 3]) }, 2);
 * assert.ok(s[0] === 3 && s[1] === 0);
 * ```
 */
export function slnScores(g: Graph, emb: EdgeCoords, t: number): Float64Array {
  const { dim, coords } = emb;
  const m = g.edges.length;
  const score = new Float64Array(m);
  const targets = g.adj[t].map((k) => g.edgeId[k * g.n + t] * dim);
  for (let e = 0; e < m; e++) {
    const a = e * dim;
    let best = Infinity;
    for (const b of targets) {
      let s = 0;
      for (let c = 0; c < dim; c++) {
        const x = coords[a + c] - coords[b + c];
        s += x * x;
      }
      if (s < best) best = s;
    }
    score[e] = Math.sqrt(best);
  }
  return score;
}

/** One SLN decision at node i. */
export interface Hop {
  /** The chosen neighbour of i, or −1 when no neighbour is a candidate. */
  next: number;
  /** Whether another candidate j′ ≠ next had the same (minimal) score. */
  tied: boolean;
}

/**
 * The SLN step from i given the target's edge scores ({@link slnScores}); `visited` (when
 * given) removes those neighbours from the candidates.
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { edgeEmbedding, lineGraphSpectrum } from "./spectrum.ts";
 * import { slnHop, slnScores } from "./sln.ts";
 * import assert from "node:assert/strict";
 * const g = graphFromEdges(4, [[0, 1], [1, 2], [2, 3]]);
 * const emb = edgeEmbedding(lineGraphSpectrum(g), { kind: "invsqrt" });
 * assert.ok(slnHop(g, slnScores(g, emb, 3), 0).next === 1);
 * ```
 */
export function slnHop(
  g: Graph,
  score: Float64Array,
  i: number,
  visited?: Uint8Array,
): Hop {
  let best = Infinity;
  let next = -1;
  let tied = false;
  for (const j of g.adj[i]) {
    if (visited && visited[j]) continue;
    const d = score[g.edgeId[i * g.n + j]];
    if (d < best - TIE_TOL) {
      best = d;
      next = j;
      tied = false;
    } else if (d <= best + TIE_TOL) {
      tied = true; // adj is ascending, so the lower j already holds `next`
      if (d < best) best = d;
    }
  }
  return { next, tied };
}

/**
 * The SLN walk from s to t: the visited nodes, whether it reached t, and how many of its
 * decisions were ties.
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { edgeEmbedding, lineGraphSpectrum } from "./spectrum.ts";
 * import { slnPath } from "./sln.ts";
 * import assert from "node:assert/strict";
 * const cycle = graphFromEdges(6, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [0, 5]]);
 * const emb = edgeEmbedding(lineGraphSpectrum(cycle), { kind: "invsqrt" });
 * const r = slnPath(cycle, emb, 0, 2);
 * assert.ok(r.reached && r.path.join() === "0,1,2");
 * ```
 */
export function slnPath(
  g: Graph,
  emb: EdgeCoords,
  s: number,
  t: number,
  rule: WalkRule = "plain",
): { path: number[]; reached: boolean; ties: number } {
  const score = slnScores(g, emb, t);
  const visited = new Uint8Array(g.n);
  visited[s] = 1;
  const path = [s];
  let ties = 0;
  let i = s;
  while (i !== t) {
    const h = slnHop(g, score, i, rule === "no-revisit" ? visited : undefined);
    if (h.tied) ties++;
    if (h.next < 0 || visited[h.next]) return { path, reached: false, ties };
    visited[h.next] = 1;
    path.push(h.next);
    i = h.next;
  }
  return { path, reached: true, ties };
}

/** SLN over every ordered pair (s, t), s ≠ t, of one graph. */
export interface SlnGraphStats {
  /** Ordered pairs n(n − 1). */
  pairs: number;
  /** Pairs whose SLN walk reaches t in exactly dist(s, t) steps. */
  optimal: number;
  /** Pairs whose walk reaches t. */
  reached: number;
  /** Pairs at distance ≥ 2. */
  pairsFar: number;
  /** Of those, optimal. */
  optimalFar: number;
  /** Of those, reached. */
  reachedFar: number;
  /** Σ (walk length − distance) over reached pairs. */
  excess: number;
  /** Decisions taken whose argmin was tied between different neighbours. */
  tiedHops: number;
  /** Decisions taken. */
  hops: number;
}

/**
 * Run the SLN for every ordered pair of a connected graph. With the `plain` rule the next
 * hop from i towards t depends on (i, t) only, so it is computed once and shared by every
 * source (ties and hops are then counted per (i, t)); with `no-revisit` each walk is run.
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { edgeEmbedding, lineGraphSpectrum } from "./spectrum.ts";
 * import { slnAllPairs } from "./sln.ts";
 * import assert from "node:assert/strict";
 * const g = graphFromEdges(4, [[0, 1], [1, 2], [2, 3]]);
 * const st = slnAllPairs(g, edgeEmbedding(lineGraphSpectrum(g), { kind: "invsqrt" }));
 * assert.ok(st.pairs === 12 && st.optimal === 12);
 * ```
 */
export function slnAllPairs(
  g: Graph,
  emb: EdgeCoords,
  rule: WalkRule = "plain",
  dist: Int32Array = allDistances(g),
): SlnGraphStats {
  const n = g.n;
  const st: SlnGraphStats = {
    pairs: 0,
    optimal: 0,
    reached: 0,
    pairsFar: 0,
    optimalFar: 0,
    reachedFar: 0,
    excess: 0,
    tiedHops: 0,
    hops: 0,
  };
  const next = new Int32Array(n);
  const visited = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    const score = slnScores(g, emb, t);
    if (rule === "plain") {
      for (let i = 0; i < n; i++) {
        if (i === t) continue;
        const h = slnHop(g, score, i);
        next[i] = h.next;
        st.hops++;
        if (h.tied) st.tiedHops++;
      }
    }
    for (let s = 0; s < n; s++) {
      if (s === t) continue;
      const d = dist[s * n + t];
      if (d < 0) throw new Error("slnAllPairs needs a connected graph");
      visited.fill(0);
      visited[s] = 1;
      let i = s;
      let steps = 0;
      let ok = true;
      while (i !== t) {
        let j: number;
        if (rule === "plain") j = next[i];
        else {
          const h = slnHop(g, score, i, visited);
          st.hops++;
          if (h.tied) st.tiedHops++;
          j = h.next;
        }
        if (j < 0 || visited[j]) {
          ok = false;
          break;
        }
        visited[j] = 1;
        i = j;
        steps++;
      }
      st.pairs++;
      if (d >= 2) st.pairsFar++;
      if (ok) {
        st.reached++;
        st.excess += steps - d;
        if (d >= 2) st.reachedFar++;
        if (steps === d) {
          st.optimal++;
          if (d >= 2) st.optimalFar++;
        }
      }
    }
  }
  return st;
}

/**
 * The line graph L(G) of a graph, the normalised Laplacian 𝓛 = I − D^{−1/2} A D^{−1/2} of
 * L(G) and its eigen-decomposition in Float64 (`ml-matrix`), and the spectral edge
 * embeddings that the Spectral Line Navigator and the embedding correlation use.
 *
 * Matrices are row-major Float64Arrays. L(G) has one node per edge of G (numbered as
 * `g.edges`); two are adjacent when the edges share an endpoint.
 *
 * @module
 */

import { symEig as symEigen } from "../math/linalg.ts";
import type { Graph } from "./graph.ts";

/**
 * Adjacency matrix of the line graph L(G), m×m with m = |E(G)|.
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { lineGraphAdjacency } from "./spectrum.ts";
 * import assert from "node:assert/strict";
 * // the path 0-1-2 has two edges that share node 1
 * const a = lineGraphAdjacency(graphFromEdges(3, [[0, 1], [1, 2]]));
 * assert.ok(a[1] === 1 && a[2] === 1 && a[0] === 0);
 * ```
 */
export function lineGraphAdjacency(g: Graph): Float64Array {
  const m = g.edges.length;
  const a = new Float64Array(m * m);
  for (let e = 0; e < m; e++) {
    const [u, v] = g.edges[e];
    for (let f = e + 1; f < m; f++) {
      const [x, y] = g.edges[f];
      if (u === x || u === y || v === x || v === y) {
        a[e * m + f] = 1;
        a[f * m + e] = 1;
      }
    }
  }
  return a;
}

/**
 * Normalised Laplacian I − D^{−1/2} A D^{−1/2} of a symmetric adjacency matrix (size k×k).
 * An isolated node (degree 0) gets 𝓛_ii = 0, as in networkx.
 *
 * @example
 * ```ts
 * import { normalizedLaplacian } from "./spectrum.ts";
 * import assert from "node:assert/strict";
 * const l = normalizedLaplacian(new Float64Array([0, 1, 1, 0]), 2);
 * assert.ok(l[0] === 1 && l[1] === -1);
 * ```
 */
export function normalizedLaplacian(adj: Float64Array, k: number): Float64Array {
  const deg = new Float64Array(k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) deg[i] += adj[i * k + j];
  const s = deg.map((d) => (d > 0 ? 1 / Math.sqrt(d) : 0));
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      l[i * k + j] = (i === j && deg[i] > 0 ? 1 : 0) - s[i] * adj[i * k + j] * s[j];
    }
  }
  return l;
}

/** Eigenpairs of a symmetric matrix, eigenvalues ascending. */
export interface SymEig {
  /** Size k. */
  k: number;
  /** Eigenvalues λ_0 ≤ … ≤ λ_{k−1}. */
  values: Float64Array;
  /** `vectors[i * k + j]` = component i of the unit eigenvector j (eigenvectors are columns). */
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric k×k matrix (`ml-matrix`, Householder tridiagonalisation
 * and QL, Float64), sorted by ascending eigenvalue.
 *
 * @example
 * ```ts
 * import { symEig } from "./spectrum.ts";
 * import assert from "node:assert/strict";
 * const e = symEig(new Float64Array([2, 1, 1, 2]), 2);
 * assert.ok(Math.abs(e.values[0] - 1) < 1e-12 && Math.abs(e.values[1] - 3) < 1e-12);
 * ```
 */
export function symEig(mat: Float64Array, k: number): SymEig {
  if (k === 0) return { k, values: new Float64Array(0), vectors: new Float64Array(0) };
  const { values: lam, Q } = symEigen(mat, k);
  const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => lam[a] - lam[b]);
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * k);
  order.forEach((src, j) => {
    values[j] = lam[src];
    for (let i = 0; i < k; i++) vectors[i * k + j] = Q[i * k + src];
  });
  return { k, values, vectors };
}

/**
 * Largest entry of |M V − V diag(λ)| and of |VᵀV − I|: how exact a decomposition is.
 *
 * @example
 * ```ts
 * import { eigResidual, symEig } from "./spectrum.ts";
 * import assert from "node:assert/strict";
 * const m = new Float64Array([2, 1, 1, 2]);
 * assert.ok(eigResidual(m, symEig(m, 2)) < 1e-12);
 * ```
 */
export function eigResidual(mat: Float64Array, e: SymEig): number {
  const { k, values, vectors } = e;
  let worst = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let mv = 0;
      let vv = 0;
      for (let l = 0; l < k; l++) {
        mv += mat[i * k + l] * vectors[l * k + j];
        vv += vectors[l * k + i] * vectors[l * k + j];
      }
      worst = Math.max(
        worst,
        Math.abs(mv - values[j] * vectors[i * k + j]),
        Math.abs(vv - (i === j ? 1 : 0)),
      );
    }
  }
  return worst;
}

/**
 * The eigenpairs of the normalised Laplacian of L(G).
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { lineGraphSpectrum } from "./spectrum.ts";
 * import assert from "node:assert/strict";
 * // L(triangle) = triangle: eigenvalues 0, 3/2, 3/2
 * const e = lineGraphSpectrum(graphFromEdges(3, [[0, 1], [1, 2], [0, 2]]));
 * assert.ok(Math.abs(e.values[2] - 1.5) < 1e-12);
 * ```
 */
export function lineGraphSpectrum(g: Graph): SymEig {
  const m = g.edges.length;
  return symEig(normalizedLaplacian(lineGraphAdjacency(g), m), m);
}

/**
 * Which eigenvectors of 𝓛(L(G)) make an edge's coordinates, and how they are weighted.
 * Eigenvector 0 is the trivial one (λ = 0, ∝ √degree in L(G)).
 * - `{kind: "first", k}`: eigenvectors 1..k (the k smallest non-trivial), unweighted;
 * - `{kind: "flat"}`: all m eigenvectors, unweighted (a control: the rows of an orthogonal
 *   matrix are equidistant, so every pair of distinct edges is √2 apart);
 * - `{kind: "invsqrt"}`: eigenvectors 1..m−1 scaled by 1/√λ (the commute-time embedding:
 *   squared distances are effective resistances of 𝓛's pseudo-inverse);
 * - `{kind: "heat", t}`: all eigenvectors scaled by e^{−tλ/2} (squared distances of the
 *   heat kernel e^{−t𝓛}).
 */
export type EmbeddingSpec =
  | { kind: "first"; k: number }
  | { kind: "flat" }
  | { kind: "invsqrt" }
  | { kind: "heat"; t: number };

/** Eigenvalues below this are treated as zero (the graph's trivial eigenvector). */
export const ZERO_EIGENVALUE = 1e-9;

/**
 * Spectral coordinates of every edge: an m×dim row-major matrix (row e = edge e).
 * `first` with k ≥ m − 1 uses all non-trivial eigenvectors. Eigenvectors beyond 0 whose
 * eigenvalue is also ~0 (a disconnected L(G)) are skipped by `invsqrt`.
 *
 * @example
 * ```ts
 * import { graphFromEdges } from "./graph.ts";
 * import { edgeEmbedding, lineGraphSpectrum } from "./spectrum.ts";
 * import assert from "node:assert/strict";
 * const g = graphFromEdges(4, [[0, 1], [1, 2], [2, 3], [0, 3]]);
 * const e = edgeEmbedding(lineGraphSpectrum(g), { kind: "first", k: 2 });
 * assert.ok(e.dim === 2 && e.coords.length === 8);
 * ```
 */
export function edgeEmbedding(
  eig: SymEig,
  spec: EmbeddingSpec,
): { dim: number; coords: Float64Array } {
  const { k: m, values, vectors } = eig;
  const cols: number[] = [];
  const w: number[] = [];
  for (let j = 0; j < m; j++) {
    const lam = Math.max(0, values[j]);
    if (spec.kind === "first") {
      if (j >= 1 && j <= spec.k) (cols.push(j), w.push(1));
    } else if (spec.kind === "flat") {
      cols.push(j), w.push(1);
    } else if (spec.kind === "invsqrt") {
      if (j >= 1 && lam > ZERO_EIGENVALUE) (cols.push(j), w.push(1 / Math.sqrt(lam)));
    } else {
      cols.push(j), w.push(Math.exp(-spec.t * lam / 2));
    }
  }
  const dim = cols.length;
  const coords = new Float64Array(m * dim);
  for (let e = 0; e < m; e++) {
    for (let c = 0; c < dim; c++) coords[e * dim + c] = w[c] * vectors[e * m + cols[c]];
  }
  return { dim, coords };
}

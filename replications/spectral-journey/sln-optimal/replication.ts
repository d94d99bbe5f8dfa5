/**
 * spectral-journey/sln-optimal — Cohen, Gromov, Yang, Tian (arXiv 2502.08794), the talk's
 * slide "Spectral Line Navigator (SLN)": greedy steps in the spectral embedding of the line
 * graph find the shortest path on > 99 % of small random graphs.
 *
 * Read top to bottom: the claim, the grid (one cell = one batch of random graphs, every SLN
 * variant run on the same graphs and every ordered node pair), the cell, the check.
 *
 * @module
 */

import {
  above,
  atLeast,
  atMost,
  type CellContext,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  holds,
  num,
  type Profile,
  type Row,
  verdictOf,
  where,
} from "../../../mod.ts";
import { Rng } from "../../../lib/science/math/rng.ts";
import {
  allDistances,
  sampleGraph,
  type SamplerName,
} from "../../../lib/science/spectral/graph.ts";
import {
  edgeEmbedding,
  eigResidual,
  type EmbeddingSpec,
  lineGraphAdjacency,
  normalizedLaplacian,
  symEig,
} from "../../../lib/science/spectral/spectrum.ts";
import { slnAllPairs, type WalkRule } from "../../../lib/science/spectral/sln.ts";

// ---------------------------------------------------------------- claim
const claim: Claim = {
  statement: "The Spectral Line Navigator — compute the line graph L(G), take the " +
    "eigenvectors of its normalised Laplacian I − D^{−1/2}AD^{−1/2} as edge coordinates, and " +
    "from i = source repeatedly step to the neighbour j of the pair (j, k) minimising " +
    "‖v_{ij} − v_{k,target}‖₂ — finds a shortest path on more than 99 % of small random " +
    "graphs (up to 10 nodes).",
  source: "Cohen, Gromov, Yang, Tian, 'Spectral Journey: How Transformers Predict the " +
    "Shortest Path', arXiv 2502.08794 (ICLR 2025 workshop), result (3) of the abstract and " +
    "the SLN algorithm; the number is the seed talk's slide 'Spectral Line Navigator (SLN)'",
  paperValue: "> 99 % optimal for small random graphs (size < 10) [slide]; 'near-perfect " +
    "accuracy on the test set' [third-party summary]; the paper's body could not be read",
  scale: {
    quick: "3,000 graphs per sampler (2 cells of 1,500), every ordered pair (s, t) of each " +
      "graph, 7 embeddings × 2 walk rules, two samplers (the paper's graph distribution and " +
      "the prototype's)",
    full: "20,000 graphs per sampler (10 cells of 2,000), the same variants, plus the " +
      "paper's distribution cut at 9 nodes (the slide's 'size < 10')",
  },
  deviations: [
    "The paper's text (which eigenvectors, their weights, tie-breaking, whether adjacent " +
    "pairs count) could not be read: only the abstract, third-party summaries and the talk's " +
    "slide were found. The variants run as a grid; the check asserts one, fixed before our " +
    "first run: all non-trivial eigenvectors scaled by 1/√λ (the commute-time embedding), as " +
    "the slide says 'the eigenvectors', and all of them unweighted are degenerate (the rows " +
    "of an orthogonal matrix are equidistant, so every candidate edge is √2 from every " +
    "target edge). The others are reported (NOTES.md).",
    "Graphs: the paper enumerates every connected non-isomorphic graph with 3–10 nodes " +
    "(≈ 12 M) and tests on a 20 % split. We draw n with probability ∝ the number of " +
    "connected graphs on n nodes (OEIS A001349, so 97.7 % have 10 nodes) and then G(n, ½) " +
    "conditioned on connectivity: uniform over labelled graphs, which weights an " +
    "isomorphism class by n!/|Aut| instead of uniformly (82 % vs 66 % asymmetric graphs at " +
    "n = 10). The prototype's sampler (n ~ U{3..10}, p ~ U[0.2, 0.8]) is a second cell.",
    "Pairs: every ordered pair s ≠ t of every graph, weighted so each graph counts once (the " +
    "rate of one uniformly drawn pair per graph, without its sampling noise). Adjacent pairs " +
    "count (the paper's test set draws pairs at random); the rate at distance ≥ 2 is " +
    "reported separately.",
    "Ties (distances within 1e-9) go to the lowest node label, and their number is reported. " +
    "A revisited node means the greedy walk loops forever (its next hop depends only on the " +
    "current node and the target): the pair counts as not reached. A 'no-revisit' walk " +
    "(visited nodes are no candidates; not on the slide) is reported beside it.",
  ],
};

// ---------------------------------------------------------------- configuration
/** The SLN's edge coordinates run on every graph (the asserted one is `invsqrt`). */
const EMBEDDINGS: { id: string; spec: EmbeddingSpec }[] = [
  { id: "first-1", spec: { kind: "first", k: 1 } },
  { id: "first-2", spec: { kind: "first", k: 2 } },
  { id: "first-3", spec: { kind: "first", k: 3 } },
  { id: "first-5", spec: { kind: "first", k: 5 } },
  { id: "flat", spec: { kind: "flat" } },
  { id: "invsqrt", spec: { kind: "invsqrt" } },
  { id: "heat-1", spec: { kind: "heat", t: 1 } },
];
const RULES: WalkRule[] = ["plain", "no-revisit"];
/** The variant the check asserts, fixed before our first run (see the claim's deviations). */
const ASSERTED = { sampler: "paper", nMax: 10, embedding: "invsqrt", rule: "plain" } as const;
/** Graph samplers and batches per profile. */
const SAMPLERS: Record<Profile, { sampler: SamplerName; nMax: number }[]> = {
  quick: [{ sampler: "paper", nMax: 10 }, { sampler: "mixed", nMax: 10 }],
  full: [
    { sampler: "paper", nMax: 10 },
    { sampler: "mixed", nMax: 10 },
    { sampler: "paper", nMax: 9 },
  ],
};
const BATCHES: Record<Profile, { cells: number; graphs: number }> = {
  quick: { cells: 2, graphs: 1500 },
  full: { cells: 10, graphs: 2000 },
};
/** Claim thresholds. */
const CLAIM = {
  optimal: 0.99, // the slide: "> 99 % optimal"
  minGraphs: { quick: 2000, full: 10000 } as Record<Profile, number>, // the issue: ≥ 10k in full
  eigResidual: 1e-10, // Float64 eigenpairs of ≤ 45×45 matrices are exact to ~1e-14
};

interface Cell {
  [key: string]: string | number;
  sampler: SamplerName;
  n_max: number;
  batch: number;
  graphs: number;
  seed: number;
}

function grid({ profile, seed }: { profile: Profile; seed: number }): Cell[] {
  const b = BATCHES[profile];
  return SAMPLERS[profile].flatMap((s, si) =>
    Array.from({ length: b.cells }, (_, i) => ({
      sampler: s.sampler,
      n_max: s.nMax,
      batch: i,
      graphs: b.graphs,
      seed: seed + 1000 * (si + 1) + i,
    }))
  );
}

// ---------------------------------------------------------------- cell
interface Acc {
  dim: number;
  pairs: number;
  pairs_far: number;
  optimal: number;
  reached: number;
  optimal_far: number;
  reached_far: number;
  excess: number;
  tied_hops: number;
  hops: number;
  w_opt: number;
  w_reach: number;
  w_far: number;
  w_opt_far: number;
  w_reach_far: number;
}

function cell(p: Cell, ctx: CellContext): Row[] {
  const rng = new Rng(p.seed);
  const acc = new Map<string, Acc>();
  for (const e of EMBEDDINGS) {
    for (const r of RULES) {
      acc.set(`${e.id}|${r}`, {
        dim: 0,
        pairs: 0,
        pairs_far: 0,
        optimal: 0,
        reached: 0,
        optimal_far: 0,
        reached_far: 0,
        excess: 0,
        tied_hops: 0,
        hops: 0,
        w_opt: 0,
        w_reach: 0,
        w_far: 0,
        w_opt_far: 0,
        w_reach_far: 0,
      });
    }
  }
  let edges = 0;
  let resid = 0;
  for (let gi = 0; gi < p.graphs; gi++) {
    const g = sampleGraph(rng, { sampler: p.sampler, nMax: p.n_max });
    const m = g.edges.length;
    edges += m;
    const lap = normalizedLaplacian(lineGraphAdjacency(g), m);
    const eig = symEig(lap, m);
    resid = Math.max(resid, eigResidual(lap, eig));
    const dist = allDistances(g);
    for (const e of EMBEDDINGS) {
      const emb = edgeEmbedding(eig, e.spec);
      for (const r of RULES) {
        const st = slnAllPairs(g, emb, r, dist);
        const a = acc.get(`${e.id}|${r}`)!;
        a.dim += emb.dim;
        a.pairs += st.pairs;
        a.pairs_far += st.pairsFar;
        a.optimal += st.optimal;
        a.reached += st.reached;
        a.optimal_far += st.optimalFar;
        a.reached_far += st.reachedFar;
        a.excess += st.excess;
        a.tied_hops += st.tiedHops;
        a.hops += st.hops;
        a.w_opt += st.optimal / st.pairs;
        a.w_reach += st.reached / st.pairs;
        a.w_far += st.pairsFar / st.pairs;
        a.w_opt_far += st.optimalFar / st.pairs;
        a.w_reach_far += st.reachedFar / st.pairs;
      }
    }
    if ((gi + 1) % 100 === 0) ctx.progress(gi + 1, p.graphs);
  }
  const rows: Row[] = [];
  for (const e of EMBEDDINGS) {
    for (const r of RULES) {
      const a = acc.get(`${e.id}|${r}`)!;
      rows.push({
        sampler: p.sampler,
        n_max: p.n_max,
        batch: p.batch,
        seed: p.seed,
        embedding: e.id,
        rule: r,
        graphs: p.graphs,
        mean_edges: edges / p.graphs,
        mean_dim: a.dim / p.graphs,
        pairs: a.pairs,
        pairs_far: a.pairs_far,
        optimal: a.optimal,
        reached: a.reached,
        optimal_far: a.optimal_far,
        reached_far: a.reached_far,
        excess: a.excess,
        tied_hops: a.tied_hops,
        hops: a.hops,
        w_opt: a.w_opt,
        w_reach: a.w_reach,
        w_far: a.w_far,
        w_opt_far: a.w_opt_far,
        w_reach_far: a.w_reach_far,
        opt_rate: a.w_opt / p.graphs,
        opt_rate_far: a.w_opt_far / a.w_far,
        reach_rate: a.w_reach / p.graphs,
        eig_resid: resid,
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- claim check
/** One variant's rates pooled over its cells (each graph weighs one). */
export interface Pooled {
  /** Graphs. */
  graphs: number;
  /** Rate of optimal walks (one uniformly drawn ordered pair per graph). */
  optimal: number;
  /** The same among pairs at distance ≥ 2. */
  optimalFar: number;
  /** Rate of walks that reach the target. */
  reached: number;
  /** Share of pairs that are adjacent. */
  adjacent: number;
  /** Ordered pairs, and those whose walk never reaches the target. */
  pairs: number;
  /** Pairs not reached. */
  unreached: number;
  /** Share of decisions that were ties. */
  ties: number;
  /** Largest eigen-decomposition residual. */
  residual: number;
}

/** Pool the rows of one (sampler, n_max, embedding, rule) variant. */
export function pool(rows: Row[], match: Record<string, string | number>): Pooled {
  const rs = where(rows, match);
  const sum = (c: string) => rs.reduce((a, r) => a + num(r, c), 0);
  const graphs = sum("graphs");
  const pairs = sum("pairs");
  return {
    graphs,
    optimal: sum("w_opt") / graphs,
    optimalFar: sum("w_opt_far") / sum("w_far"),
    reached: sum("w_reach") / graphs,
    adjacent: 1 - sum("w_far") / graphs,
    pairs,
    unreached: pairs - sum("reached"),
    ties: sum("tied_hops") / sum("hops"),
    residual: Math.max(...rs.map((r) => num(r, "eig_resid"))),
  };
}

const pct = (x: number) => fmt(100 * x, { digits: 4, unit: " %" });

/** The slide's assertion on the asserted variant (commute-time SLN, the paper's graphs). */
export function check(rows: Row[], profile: Profile): CheckResult {
  const a = pool(rows, {
    sampler: ASSERTED.sampler,
    n_max: ASSERTED.nMax,
    embedding: ASSERTED.embedding,
    rule: ASSERTED.rule,
  });
  const items = [
    above(
      "SLN (all eigenvectors scaled 1/√λ) finds a shortest path on > 99 % of the paper's " +
        "random graphs (one random ordered pair per graph)",
      a.optimal,
      CLAIM.optimal,
    ),
    holds(
      "the SLN walk always reaches the target",
      a.pairs > 0 && a.unreached === 0,
      `${a.unreached} of ${a.pairs} ordered pairs loop (reached ${pct(a.reached)})`,
      "0 pairs",
    ),
    atLeast("graphs evaluated", a.graphs, CLAIM.minGraphs[profile]),
    atMost(
      "Float64 eigen-decomposition residual ‖𝓛V − VΛ‖∞, ‖VᵀV − I‖∞",
      a.residual,
      CLAIM.eigResidual,
    ),
  ];
  const others = ["first-1", "first-3", "heat-1"].map((e) => {
    const o = pool(rows, {
      sampler: ASSERTED.sampler,
      n_max: ASSERTED.nMax,
      embedding: e,
      rule: "plain",
    });
    return `${e} ${pct(o.optimal)}`;
  }).join(", ");
  return verdictOf(
    items,
    `commute-time SLN: ${pct(a.optimal)} optimal (${pct(a.optimalFar)} at distance ≥ 2; ` +
      `${pct(a.adjacent)} of pairs adjacent), reaches ${pct(a.reached)}; ${others}`,
    [0],
  );
}

// ---------------------------------------------------------------- replication
export default defineReplication<Cell>({
  title: "Spectral Line Navigator: > 99 % shortest paths on small random graphs",
  claim,
  grid,
  cell,
  // CPU seconds on one core of the shared AMD EPYC: ≈ 1.5 ms per paper graph, all 14 variants
  cost: (p) => p.graphs * (p.sampler === "paper" ? 1.5e-3 : 0.6e-3),
  check,
  recorded: {
    quick: {
      verdict: "PARTIAL",
      why: "commute-time SLN 99.88 % optimal on 3,000 paper graphs (99.76 % at distance ≥ 2), " +
        "but the greedy walk loops on 256 of 268,880 ordered pairs (reached 99.90 %); the loop " +
        "was checked with networkx",
    },
    full: {
      verdict: "PARTIAL",
      why: "commute-time SLN 99.88 % optimal on 20,000 paper graphs (99.77 % at distance ≥ 2), " +
        "but 1,672 of 1,791,804 ordered pairs loop (reached 99.91 %)",
    },
  },
  tolerances: {
    keys: ["sampler", "n_max", "batch", "embedding", "rule"],
    columns: {
      eig_resid: {
        atol: 1e-13,
        rtol: 1,
        why: "rounding-level residual: depends on the order of Float64 operations only",
      },
      mean_edges: { atol: 0, why: "graphs are drawn by the seeded Rng: exact" },
      mean_dim: { atol: 0, why: "number of eigenvectors used: exact" },
      ...Object.fromEntries(
        ["w_opt", "w_reach", "w_far", "w_opt_far", "w_reach_far"].map((c) => [c, {
          atol: 0.34,
          why: "a sum of per-graph fractions: ±2 flipped pairs (see the counts) move it by ≤ 2/6",
        }]),
      ),
      ...Object.fromEntries(
        ["opt_rate", "opt_rate_far", "reach_rate"].map((c) => [c, {
          atol: 1e-3,
          why: "a weighted sum over ≥ 1,500 graphs: ±2 flipped pairs move it by < 1e-3",
        }]),
      ),
    },
    default: {
      atol: 2,
      why: "pure Float64 JS is deterministic on one engine; an ulp change in Math.hypot/exp " +
        "(ml-matrix, heat weights) on another could flip a decision whose two distances " +
        "differ by ≈ 1e-9: ±2 pairs (or decisions) in the counts",
    },
  },
});

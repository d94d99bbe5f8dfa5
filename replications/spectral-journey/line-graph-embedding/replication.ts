/**
 * spectral-journey/line-graph-embedding — Cohen, Gromov, Yang, Tian (arXiv 2502.08794),
 * results (1) and (2) and the talk's slides "What representations it learns?": a 2-layer
 * decoder-only transformer trained to output shortest paths learns edge representations
 * whose normalised correlation with the line graph's Laplacian eigenvectors exceeds 0.9.
 *
 * Read top to bottom: the claim, the grid (one cell = one training run for one seed), the
 * cell (train, then evaluate the trained and the untrained model and two model-free
 * controls), the check.
 *
 * @module
 */

import {
  above,
  atLeast,
  type CellContext,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  num,
  type Profile,
  type Row,
  verdictOf,
  where,
} from "../../../mod.ts";
import { Rng } from "../../../lib/science/math/rng.ts";
import { makeVocab, maxSequenceLength } from "../../../lib/science/spectral/tokens.ts";
import {
  disposeModel,
  initOptState,
  initTransformer,
  parameterCount,
  trainTransformer,
  type TransformerModel,
} from "../../../lib/science/spectral/transformer.ts";
import {
  controlRepresentations,
  correlationsUpTo,
  drawGraph,
  edgeRepresentations,
  pathAccuracy,
  type Readout,
  testPrompts,
  TrainingStream,
} from "../../../lib/science/spectral/pathtask.ts";
import type { Graph } from "../../../lib/science/spectral/graph.ts";
import type { TfModule } from "../../../mod.ts";

// ---------------------------------------------------------------- claim
const claim: Claim = {
  statement: "A two-layer decoder-only transformer trained from scratch on edge lists followed " +
    "by a query (source, target) to output a shortest path learns to predict shortest paths, " +
    "and its edge representations after the first layer (averaged over random edge orders) " +
    "are correlated with the spectral decomposition of the line graph: normalised " +
    "correlation > 0.9 with the eigenvectors of the line graph's normalised Laplacian.",
  source: "Cohen, Gromov, Yang, Tian, 'Spectral Journey: How Transformers Predict the " +
    "Shortest Path', arXiv 2502.08794 (ICLR 2025 workshop), abstract results (1)–(2); the seed " +
    "talk's slides 'Learn a 2-layer Transformer for predicting shortest path' and 'What " +
    "representations it learns?' ('Normalized Correlation > 0.9')",
  paperValue: "(1) 2-layer models learn shortest paths on connected graphs with up to 10 nodes; " +
    "(2) normalised correlation > 0.9 between the edge embeddings' PCA coefficients and the " +
    "line graph's Laplacian eigenvector coefficients [slide]",
  scale: {
    quick: "graphs with 3–6 nodes, d = 32, 1 head, 2 layers, batch 32, 1,000 AdamW steps, " +
      "1 seed (the family's 2-minute budget); evaluated on 512 held-out queries and 48 " +
      "held-out 6-node graphs (≥ 8 edges, 8 edge orders each)",
    full: "the paper's 3–10 nodes, d = 64, 2 heads, batch 64, 20,000 steps, 2 seeds; 1,000 " +
      "held-out queries and 64 held-out 10-node graphs",
  },
  deviations: [
    "Width and training are far below the paper's (d = 512, 1–8 heads, ≈ 10 M training " +
    "graphs): tfjs on one CPU core. The quick profile also cuts the graphs to ≤ 6 nodes.",
    "The graphs are drawn, not enumerated: n ∝ the number of connected graphs on n nodes " +
    "(OEIS A001349), then G(n, ½) conditioned on connectivity; a graph is held out when its " +
    "Weisfeiler–Lehman class hash ≡ 0 mod 5 (≈ 20 % of the classes, as the paper's 80/20 " +
    "split of non-isomorphic graphs).",
    "Format: '<bos> u v <e> … <q> s t <p> s … t <eos>' as on the slide, random edge order and " +
    "orientation, a uniformly random shortest path as the answer; loss on the path and <eos>.",
    "Model: pre-LN blocks with RoPE and a GELU (x·σ(1.702x)) MLP, but no biases and no " +
    "LayerNorm gains (their gradients are row sums, slow on tfjs-wasm); AdamW (β = 0.9, 0.98, " +
    "wd 0.01), warm-up then cosine decay, gradient clip 1. Weights below 1e-15 and Adam " +
    "moments below 1e-30 are flushed to exact zeros after every update.",
    "The paper's correlation metric could not be read. Ours (NOTES.md): per held-out graph, " +
    "the mean canonical correlation ρ_K between the top-K principal components of the " +
    "layer-1 edge representations (read at each edge's second node token) and the K lowest " +
    "non-trivial eigenvectors of the normalised Laplacian of L(G), averaged over graphs; the " +
    "check uses K = 3 against the same model untrained. An 'endpoint-sum' control (edge = " +
    "a_u + a_v with random node vectors) and a random control are reported.",
  ],
};

// ---------------------------------------------------------------- configuration
interface Setting {
  nMax: number;
  width: number;
  heads: number;
  batch: number;
  steps: number;
  lr: number;
  warmup: number;
  seeds: number;
  queries: number;
  graphs: number;
  orders: number;
  minEdges: number;
}
const SETTINGS: Record<Profile, Setting> = {
  quick: {
    nMax: 6,
    width: 32,
    heads: 1,
    batch: 32,
    steps: 1000,
    lr: 3e-3,
    warmup: 100,
    seeds: 1,
    queries: 512,
    graphs: 48,
    orders: 8,
    minEdges: 8,
  },
  full: {
    nMax: 10,
    width: 64,
    heads: 2,
    batch: 64,
    steps: 20000,
    lr: 1e-3,
    warmup: 500,
    seeds: 2,
    queries: 1000,
    graphs: 64,
    orders: 8,
    minEdges: 12,
  },
};
/** ρ_K is reported for K = 1..K_MAX; the check uses K_CHECK. */
const K_MAX = 5;
const K_CHECK = 3;
/** Claim thresholds (written before any run; see NOTES.md). */
const CLAIM = {
  correlation: 0.9, // the slide: "Normalized Correlation > 0.9"
  overUntrained: 0.1, // "against an untrained baseline": clearly above the same model at init
  pathAccuracy: { quick: 0.9, full: 0.99 } as Record<Profile, number>, // (1), reduced in quick
};

interface Cell {
  [key: string]: number;
  seed: number;
  n_max: number;
  width: number;
  heads: number;
  batch: number;
  steps: number;
}

function grid({ profile, seed }: { profile: Profile; seed: number }): Cell[] {
  const s = SETTINGS[profile];
  return Array.from({ length: s.seeds }, (_, i) => ({
    seed: seed + 1 + i,
    n_max: s.nMax,
    width: s.width,
    heads: s.heads,
    batch: s.batch,
    steps: s.steps,
  }));
}

// ---------------------------------------------------------------- cell
type Stage = "untrained" | "trained";

async function cell(p: Cell, ctx: CellContext): Promise<Row[]> {
  const s = SETTINGS[ctx.profile];
  const tf = await ctx.tf();
  const vocab = makeVocab(p.n_max);
  const maxLen = Math.ceil(maxSequenceLength(p.n_max) / 8) * 8;
  const draw = { sampler: "paper" as const, nMax: p.n_max };
  // held-out evaluation sets, fixed by the seed
  const evalRng = new Rng(7919 * p.seed + 17);
  const prompts = testPrompts(evalRng, vocab, s.queries, draw);
  const graphs: Graph[] = Array.from(
    { length: s.graphs },
    () => drawGraph(evalRng, { ...draw, nMin: p.n_max, test: true, minEdges: s.minEdges }),
  );
  const model = initTransformer(
    tf,
    { vocab: vocab.size, width: p.width, layers: 2, heads: p.heads, maxLen },
    p.seed,
  );
  const rows: Row[] = [];
  const base = { seed: p.seed, n_max: p.n_max, width: p.width, heads: p.heads };
  const evaluate = async (stage: Stage, extra: Row) => {
    const acc = await pathAccuracy(tf, model, vocab, prompts);
    const corr = await modelCorrelations(tf, model, vocab, graphs, s.orders, p.seed);
    for (const readout of ["second", "edge"] as Readout[]) {
      rows.push({
        ...base,
        model: stage,
        readout,
        path_acc: acc.accuracy,
        path_acc_far: acc.accuracyFar,
        queries: acc.queries,
        queries_far: acc.far,
        graphs: graphs.length,
        ...Object.fromEntries(corr[readout].map((c, i) => [`corr_k${i + 1}`, c])),
        ...extra,
      });
    }
  };
  await evaluate("untrained", { steps: 0, loss: NaN, params: parameterCount(model) });
  const state = initOptState(tf, model);
  const stream = new TrainingStream(new Rng(104729 * p.seed + 3), vocab, p.batch, maxLen, draw);
  const t0 = performance.now();
  const losses = await trainTransformer(tf, model, state, {
    steps: p.steps,
    lr: s.lr,
    warmup: s.warmup,
    nextBatch: () => stream.next(),
    logSteps: [p.steps],
    onProgress: ctx.progress,
  });
  const seconds = (performance.now() - t0) / 1000;
  ctx.log(`seed ${p.seed}: ${p.steps} steps in ${seconds.toFixed(0)} s, loss ${losses[0]?.[1]}`);
  await evaluate("trained", {
    steps: p.steps,
    loss: losses[0]?.[1] ?? NaN,
    params: parameterCount(model),
  });
  disposeModel(model, state);
  // model-free controls on the same graphs
  const ctlRng = new Rng(15485863 * p.seed + 5);
  for (const kind of ["endpoint-sum", "random"] as const) {
    const sums = new Array(K_MAX).fill(0);
    for (const g of graphs) {
      const c = correlationsUpTo(
        g,
        controlRepresentations(g, p.width, kind, ctlRng),
        p.width,
        K_MAX,
      );
      c.forEach((v, i) => (sums[i] += v / graphs.length));
    }
    rows.push({
      ...base,
      model: kind,
      readout: "none",
      graphs: graphs.length,
      ...Object.fromEntries(sums.map((c, i) => [`corr_k${i + 1}`, c])),
    });
  }
  return rows;
}

/** Mean ρ_K (K = 1..K_MAX) over the graphs, per readout. */
async function modelCorrelations(
  tf: TfModule,
  model: TransformerModel,
  vocab: ReturnType<typeof makeVocab>,
  graphs: Graph[],
  orders: number,
  seed: number,
): Promise<Record<Readout, number[]>> {
  const rng = new Rng(32452843 * seed + 11); // same edge orders before and after training
  const out: Record<Readout, number[]> = {
    second: new Array(K_MAX).fill(0),
    edge: new Array(K_MAX).fill(0),
  };
  for (const g of graphs) {
    const reps = await edgeRepresentations(tf, model, vocab, g, orders, rng);
    for (const readout of ["second", "edge"] as Readout[]) {
      const c = correlationsUpTo(g, reps[readout], model.config.width, K_MAX);
      c.forEach((v, i) => (out[readout][i] += v / graphs.length));
    }
  }
  return out;
}

// ---------------------------------------------------------------- claim check
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Results (1) and (2), per seed, at K = 3 and the second-node readout. */
export function check(rows: Row[], profile: Profile): CheckResult {
  const k = `corr_k${K_CHECK}`;
  const pick = (model: string) =>
    where(rows, {
      model,
      readout: model === "endpoint-sum" || model === "random" ? "none" : "second",
    });
  const trained = pick("trained");
  const untrained = pick("untrained");
  const seeds = trained.map((r) => num(r, "seed"));
  const byseed = (rs: Row[], s: number, c: string) => num(rs.find((r) => num(r, "seed") === s)!, c);
  const corrT = seeds.map((s) => byseed(trained, s, k));
  const corrU = seeds.map((s) => byseed(untrained, s, k));
  const gaps = corrT.map((c, i) => c - corrU[i]);
  const acc = trained.map((r) => num(r, "path_acc"));
  const minOf = (
    xs: number[],
  ) => (xs.length === 0 || xs.some(Number.isNaN) ? NaN : Math.min(...xs));
  const items = [
    atLeast(
      `(1) path accuracy of the trained model on held-out graphs (any shortest path; worst ` +
        `of ${seeds.length} seeds)`,
      minOf(acc),
      CLAIM.pathAccuracy[profile],
    ),
    above(
      `(2) normalised correlation ρ_${K_CHECK} of layer-1 edge representations with the ` +
        `line graph's Laplacian eigenvectors (worst seed)`,
      minOf(corrT),
      CLAIM.correlation,
    ),
    atLeast(
      `(2) ρ_${K_CHECK} above the same model untrained (worst seed's gain)`,
      minOf(gaps),
      CLAIM.overUntrained,
    ),
  ];
  const ctl = (m: string) => {
    const rs = pick(m);
    return rs.length ? fmt(mean(rs.map((r) => num(r, k)))) : "NaN";
  };
  return verdictOf(
    items,
    `path accuracy ${acc.map((a) => fmt(a)).join(", ")}; ρ_${K_CHECK} trained ` +
      `${corrT.map((c) => fmt(c)).join(", ")} vs untrained ${corrU.map((c) => fmt(c)).join(", ")}` +
      ` (endpoint-sum control ${ctl("endpoint-sum")}, random ${ctl("random")})`,
    [1, 2],
  );
}

// ---------------------------------------------------------------- replication
export default defineReplication<Cell>({
  title: "Shortest-path transformer: edge embeddings correlate with the line graph's spectrum",
  claim,
  grid,
  cell,
  // CPU seconds on one core of the shared AMD EPYC (NOTES.md): ≈ 0.1 s per quick step
  // (op-bound), scaled by batch × width × N² for the full model, plus the evaluations
  cost: (p) => (p.steps * (p.batch / 32) * (p.width / 32) * 0.1 + 10) * (p.n_max / 6) ** 2,
  check,
  recorded: {
    quick: {
      verdict: "NOT REPRODUCED",
      why: "at 1,000 CPU steps (d = 32) the model solves adjacent queries only (path accuracy " +
        "0.56, 0.25 at distance ≥ 2); ρ_3 0.77 trained vs 0.87 untrained, while a model-free " +
        "endpoint-sum control already gives 0.93 (a 5,000-step scratch run stayed on the same " +
        "plateau)",
    },
  },
  fill: NaN,
  tolerances: {
    keys: ["seed", "model", "readout"],
    columns: {
      path_acc: {
        atol: 0.01,
        why: "float32 tfjs: kernel or backend changes move argmax ties on ~1 % of queries",
      },
      path_acc_far: { atol: 0.02, why: "as path_acc, on the ≈ half of queries at distance ≥ 2" },
      loss: { rtol: 0.02, why: "float32 training over 1,000+ steps drifts across backends" },
    },
    default: {
      atol: 0.02,
      why: "correlations of float32 layer-1 states after float32 training: backend drift " +
        "(model-free controls are Float64 and exact)",
    },
  },
});

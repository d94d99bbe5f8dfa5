/**
 * galore/memory-formulas — GaLore's Table 1 float counts (Adam 3mn, GaLore mn + mr + 2nr,
 * LoRA mn + 3mr + 3nr) against the floats our optimiser actually holds, and the paper's
 * memory estimates (Table 2, Table 6, Table 3, §1, §5.5) and the slide's third-party 7B
 * measurements against one stated byte accounting.
 *
 * @module
 */

import {
  atMost,
  type CheckItem,
  type CheckResult,
  defineReplication,
  fmt,
  holds,
  num,
  type Profile,
  Rng,
  type Row,
  type TfModule,
  verdictOf,
  where,
} from "../../../mod.ts";
import {
  type Accounting,
  LLAMA_CONFIGS,
  llamaShapes,
  matrixFloats,
  memoryBytes,
  type Method,
  METHODS,
} from "../../../lib/science/galore/memory.ts";
import { GaLoreOptimizer, type OptimParam } from "../../../lib/science/galore/optimizer.ts";
import { FactoredMatrix, variableFrom } from "../../../lib/science/galore/lowrank.ts";

// ---------------------------------------------------------------- the claim
const claim = {
  statement: "For W ∈ R^{m×n} (m ≤ n) at rank r, full-rank Adam holds 3mn floats (weights and " +
    "two moments), GaLore mn + mr + 2nr (weights, projector, moments in the projected space) " +
    "and LoRA mn + 3mr + 3nr (W₀, B, A and the moments of B and A); the paper's per-model " +
    "memory estimates follow from these counts in BF16.",
  source: "Zhao et al., GaLore, ICML 2024, arXiv 2403.03507: §3.1, §4.2 and Table 1 (formulas); " +
    "Table 2, Table 6 (App. C.2), Table 3, §1 and §5.5 (estimates); the seed slides' " +
    "'Galore: Pre-training 7B model on RTX 4090' table (third-party measurement, @llamafactory_ai)",
  paperValue: "Table 1: 3mn / mn + mr + 2nr / mn + 3mr + 3nr. Table 2 (BF16, params + states): " +
    "60M/130M/350M/1B full 0.36/0.76/2.06/7.80G, GaLore 0.24/0.52/1.22/4.38G, low-rank " +
    "0.26/0.54/1.08/3.57G, LoRA 0.36/0.80/1.76/6.17G. 7B: 8-bit GaLore saves 9.6G (65.5 %) of " +
    "8-bit Adam's optimiser state; slide: 8-bit AdamW 40GB, 8-bit GaLore r16/r128/r1024 " +
    "28/29/36GB, 16-bit GaLore r128 30GB (18GB without retained gradients)",
  scale: {
    quick: "exact float counts on 5 matrix shapes × 4 methods (tfjs, one optimiser step and a " +
      "projector switch); estimates for the repo's 60M–7B configs (arithmetic, milliseconds)",
    full: "same as quick (the computation is exact and costs milliseconds)",
  },
  deviations: [
    "Memory estimates are arithmetic from the authors' configs (configs/llama_*.json), not " +
    "measured on a GPU; activations, CUDA context and allocator overheads are not modelled.",
    "The 1B config of the repo has 24 layers (the paper's Table 5 says 32); we use the repo's. " +
    "Table 2 lists d_model 256 for 60M, the repo's config (and Table 5) 512; we use 512.",
    "8-bit optimiser states are counted at 1 byte per entry (bitsandbytes' block-wise scales, " +
    "4 bytes per 2048 entries, are ignored); GaLore's projector at 2 bytes (BF16, the dtype the " +
    "code casts it to).",
    "Float counts are taken on small matrices (the 7B model is not instantiated); a one-step " +
    "run of the optimiser allocates its state, and the count is the sum of the state tensors' sizes.",
    "Optimiser moments are flushed to 0 below 1e-30 and weights below 1e-15 after each update " +
    "(float32 subnormals are slow on tfjs-wasm); this does not change any count.",
  ],
};

// ---------------------------------------------------------------- configuration
/** Matrix shapes (m, n, r) whose held floats are counted: both orientations, square, r = min. */
const SHAPES: [number, number, number][] = [
  [64, 256, 16],
  [256, 64, 16],
  [64, 64, 16],
  [48, 80, 48],
  [33, 17, 5],
];

/** Ranks of Table 2 per model size (same r for all low-rank methods). */
const TABLE2_RANK: Record<string, number> = { "60M": 128, "130M": 256, "350M": 256, "1B": 512 };

/** Table 2 totals and Table 6 (App. C.2) weights / states, GB, per size in 60M…1B order. */
const PAPER_TABLE2: Record<Method, { total: number[]; weights: number[]; states: number[] }> = {
  full: {
    total: [0.36, 0.76, 2.06, 7.80],
    weights: [0.12, 0.25, 0.68, 2.60],
    states: [0.23, 0.51, 1.37, 5.20],
  },
  galore: {
    total: [0.24, 0.52, 1.22, 4.38],
    weights: [0.12, 0.25, 0.68, 2.60],
    states: [0.13, 0.28, 0.54, 1.78],
  },
  lowrank: {
    total: [0.26, 0.54, 1.08, 3.57],
    weights: [0.08, 0.18, 0.36, 1.19],
    states: [0.17, 0.37, 0.72, 2.38],
  },
  lora: {
    total: [0.36, 0.80, 1.76, 6.17],
    weights: [0.20, 0.44, 1.04, 3.79],
    states: [0.17, 0.37, 0.72, 2.38],
  },
};

/** Bytes: BF16 weights and states (Table 2, Table 6: "based on BF16 format"). */
const BF16: Accounting = { weight: 2, state: 2, projector: 2, grad: 0 };

/** GB = 10⁹ bytes: the paper's "13.5G memory of storing weight gradients" is 6.74e9 × 2 bytes. */
const GB = 1e9;

/** One 7B comparison: what is estimated, how, and the published figure. */
interface SevenB {
  quantity: string;
  source: string;
  kind: "estimate" | "measured";
  value: number;
  compute: () => number;
}

const SEVEN_B_SHAPES = llamaShapes(LLAMA_CONFIGS["7B"]);
const bytes7b = (method: Method, r: number, acc: Accounting) =>
  memoryBytes(SEVEN_B_SHAPES, method, r, acc);
const acc = (state: number, grad: number): Accounting => ({ weight: 2, state, projector: 2, grad });

/** The 7B figures: paper estimates (§1, §5.5, Table 3) and the slide's third-party measurements. */
const SEVEN_B: SevenB[] = [
  {
    quantity: "BF16 weights",
    source: "§1: 14GB for trainable parameters",
    kind: "estimate",
    value: 14,
    compute: () => bytes7b("full", 0, BF16).weights / GB,
  },
  {
    quantity: "BF16 Adam states + weight gradients",
    source: "§1: 42GB for Adam optimizer states and weight gradients",
    kind: "estimate",
    value: 42,
    compute: () => {
      const b = bytes7b("full", 0, acc(2, 2));
      return (b.states + b.grads) / GB;
    },
  },
  {
    quantity: "BF16 weight gradients",
    source: "§5.5: per-layer updates save 13.5G of weight gradients",
    kind: "estimate",
    value: 13.5,
    compute: () => bytes7b("full", 0, acc(2, 2)).grads / GB,
  },
  {
    quantity: "8-bit state saved by GaLore r=1024 (GB)",
    source: "§5.5: low-rank projection reduces 9.6G of optimizer states vs 8-bit Adam",
    kind: "estimate",
    value: 9.6,
    compute: () =>
      (bytes7b("full", 0, acc(1, 0)).states - bytes7b("galore", 1024, acc(1, 0)).states) / GB,
  },
  {
    quantity: "8-bit state saved by GaLore r=1024 (%)",
    source: "§5.5 / abstract: 65.5 % of the optimizer-state memory",
    kind: "estimate",
    value: 65.5,
    compute: () =>
      100 * (1 - bytes7b("galore", 1024, acc(1, 0)).states / bytes7b("full", 0, acc(1, 0)).states),
  },
  {
    quantity: "8-bit GaLore r=1024: weights + states",
    source: "Table 3: memory estimate 18G",
    kind: "estimate",
    value: 18,
    compute: () => bytes7b("galore", 1024, acc(1, 0)).total / GB,
  },
  {
    quantity: "8-bit Adam: weights + states",
    source: "Table 3: memory estimate 26G",
    kind: "estimate",
    value: 26,
    compute: () => bytes7b("full", 0, acc(1, 0)).total / GB,
  },
  ...([
    ["8-bit AdamW, retaining grad", "full", 0, 1, 2, 40],
    ["8-bit GaLore r=16, retaining grad", "galore", 16, 1, 2, 28],
    ["8-bit GaLore r=128, retaining grad", "galore", 128, 1, 2, 29],
    ["16-bit GaLore r=128, retaining grad", "galore", 128, 2, 2, 30],
    ["16-bit GaLore r=128, no retained grad", "galore", 128, 2, 0, 18],
    ["8-bit GaLore r=1024, retaining grad", "galore", 1024, 1, 2, 36],
  ] as [string, Method, number, number, number, number][]).map((
    [q, method, r, state, grad, value],
  ) => ({
    quantity: q,
    source:
      "slide: third-party measurement (@llamafactory_ai), weights + grads + states + activations",
    kind: "measured" as const,
    value,
    compute: () => bytes7b(method, r, acc(state, grad)).total / GB,
  })),
];

/** One cell: one part of the comparison. */
type Params = { part: "count" | "table2" | "7b" };

const grid = (): Params[] => [{ part: "count" }, { part: "table2" }, { part: "7b" }];

// ---------------------------------------------------------------- the cells
/** Floats held by our implementation for one matrix and method, after `steps` updates. */
export async function heldFloats(
  tf: TfModule,
  method: Method,
  m: number,
  n: number,
  r: number,
  steps: number,
): Promise<{ weights: number; states: number; projector: number }> {
  const rng = new Rng(m * 1000 + n * 10 + r);
  const init = Float32Array.from(rng.fill(m * n, (x) => x.normal() / Math.sqrt(n)));
  const optCfg = { lr: 1e-3, rank: r, updateGap: 2, scale: 0.25 };
  let weights = 0;
  let params: OptimParam[] = [];
  let factored: FactoredMatrix | null = null;
  let dense: ReturnType<TfModule["variable"]> | null = null;
  if (method === "full" || method === "galore") {
    dense = variableFrom(tf, init, [m, n]);
    params = [{ name: "W", variable: dense, galore: method === "galore" }];
    weights = dense.size;
  } else {
    factored = new FactoredMatrix(tf, "W", method, init, m, n, r, rng);
    params = [{ name: "B", variable: factored.B }, { name: "A", variable: factored.A }];
    weights = factored.heldFloats();
  }
  const opt = new GaLoreOptimizer(tf, params, optCfg);
  for (let s = 0; s < steps; s++) {
    const grads: Record<string, ReturnType<TfModule["tensor"]>> = {};
    for (const p of params) {
      const shape = p.variable.shape as [number, number];
      const g = rng.fill(shape[0] * shape[1], (x) => x.normal());
      grads[p.name] = tf.tensor2d(Float32Array.from(g), shape);
    }
    await opt.step(grads);
    for (const g of Object.values(grads)) g.dispose();
  }
  const st = opt.stateFloats();
  opt.dispose();
  dense?.dispose();
  factored?.dispose();
  return { weights, states: st.total, projector: st.projector };
}

async function countCell(tf: TfModule): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [m, n, r] of SHAPES) {
    for (const method of METHODS) {
      if (method !== "galore" && r > Math.min(m, n)) continue;
      // 1 step allocates the state; 5 steps with T = 2 include two projector switches
      for (const steps of [1, 5]) {
        const held = await heldFloats(tf, method, m, n, r, steps);
        const f = matrixFloats(method, m, n, r);
        rows.push({
          part: "count",
          method,
          m,
          n,
          r,
          steps,
          held_weights: held.weights,
          held_states: held.states,
          held_projector: held.projector,
          held_total: held.weights + held.states,
          formula_total: f.weights + f.states,
          formula_states: f.states,
        });
      }
    }
  }
  return rows;
}

function table2Cell(): Row[] {
  const rows: Row[] = [];
  Object.keys(TABLE2_RANK).forEach((size, i) => {
    const shapes = llamaShapes(LLAMA_CONFIGS[size]);
    const r = TABLE2_RANK[size];
    for (const method of METHODS) {
      const b = memoryBytes(shapes, method, r, BF16);
      const paper = PAPER_TABLE2[method];
      for (
        const [quantity, ours, value] of [
          ["total", b.total, paper.total[i]],
          ["weights", b.weights, paper.weights[i]],
          ["states", b.states, paper.states[i]],
        ] as [string, number, number][]
      ) {
        rows.push({
          part: "table2",
          size,
          method,
          r,
          quantity,
          ours_GB: ours / GB,
          paper_GB: value,
          gap_pct: 100 * (ours / GB - value) / value,
        });
      }
    }
  });
  return rows;
}

function sevenBCell(): Row[] {
  return SEVEN_B.map((c, i) => {
    const ours = c.compute();
    return {
      part: "7b",
      item: i,
      quantity: c.quantity,
      kind: c.kind,
      source: c.source,
      ours_GB: ours,
      paper_GB: c.value,
      gap_pct: 100 * (ours - c.value) / c.value,
    };
  });
}

// ---------------------------------------------------------------- the check
/** Published estimates must follow from the formulas to within their rounding: 5 %. */
const ESTIMATE_GAP_PCT = 5;
/** A measurement includes activations: our estimate may exceed it only by rounding/units: 5 %. */
const MEASURED_SLACK = 1.05;

/** The paper's assertions over the rows of all cells. */
export function check(rows: Row[], _profile: Profile): CheckResult {
  const counts = where(rows, { part: "count" });
  const bad = counts.filter((r) => num(r, "held_total") !== num(r, "formula_total"));
  const t2 = where(rows, { part: "table2" });
  const worst = (rs: Row[]) =>
    rs.reduce((w, r) => Math.max(w, Math.abs(num(r, "gap_pct"))), rs.length ? 0 : NaN);
  const totals = t2.filter((r) => r.quantity === "total");
  const split = t2.filter((r) => r.quantity !== "total");
  const seven = where(rows, { part: "7b" });
  const est = seven.filter((r) => r.kind === "estimate");
  const meas = seven.filter((r) => r.kind === "measured");
  const order = (key: string) =>
    meas.map((r, i) => [num(r, key), i] as const).sort((a, b) => a[0] - b[0]).map((x) => x[1]).join(
      ",",
    );
  const sameOrder = meas.length > 0 && order("ours_GB") === order("paper_GB") &&
    meas.every((r) => Number.isFinite(num(r, "ours_GB")));
  const over = meas.filter((r) => !(num(r, "ours_GB") <= MEASURED_SLACK * num(r, "paper_GB")));
  const items: CheckItem[] = [
    holds(
      "Table 1: floats held = formula, every shape × method (exact)",
      counts.length > 0 && bad.length === 0,
      `${counts.length - bad.length}/${counts.length} equal` +
        (bad.length
          ? `; e.g. ${bad[0].method} ${bad[0].m}×${bad[0].n} r${bad[0].r}: ` +
            `${bad[0].held_total} vs ${bad[0].formula_total}`
          : ""),
      "all equal",
    ),
    atMost("Table 2 totals: largest |gap| to the paper (%)", worst(totals), ESTIMATE_GAP_PCT),
    atMost("Table 6 weights and states: largest |gap| (%)", worst(split), ESTIMATE_GAP_PCT),
    atMost("7B estimates (§1, §5.5, Table 3): largest |gap| (%)", worst(est), ESTIMATE_GAP_PCT),
    holds(
      "slide's 7B measurements: same order as our estimates, none exceeded by > 5 %",
      sameOrder && over.length === 0,
      meas.map((r) => `${fmt(num(r, "ours_GB"), { digits: 3 })}/${r.paper_GB}`).join(", ") + " GB",
      "same order; ours ≤ 1.05 × measured (activations not modelled)",
    ),
  ];
  const ourValue = `formulas exact on ${counts.length} counts; Table 2 totals within ` +
    `${fmt(worst(totals), { digits: 2 })} %, Table 6 within ${
      fmt(worst(split), { digits: 2 })
    } %, ` +
    `7B estimates within ${fmt(worst(est), { digits: 2 })} %`;
  return verdictOf(items, ourValue, [0]);
}

// ---------------------------------------------------------------- the replication
export default defineReplication({
  title: "GaLore: optimiser-state float counts and memory estimates",
  claim,
  grid,
  cell: async (p: Params, ctx) => {
    if (p.part === "count") return await countCell(await ctx.tf());
    if (p.part === "table2") return table2Cell();
    return sevenBCell();
  },
  cost: (p) => (p.part === "count" ? 1 : 0.01),
  check,
  tolerances: {
    keys: ["part", "method", "m", "n", "r", "steps", "size", "quantity", "item"],
    columns: {
      ours_GB: { rtol: 1e-12, why: "float64 arithmetic on integer counts" },
      gap_pct: { atol: 1e-9, rtol: 1e-9, why: "float64 arithmetic on integer counts" },
    },
    default: { atol: 0, why: "integer float counts are exact" },
  },
  fill: NaN,
  recorded: {
    quick: {
      verdict: "PARTIAL",
      why: "Table 1 holds exactly (40/40 counts), but the paper's per-size estimates are off " +
        "our stated BF16 accounting: Table 2 GaLore +8.7…+17.5 %, LoRA −14.7…−1.6 %; Table 6 " +
        "up to −32 % (LoRA weights, 60M); 7B state saving 7.83 GB / 58.1 % vs 9.6 GB / 65.5 %.",
    },
    full: {
      verdict: "PARTIAL",
      why:
        "same computation as quick (exact arithmetic): formulas exact, estimates up to 32 % off.",
    },
  },
});

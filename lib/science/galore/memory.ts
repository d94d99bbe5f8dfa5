/**
 * Memory accounting of GaLore and its baselines: Table 1's per-matrix float counts
 * (Zhao et al., arXiv 2403.03507, §3.1, §4.2), the parameter shapes of the LLaMA configs of
 * the authors' repository (`configs/llama_*.json`), and byte estimates of a whole model under
 * an explicit {@link Accounting} (bytes per weight, gradient, state and projector entry).
 *
 * Per matrix W ∈ R^{m×n}, a = min(m, n), b = max(m, n), rank r:
 *
 * | method | weights | optimiser state |
 * |---|---|---|
 * | full-rank Adam | mn | 2mn |
 * | GaLore | mn | ar + 2br (projector a×r, moments b×r) |
 * | LoRA, W = W₀ + BA | mn + (m+n)r | 2(m+n)r |
 * | low-rank, W = BA | (m+n)r | 2(m+n)r |
 *
 * Parameters outside the attention and FFN matrices (embeddings, norms, LM head) get plain
 * Adam under every method (the code's `target_modules_list = ["attn", "mlp"]`).
 *
 * @module
 */

/** The training methods compared in the paper's Table 2. */
export type Method = "full" | "galore" | "lora" | "lowrank";

/** All methods, in Table 2's order. */
export const METHODS: readonly Method[] = ["full", "galore", "lowrank", "lora"];

/** Float counts of one matrix under one method. */
export interface MatrixFloats {
  /** Entries of the weights held (W, W₀, B, A as the method needs). */
  weights: number;
  /** Entries of the trainable parameters (those with gradients and Adam moments). */
  trainable: number;
  /** Entries of the optimiser state (moments, and GaLore's projector). */
  states: number;
  /** Of `states`, the projector's entries (GaLore only). */
  projector: number;
}

/**
 * Table 1: floats held for a matrix W ∈ R^{m×n} (any orientation) trained with `method` at
 * rank r (r is clipped to min(m, n) for GaLore).
 *
 * @example
 * ```ts
 * import { matrixFloats } from "./memory.ts";
 * import assert from "node:assert/strict";
 * const g = matrixFloats("galore", 64, 256, 16);
 * assert.ok(g.weights + g.states === 64 * 256 + 64 * 16 + 2 * 256 * 16);
 * const l = matrixFloats("lora", 64, 256, 16);
 * assert.ok(l.weights + l.states === 64 * 256 + 3 * 64 * 16 + 3 * 256 * 16);
 * ```
 */
export function matrixFloats(method: Method, m: number, n: number, r: number): MatrixFloats {
  const a = Math.min(m, n), b = Math.max(m, n), mn = m * n;
  switch (method) {
    case "full":
      return { weights: mn, trainable: mn, states: 2 * mn, projector: 0 };
    case "galore": {
      const rr = Math.min(r, a);
      return { weights: mn, trainable: mn, states: a * rr + 2 * b * rr, projector: a * rr };
    }
    case "lora":
      return {
        weights: mn + (m + n) * r,
        trainable: (m + n) * r,
        states: 2 * (m + n) * r,
        projector: 0,
      };
    case "lowrank":
      return {
        weights: (m + n) * r,
        trainable: (m + n) * r,
        states: 2 * (m + n) * r,
        projector: 0,
      };
  }
}

/** A LLaMA configuration (the fields of the repo's `configs/llama_*.json` that size it). */
export interface LlamaConfig {
  /** d_model (`hidden_size`). */
  hidden: number;
  /** FFN width (`intermediate_size`). */
  intermediate: number;
  /** Decoder blocks (`num_hidden_layers`). */
  layers: number;
  /** Vocabulary (`vocab_size`). */
  vocab: number;
}

/** The authors' configs (repo jiaweizzhao/GaLore @2cc66f88, `configs/llama_<size>.json`). */
export const LLAMA_CONFIGS: Record<string, LlamaConfig> = {
  "60M": { hidden: 512, intermediate: 1376, layers: 8, vocab: 32000 },
  "130M": { hidden: 768, intermediate: 2048, layers: 12, vocab: 32000 },
  "350M": { hidden: 1024, intermediate: 2736, layers: 24, vocab: 32000 },
  "1B": { hidden: 2048, intermediate: 5461, layers: 24, vocab: 32000 },
  "7B": { hidden: 4096, intermediate: 11008, layers: 32, vocab: 32000 },
};

/** One parameter tensor of a model, as rows × cols (a vector is 1 × d). */
export interface ParamShape {
  /** Module path, e.g. `layers.3.mlp.up_proj`. */
  name: string;
  /** Rows (PyTorch `nn.Linear` weight: out_features). */
  rows: number;
  /** Columns (in_features). */
  cols: number;
  /** Whether GaLore / LoRA / low-rank apply (attention and FFN matrices). */
  target: boolean;
}

/**
 * The parameter tensors of a LLaMA model (untied embedding and LM head, RMSNorm weights,
 * no biases), in the module order of the repo's `modeling_llama.py`.
 *
 * @example
 * ```ts
 * import { LLAMA_CONFIGS, llamaShapes } from "./memory.ts";
 * import assert from "node:assert/strict";
 * const n = llamaShapes(LLAMA_CONFIGS["60M"]).reduce((s, p) => s + p.rows * p.cols, 0);
 * assert.ok(n === 58_073_600);
 * ```
 */
export function llamaShapes(cfg: LlamaConfig): ParamShape[] {
  const d = cfg.hidden, f = cfg.intermediate;
  const out: ParamShape[] = [{ name: "embed_tokens", rows: cfg.vocab, cols: d, target: false }];
  for (let l = 0; l < cfg.layers; l++) {
    for (const p of ["q_proj", "k_proj", "v_proj", "o_proj"]) {
      out.push({ name: `layers.${l}.self_attn.${p}`, rows: d, cols: d, target: true });
    }
    out.push({ name: `layers.${l}.mlp.gate_proj`, rows: f, cols: d, target: true });
    out.push({ name: `layers.${l}.mlp.up_proj`, rows: f, cols: d, target: true });
    out.push({ name: `layers.${l}.mlp.down_proj`, rows: d, cols: f, target: true });
    out.push({ name: `layers.${l}.input_layernorm`, rows: 1, cols: d, target: false });
    out.push({ name: `layers.${l}.post_attention_layernorm`, rows: 1, cols: d, target: false });
  }
  out.push({ name: "norm", rows: 1, cols: d, target: false });
  out.push({ name: "lm_head", rows: cfg.vocab, cols: d, target: false });
  return out;
}

/** Float counts of a whole model under one method. */
export interface ModelFloats extends MatrixFloats {
  /** Entries of the original model (Σ rows·cols). */
  params: number;
  /** Entries of the target (attention + FFN) matrices. */
  targetParams: number;
}

/**
 * Sum of {@link matrixFloats} over a model: target matrices by `method`, the rest full-rank.
 *
 * @example
 * ```ts
 * import { modelFloats } from "./memory.ts";
 * import assert from "node:assert/strict";
 * const f = modelFloats([{ name: "w", rows: 8, cols: 4, target: true }], "galore", 2);
 * assert.ok(f.states === 4 * 2 + 2 * 8 * 2);
 * ```
 */
export function modelFloats(shapes: ParamShape[], method: Method, r: number): ModelFloats {
  const sum: ModelFloats = {
    weights: 0,
    trainable: 0,
    states: 0,
    projector: 0,
    params: 0,
    targetParams: 0,
  };
  for (const p of shapes) {
    const f = matrixFloats(p.target ? method : "full", p.rows, p.cols, r);
    sum.weights += f.weights;
    sum.trainable += f.trainable;
    sum.states += f.states;
    sum.projector += f.projector;
    sum.params += p.rows * p.cols;
    if (p.target) sum.targetParams += p.rows * p.cols;
  }
  return sum;
}

/** Bytes per entry of each kind of tensor, and whether weight gradients are kept. */
export interface Accounting {
  /** Bytes per weight entry (BF16: 2). */
  weight: number;
  /** Bytes per moment entry (BF16: 2, 8-bit: 1). */
  state: number;
  /** Bytes per projector entry (GaLore keeps it in the weights' dtype: BF16 2). */
  projector: number;
  /** Bytes per weight-gradient entry of the trainable parameters, or 0 when not kept. */
  grad: number;
}

/** A model's memory in bytes, by part. */
export interface MemoryBytes {
  /** Weights. */
  weights: number;
  /** Weight gradients of the trainable parameters. */
  grads: number;
  /** Optimiser state (moments + projector). */
  states: number;
  /** weights + grads + states (no activations, no framework overhead). */
  total: number;
}

/**
 * Bytes of weights, gradients and optimiser state of a model under an accounting.
 *
 * @example
 * ```ts
 * import { memoryBytes } from "./memory.ts";
 * import assert from "node:assert/strict";
 * const bf16 = { weight: 2, state: 2, projector: 2, grad: 0 };
 * const b = memoryBytes([{ name: "w", rows: 10, cols: 10, target: true }], "full", 4, bf16);
 * assert.ok(b.total === 600);
 * ```
 */
export function memoryBytes(
  shapes: ParamShape[],
  method: Method,
  r: number,
  acc: Accounting,
): MemoryBytes {
  const f = modelFloats(shapes, method, r);
  const weights = f.weights * acc.weight;
  const grads = f.trainable * acc.grad;
  const states = (f.states - f.projector) * acc.state + f.projector * acc.projector;
  return { weights, grads, states, total: weights + grads + states };
}

/**
 * The paper's low-rank baselines (Zhao et al., arXiv 2403.03507, §5.1) as re-parametrisations
 * of one weight matrix W ∈ R^{m×n} on tfjs:
 * - **low-rank** W = BA (Kamalakara et al., 2022), B ∈ R^{m×r}, A ∈ R^{r×n}, both trained;
 *   initialised spectrally from the full-rank initial W₀: B = U_r √Σ_r, A = √Σ_r V_rᵀ (the best
 *   rank-r approximation of W₀);
 * - **LoRA** W = W₀ + s·BA (Hu et al., 2022) with W₀ the frozen full-rank initialisation,
 *   B = 0, A ~ U(±1/√n) (PEFT's Kaiming-uniform default) and s = α_LoRA / r (α_LoRA = 32 in
 *   the paper's runs).
 *
 * The model keeps computing with a dense W (materialised after each update), so the factors'
 * gradients come from the model's gradient G = ∂L/∂W by the chain rule:
 * ∂L/∂B = s·G Aᵀ, ∂L/∂A = s·Bᵀ G (s = 1 for low-rank). The dense W is a simulation device;
 * the floats a low-rank implementation holds are B, A (and W₀ for LoRA): {@link heldFloats}.
 *
 * @module
 */

import type { Tensor, TfModule } from "../../tf.ts";
import type { Rng } from "../math/rng.ts";
import type { Variable } from "./optimizer.ts";
import { svd } from "./svd.ts";

/** Which re-parametrisation. */
export type FactorKind = "lowrank" | "lora";

/**
 * A matrix trained through factors B (m×r) and A (r×n).
 *
 * @example
 * ```ts ignore
 * const fm = new FactoredMatrix(tf, "w", "lora", w0, 64, 256, 16, new Rng(1));
 * const W = fm.materialise(); // W₀ + 2·BA (= W₀ at init: B = 0)
 * const { B, A } = fm.factorGrads(dLdW);
 * ```
 */
export class FactoredMatrix {
  /** Name of the dense matrix this stands for. */
  readonly name: string;
  /** Kind of factorisation. */
  readonly kind: FactorKind;
  /** Rows m. */
  readonly m: number;
  /** Columns n. */
  readonly n: number;
  /** Rank r. */
  readonly rank: number;
  /** Multiplier s of BA (α_LoRA / r for LoRA, 1 for low-rank). */
  readonly scale: number;
  /** The left factor, m×r (trainable). */
  readonly B: Variable;
  /** The right factor, r×n (trainable). */
  readonly A: Variable;
  /** LoRA's frozen W₀ (null for low-rank). */
  readonly W0: Tensor | null;
  readonly #tf: TfModule;

  /**
   * @param tf tfjs
   * @param name name of the dense matrix
   * @param kind `lowrank` or `lora`
   * @param init the full-rank initial W₀, row-major m×n
   * @param m rows
   * @param n columns
   * @param rank r
   * @param rng draws LoRA's A
   * @param loraAlpha α_LoRA (default 32): s = α_LoRA / r
   */
  constructor(
    tf: TfModule,
    name: string,
    kind: FactorKind,
    init: ArrayLike<number>,
    m: number,
    n: number,
    rank: number,
    rng: Rng,
    loraAlpha = 32,
  ) {
    this.#tf = tf;
    this.name = name;
    this.kind = kind;
    this.m = m;
    this.n = n;
    this.rank = rank;
    this.scale = kind === "lora" ? loraAlpha / rank : 1;
    const b = new Float32Array(m * rank), a = new Float32Array(rank * n);
    if (kind === "lowrank") {
      const s = svd(init, m, n, rank);
      for (let c = 0; c < rank; c++) {
        const root = Math.sqrt(s.values[c]);
        for (let i = 0; i < m; i++) b[i * rank + c] = s.left[i * s.k + c] * root;
        for (let j = 0; j < n; j++) a[c * n + j] = s.right[j * s.k + c] * root;
      }
      this.W0 = null;
    } else {
      const bound = 1 / Math.sqrt(n);
      for (let i = 0; i < a.length; i++) a[i] = rng.range(-bound, bound);
      this.W0 = tf.tensor2d(Float32Array.from(init), [m, n]);
    }
    this.B = variableFrom(tf, b, [m, rank]);
    this.A = variableFrom(tf, a, [rank, n]);
  }

  /** The dense W = W₀ + s·BA (LoRA) or BA (low-rank), a new m×n tensor. */
  materialise(): Tensor {
    const tf = this.#tf;
    return tf.tidy(() => {
      const ba = tf.matMul(this.B, this.A);
      if (this.W0) return tf.add(this.W0, tf.mul(ba, this.scale));
      return ba;
    });
  }

  /** The factors' gradients from the dense gradient G = ∂L/∂W (m×n): new tensors. */
  factorGrads(G: Tensor): { B: Tensor; A: Tensor } {
    const tf = this.#tf;
    return tf.tidy(() => {
      const g = tf.reshape(G, [this.m, this.n]);
      const s = this.scale;
      const gB = tf.matMul(g, tf.transpose(this.A));
      const gA = tf.matMul(tf.transpose(this.B), g);
      return s === 1 ? { B: gB, A: gA } : { B: tf.mul(gB, s), A: tf.mul(gA, s) };
    });
  }

  /** Weight floats this parametrisation holds: B, A, and W₀ for LoRA. */
  heldFloats(): number {
    return this.B.size + this.A.size + (this.W0?.size ?? 0);
  }

  /** Free B, A and W₀. */
  dispose(): void {
    this.B.dispose();
    this.A.dispose();
    this.W0?.dispose();
  }
}

/**
 * A trainable variable holding a copy of `values` (the staging tensor is released).
 *
 * @example
 * ```ts ignore
 * const w = variableFrom(tf, new Float32Array([1, 2, 3, 4]), [2, 2]);
 * ```
 */
export function variableFrom(tf: TfModule, values: Float32Array, shape: number[]): Variable {
  const t = tf.tensor(values, shape);
  const v = tf.variable(t);
  t.dispose();
  return v;
}

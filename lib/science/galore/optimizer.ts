/**
 * GaLore's optimiser (Zhao et al., arXiv 2403.03507, Alg. 2; code `galore_torch/adamw.py` and
 * `galore_projector.py`) on tfjs, with plain Adam (or SGD) for the parameters it does not
 * project, and an exact count of the floats its state holds.
 *
 * For a GaLore matrix W ∈ R^{m×n} at step t (counted from 0):
 * - if t mod T = 0, read the gradient back and set the projector from a top-r SVD of its
 *   smaller side ({@link projector}): Q = V[:, :r] (n×r) when m ≥ n, P = U[:, :r] (m×r)
 *   otherwise — the code's `proj_type = "std"`;
 * - project: R = G Q (m×r) or R = Pᵀ G (r×n);
 * - Adam on R as in the code: M ← β₁M + (1−β₁)R, V ← β₂V + (1−β₂)R², N = M / (√V + ε),
 *   step size η·√(1−β₂ᵗ)/(1−β₁ᵗ) with t the update count (bias correction on the step,
 *   ε outside it, as `galore_torch.AdamW`); or ρ ≡ 1 (`rule: "sgd"`): N = R, no moments;
 * - project back and scale: W ← W − step·α·(N Qᵀ or P N); then decoupled weight decay
 *   W ← W − η·λ·W.
 * The moments are created once, at the first step, and are NOT reset when the projector
 * changes (as in the code); the step count (and so the bias correction) runs on.
 *
 * Every other parameter gets the same Adam (or SGD) on its full gradient. After each update,
 * weights below `FLUSH.weight` and moments below `FLUSH.moment` are set to exact zeros
 * (float32 subnormals are ~16× slower on tfjs-wasm; see lib/tf.ts).
 *
 * @module
 */

import { FLUSH, flushBelow, type Tensor, type TfModule } from "../../tf.ts";
import { type ProjectionSide, projectionSide, projector } from "./svd.ts";

/** A tfjs variable. */
export type Variable = ReturnType<TfModule["variable"]>;

/** The update rule ρ of GaLore (Def. 3.6): Adam, or the identity (plain SGD). */
export type UpdateRule = "adam" | "sgd";

/** Hyper-parameters of {@link GaLoreOptimizer}. */
export interface GaLoreConfig {
  /** Learning rate η (multiplied by the `lrFactor` of each step, for schedules). */
  lr: number;
  /** Rank r of the projection (clipped to min(m, n) per matrix). */
  rank: number;
  /** Subspace change frequency T: the projector is recomputed at steps 0, T, 2T, … */
  updateGap: number;
  /** Scale factor α applied when projecting back (the paper's α; 0.25 in Table 2). */
  scale: number;
  /** ρ: `adam` (default) or `sgd` (ρ ≡ 1). */
  rule?: UpdateRule;
  /** Adam β₁ (default 0.9). */
  beta1?: number;
  /** Adam β₂ (default 0.999). */
  beta2?: number;
  /** Adam ε (default 1e-8, the paper's §5.1). */
  eps?: number;
  /** Decoupled weight decay λ (default 0, as the paper's runs). */
  weightDecay?: number;
  /** Flush subnormal-range weights and moments to 0 (default true; false only in tests). */
  flush?: boolean;
}

/** A parameter handed to the optimiser. */
export interface OptimParam {
  /** Name (the key of its gradient in {@link GaLoreOptimizer.step}). */
  name: string;
  /** The variable updated in place. */
  variable: Variable;
  /** Whether GaLore projects this parameter's gradient (2-D matrices only). */
  galore?: boolean;
}

/** What the state holds for one parameter. */
interface Slot {
  param: OptimParam;
  m: number;
  n: number;
  /** Projection side and rank of a GaLore matrix (null for a plain parameter). */
  side: ProjectionSide | null;
  rank: number;
  /** The projector (Q n×r or P m×r), null before the first step or for plain parameters. */
  proj: Tensor | null;
  /** First and second moments (low-rank for GaLore matrices), null before the first step. */
  mom1: Tensor | null;
  mom2: Tensor | null;
  /** Singular values of the gradient at the last projector update. */
  lastValues: Float64Array | null;
}

/** Floats held by the optimiser's state, by role. */
export interface StateFloats {
  /** Entries of the first and second moments. */
  moments: number;
  /** Entries of the projectors. */
  projector: number;
  /** moments + projector. */
  total: number;
}

/** One tensor of the optimiser's state, for counting or checks. */
export interface StateTensor {
  /** Parameter name. */
  name: string;
  /** `M`, `V` (moments) or `P` (projector). */
  role: "M" | "V" | "P";
  /** The tensor itself (owned by the optimiser: do not dispose). */
  tensor: Tensor;
}

/**
 * GaLore-Adam (or GaLore-SGD) over a set of tfjs variables.
 *
 * @example
 * ```ts ignore
 * const w = tf.variable(tf.randomNormal([64, 16]));
 * const opt = new GaLoreOptimizer(tf, [{ name: "w", variable: w, galore: true }], {
 *   lr: 0.01, rank: 4, updateGap: 200, scale: 0.25,
 * });
 * await opt.step({ w: grad });
 * opt.stateFloats(); // { moments: 2·64·4, projector: 16·4, total: 576 }
 * ```
 */
export class GaLoreOptimizer {
  readonly #tf: TfModule;
  readonly #cfg: Required<GaLoreConfig>;
  readonly #slots: Slot[];
  #t = 0;

  /**
   * @param tf tfjs
   * @param params the parameters (GaLore ones must be 2-D)
   * @param config hyper-parameters
   */
  constructor(tf: TfModule, params: OptimParam[], config: GaLoreConfig) {
    this.#tf = tf;
    this.#cfg = {
      rule: "adam",
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
      flush: true,
      ...config,
    };
    if (!(this.#cfg.updateGap >= 1)) throw new RangeError("updateGap must be ≥ 1");
    this.#slots = params.map((param) => {
      const shape = param.variable.shape;
      if (param.galore && shape.length !== 2) {
        throw new RangeError(`GaLore parameter ${param.name} must be 2-D, got [${shape}]`);
      }
      const m = shape.length === 2 ? shape[0] : param.variable.size,
        n = shape.length === 2 ? shape[1] : 1;
      const galore = param.galore === true;
      return {
        param,
        m,
        n,
        side: galore ? projectionSide(m, n) : null,
        rank: galore ? Math.min(this.#cfg.rank, m, n) : 0,
        proj: null,
        mom1: null,
        mom2: null,
        lastValues: null,
      };
    });
  }

  /** Updates done so far. */
  get steps(): number {
    return this.#t;
  }

  /**
   * One update from the gradients (keyed by parameter name; a missing gradient skips its
   * parameter). Recomputes the projectors first when the step count is a multiple of T
   * (this reads those gradients back, hence async).
   */
  async step(grads: Record<string, Tensor>, lrFactor = 1): Promise<void> {
    const tf = this.#tf;
    const cfg = this.#cfg;
    if (this.#t % cfg.updateGap === 0) {
      const todo = this.#slots.filter((s) => s.side !== null && grads[s.param.name]);
      const data = await Promise.all(todo.map((s) => grads[s.param.name].data()));
      todo.forEach((s, i) => {
        const { basis, values } = projector(data[i], s.m, s.n, s.rank);
        s.proj?.dispose();
        const rows = s.side === "right" ? s.n : s.m;
        s.proj = tf.tensor2d(Float32Array.from(basis), [rows, s.rank]);
        s.lastValues = values;
      });
    }
    this.#t++;
    const t = this.#t;
    const lr = cfg.lr * lrFactor;
    const adam = cfg.rule === "adam";
    const flush = (x: Tensor, threshold: number) => (cfg.flush ? flushBelow(tf, x, threshold) : x);
    const stepSize = adam ? lr * Math.sqrt(1 - cfg.beta2 ** t) / (1 - cfg.beta1 ** t) : lr;
    for (const s of this.#slots) {
      const g = grads[s.param.name];
      if (!g) continue;
      const w = s.param.variable;
      const out = tf.tidy(() => {
        const g2 = s.side === null ? g : tf.reshape(g, [s.m, s.n]);
        // project
        const r = s.side === null
          ? g2
          : s.side === "right"
          ? tf.matMul(g2, s.proj!)
          : tf.matMul(tf.transpose(s.proj!), g2);
        let m1: Tensor | null = null, m2: Tensor | null = null;
        let upd: Tensor;
        if (adam) {
          const prev1 = s.mom1 ?? tf.zerosLike(r), prev2 = s.mom2 ?? tf.zerosLike(r);
          m1 = flush(tf.add(tf.mul(prev1, cfg.beta1), tf.mul(r, 1 - cfg.beta1)), FLUSH.moment);
          m2 = flush(
            tf.add(tf.mul(prev2, cfg.beta2), tf.mul(tf.square(r), 1 - cfg.beta2)),
            FLUSH.moment,
          );
          upd = tf.div(m1, tf.add(tf.sqrt(m2), cfg.eps));
        } else {
          upd = r;
        }
        // project back and scale
        if (s.side !== null) {
          const back = s.side === "right"
            ? tf.matMul(upd, tf.transpose(s.proj!))
            : tf.matMul(s.proj!, upd);
          upd = tf.reshape(tf.mul(back, cfg.scale), w.shape);
        }
        let wn = tf.sub(w, tf.mul(upd, stepSize));
        if (cfg.weightDecay > 0) wn = tf.sub(wn, tf.mul(wn, lr * cfg.weightDecay));
        const wf = flush(wn, FLUSH.weight);
        return m1 && m2 ? [wf, m1, m2] : [wf];
      });
      const [wNew, m1, m2] = out;
      w.assign(wNew);
      wNew.dispose();
      if (m1 && m2) {
        s.mom1?.dispose();
        s.mom2?.dispose();
        s.mom1 = m1;
        s.mom2 = m2;
      }
    }
  }

  /** The tensors of the state, for counting and checks (owned by the optimiser). */
  stateTensors(): StateTensor[] {
    const out: StateTensor[] = [];
    for (const s of this.#slots) {
      if (s.mom1) out.push({ name: s.param.name, role: "M", tensor: s.mom1 });
      if (s.mom2) out.push({ name: s.param.name, role: "V", tensor: s.mom2 });
      if (s.proj) out.push({ name: s.param.name, role: "P", tensor: s.proj });
    }
    return out;
  }

  /** Floats the state holds now, counted from the tensors' sizes. */
  stateFloats(names?: string[]): StateFloats {
    let moments = 0, proj = 0;
    for (const x of this.stateTensors()) {
      if (names && !names.includes(x.name)) continue;
      if (x.role === "P") proj += x.tensor.size;
      else moments += x.tensor.size;
    }
    return { moments, projector: proj, total: moments + proj };
  }

  /** Singular values of a GaLore parameter's gradient at its last projector update. */
  lastSingularValues(name: string): Float64Array | null {
    return this.#slots.find((s) => s.param.name === name)?.lastValues ?? null;
  }

  /** Release every state tensor (the variables stay with their owner). */
  dispose(): void {
    for (const s of this.#slots) {
      s.proj?.dispose();
      s.mom1?.dispose();
      s.mom2?.dispose();
      s.proj = s.mom1 = s.mom2 = null;
    }
  }
}

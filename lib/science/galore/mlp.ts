/**
 * A bias-free multi-layer perceptron on tfjs, and a teacher–student data set, for the GaLore
 * checks that need a small network with several weight matrices of different shapes: the
 * full-rank identity (§3.3) and the low-rank gradient (Lemma 3.3).
 *
 * Bias-free ReLU (or linear) layers are the paper's "reversible networks" (Def. 3.1,
 * App. B.1), whose weight gradients have the form of Theorem 3.2 that Lemma 3.3 assumes.
 * Weights follow PyTorch's `nn.Linear` layout (out × in) and its default initialisation
 * U(±1/√fan_in), drawn from the seeded {@link Rng}. Activations are kept column-wise
 * (features × samples) so every product is a plain `W·H` without transpose flags.
 *
 * Losses: `mse` = ½·mean over samples of ‖f(x) − y‖²; `ce` = mean softmax cross-entropy
 * over the output units.
 *
 * @module
 */

import type { Tensor, TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { variableFrom } from "./lowrank.ts";
import type { OptimParam, Variable } from "./optimizer.ts";

/** Training loss of the MLP. */
export type MlpLoss = "mse" | "ce";

/** Hidden activation. */
export type MlpActivation = "relu" | "linear";

/** A data set in column layout: X is in × N, Y is out × N (targets, or one-hot labels). */
export interface ColumnData {
  /** Inputs, in × N. */
  X: Tensor;
  /** Targets, out × N. */
  Y: Tensor;
}

/**
 * Bias-free MLP with named weight variables `W1 … WL` (Wl is sizes[l] × sizes[l−1]).
 *
 * @example
 * ```ts ignore
 * const net = new Mlp(tf, [16, 32, 4], new Rng(1));
 * const { loss, grads } = net.lossAndGrads(teacherData(tf, opts), "mse"); // grads.W1: 32×16
 * ```
 */
export class Mlp {
  /** Layer widths, input first. */
  readonly sizes: number[];
  /** The weights, first layer first. */
  readonly weights: Variable[];
  /** Names of the weights (`W1`, …). */
  readonly names: string[];
  /** Hidden activation. */
  readonly activation: MlpActivation;
  readonly #tf: TfModule;

  /**
   * @param tf tfjs
   * @param sizes widths, input first (at least two)
   * @param rng draws the initial weights U(±1/√fan_in)
   * @param activation hidden activation (default relu)
   */
  constructor(tf: TfModule, sizes: number[], rng: Rng, activation: MlpActivation = "relu") {
    if (sizes.length < 2) throw new RangeError("an MLP needs at least two widths");
    this.#tf = tf;
    this.sizes = sizes;
    this.activation = activation;
    this.weights = [];
    this.names = [];
    for (let l = 1; l < sizes.length; l++) {
      const out = sizes[l], inp = sizes[l - 1], bound = 1 / Math.sqrt(inp);
      const w = Float32Array.from(rng.fill(out * inp, (r) => r.range(-bound, bound)));
      this.weights.push(variableFrom(tf, w, [out, inp]));
      this.names.push(`W${l}`);
    }
  }

  /** The weights as optimiser parameters; `galore` marks all of them (or none). */
  params(galore: boolean): OptimParam[] {
    return this.weights.map((variable, i) => ({ name: this.names[i], variable, galore }));
  }

  /** Output f(X), out × N, for X in × N. */
  forward(X: Tensor): Tensor {
    const tf = this.#tf;
    return tf.tidy(() => {
      let h = X;
      for (let l = 0; l < this.weights.length; l++) {
        h = tf.matMul(this.weights[l], h);
        if (l < this.weights.length - 1 && this.activation === "relu") h = tf.relu(h);
      }
      return h;
    });
  }

  /** The scalar loss on a data set (a new tensor). */
  loss(data: ColumnData, kind: MlpLoss): Tensor {
    const tf = this.#tf;
    return tf.tidy(() => {
      const f = this.forward(data.X);
      const nSamples = data.X.shape[1]!;
      if (kind === "mse") return tf.div(tf.sum(tf.square(tf.sub(f, data.Y))), 2 * nSamples);
      const logp = tf.logSoftmax(tf.transpose(f));
      return tf.div(tf.neg(tf.sum(tf.mul(logp, tf.transpose(data.Y)))), nSamples);
    });
  }

  /** Loss and the gradient of every weight, keyed by weight name (new tensors). */
  lossAndGrads(data: ColumnData, kind: MlpLoss): { loss: Tensor; grads: Record<string, Tensor> } {
    const tf = this.#tf;
    const { value, grads } = tf.variableGrads(() => this.loss(data, kind) as never, this.weights);
    const out: Record<string, Tensor> = {};
    this.weights.forEach((w, i) => (out[this.names[i]] = grads[w.name]));
    return { loss: value, grads: out };
  }

  /** Free the weights. */
  dispose(): void {
    for (const w of this.weights) w.dispose();
  }
}

/** Options of {@link teacherData}. */
export interface TeacherOptions {
  /** Teacher widths, input first (its output width is the data's). */
  sizes: number[];
  /** Samples N. */
  samples: number;
  /** Loss the data are for: `mse` → real targets f*(x); `ce` → one-hot argmax f*(x). */
  loss: MlpLoss;
  /** Seed of the inputs and of the teacher. */
  seed: number;
}

/**
 * Teacher–student data in column layout: x ~ N(0, I), targets from a random bias-free ReLU
 * teacher (its weights U(±√3/√fan_in), unit-variance rows), real-valued for `mse`, the
 * teacher's argmax one-hot for `ce`.
 *
 * @example
 * ```ts ignore
 * const { X, Y } = teacherData(tf, { sizes: [16, 32, 4], samples: 256, loss: "ce", seed: 1 });
 * ```
 */
export function teacherData(tf: TfModule, opts: TeacherOptions): ColumnData {
  const rng = new Rng(opts.seed * 7919 + 17);
  const { sizes, samples } = opts;
  let h = rng.fill(sizes[0] * samples, (r) => r.normal()); // in × N, row-major
  const x = Float32Array.from(h);
  for (let l = 1; l < sizes.length; l++) {
    const out = sizes[l], inp = sizes[l - 1], bound = Math.sqrt(3 / inp);
    const w = rng.fill(out * inp, (r) => r.range(-bound, bound));
    const next = new Float64Array(out * samples);
    for (let i = 0; i < out; i++) {
      for (let k = 0; k < inp; k++) {
        const wik = w[i * inp + k];
        for (let s = 0; s < samples; s++) next[i * samples + s] += wik * h[k * samples + s];
      }
    }
    if (l < sizes.length - 1) {
      for (let i = 0; i < next.length; i++) next[i] = Math.max(0, next[i]);
    }
    h = next;
  }
  const out = sizes[sizes.length - 1];
  let y: Float32Array;
  if (opts.loss === "mse") {
    y = Float32Array.from(h);
  } else {
    y = new Float32Array(out * samples);
    for (let s = 0; s < samples; s++) {
      let best = 0;
      for (let i = 1; i < out; i++) if (h[i * samples + s] > h[best * samples + s]) best = i;
      y[best * samples + s] = 1;
    }
  }
  return { X: tf.tensor2d(x, [sizes[0], samples]), Y: tf.tensor2d(y, [out, samples]) };
}

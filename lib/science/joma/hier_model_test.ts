import assert from "node:assert/strict";
import { countSubnormals, loadTf, type Tensor, type TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { classSequence, makeHierarchy, numClasses } from "./hierarchy.ts";
import {
  type AdamMode,
  disposeHierModel,
  disposeInputs,
  evaluateHier,
  forwardHier,
  type HierModelSpec,
  HierTrainer,
  initHierModel,
  linear,
  makeInputs,
} from "./hier_model.ts";

const tfp = loadTf("wasm").then((r) => r.tf);

/** A small hierarchy and its class sequences (L = 12, 3-4 tokens per class). */
function data(C = 6, L = 12) {
  const h = makeHierarchy(
    { vocab: 20, length: L, latents: [4, 5, C], children: [2, 2, 2] },
    new Rng(4),
  );
  return Array.from({ length: numClasses(h) }, (_, c) => classSequence(h, c));
}

const SPEC: HierModelSpec = { vocab: 20, length: 12, classes: 6, dim: 8, hidden: 10, blocks: 2 };

async function values(ts: Tensor[]): Promise<Float64Array[]> {
  return await Promise.all(ts.map(async (t) => Float64Array.from(await t.data())));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Float64 reference of the authors' forward pass on ONE unfolded sequence: per block
 * causal softmax(Q Kᵀ/√d) V + x → LN → ReLU(W1 · + b1) → W2 · + b2 + · → LN.
 */
function referenceForward(
  w: Float64Array[],
  spec: HierModelSpec,
  x: Int32Array,
): { logits: number[]; hidden: number[][][] } {
  const { dim: d, hidden: K, classes: C } = spec;
  const L = x.length;
  let k = 0;
  const E = w[k++];
  let h: number[][] = Array.from(x, (t) => Array.from(E.subarray(t * d, t * d + d)));
  const mm = (a: number[], W: Float64Array, n: number) =>
    Array.from({ length: n }, (_, j) => a.reduce((s, ai, i) => s + ai * W[i * n + j], 0));
  const ln = (a: number[], g: Float64Array, b: Float64Array) => {
    const mu = a.reduce((s, v) => s + v, 0) / a.length;
    const va = a.reduce((s, v) => s + (v - mu) ** 2, 0) / a.length;
    return a.map((v, i) => ((v - mu) / Math.sqrt(va + 1e-5)) * g[i] + b[i]);
  };
  const hiddens: number[][][] = [];
  for (let b = 0; b < spec.blocks; b++) {
    const [wq, wk, wv, g1, be1, w1, b1, w2, b2, g2, be2] = w.slice(k, k + 11);
    k += 11;
    const q = h.map((r) => mm(r, wq, d)), kk = h.map((r) => mm(r, wk, d));
    const v = h.map((r) => mm(r, wv, d));
    const y = h.map((r, i) => {
      const s = kk.slice(0, i + 1).map((kj) => kj.reduce((a, kv, c) => a + kv * q[i][c], 0));
      const mx = Math.max(...s.map((z) => z / Math.sqrt(d)));
      const e = s.map((z) => Math.exp(z / Math.sqrt(d) - mx));
      const Z = e.reduce((a, b) => a + b, 0);
      const att = Array.from(
        { length: d },
        (_, c) => e.reduce((a, ej, j) => a + ej * v[j][c], 0) / Z,
      );
      return ln(att.map((a, c) => a + r[c]), g1, be1);
    });
    const hid = y.map((r) => mm(r, w1, K).map((z, j) => Math.max(0, z + b1[j])));
    hiddens.push(hid);
    h = y.map((r, i) => ln(mm(hid[i], w2, d).map((z, c) => z + b2[c] + r[c]), g2, be2));
  }
  const [hw, hb] = w.slice(k, k + 2);
  return { logits: mm(h[L - 1], hw, C).map((z, c) => z + hb[c]), hidden: hiddens };
}

Deno.test("hier model: forward matches a Float64 reference of the authors' block, folded or not", async () => {
  const tf = await tfp;
  const seqs = data();
  const model = initHierModel(tf, SPEC, 11);
  const w = await values(model.vars);
  for (const fold of [false, true]) {
    const inputs = makeInputs(tf, seqs, SPEC.vocab, { fold });
    const longest = Math.max(...seqs.map((x) => x.filter((t) => t !== 19).length + 1));
    assert.equal(inputs.length, fold ? longest : 12);
    const ev = await evaluateHier(tf, model, inputs);
    const logits = await (async () => {
      const t = tf.tidy(() => forwardHier(tf, model, inputs).logits);
      const v = await t.data();
      t.dispose();
      return v;
    })();
    seqs.forEach((x, c) => {
      const ref = referenceForward(w, SPEC, x);
      const got = Array.from(logits.subarray(c * SPEC.classes, (c + 1) * SPEC.classes));
      assert.ok(
        maxAbsDiff(got, ref.logits) < 1e-4,
        `fold ${fold} class ${c}: ${got} vs ${ref.logits}`,
      );
      ref.hidden.forEach((hid, s) => {
        const pooled = Array.from(
          { length: SPEC.hidden },
          (_, j) => Math.max(...hid.map((r) => r[j])),
        );
        const mine = ev.pooled[s].subarray(c * SPEC.hidden, (c + 1) * SPEC.hidden);
        assert.ok(maxAbsDiff(mine, pooled) < 1e-4, `fold ${fold} class ${c} block ${s}`);
      });
    });
    disposeInputs(inputs);
  }
  disposeHierModel(model);
});

Deno.test("hier model: folding the padding leaves the loss gradients unchanged", async () => {
  const tf = await tfp;
  const seqs = data();
  const grads = async (fold: boolean) => {
    const model = initHierModel(tf, SPEC, 12);
    const inputs = makeInputs(tf, seqs, SPEC.vocab, { fold });
    const labels = tf.oneHot(tf.range(0, seqs.length, 1, "int32"), SPEC.classes);
    const g = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const { logits } = forwardHier(tf, model, inputs);
        return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), labels))) as ReturnType<
          TfModule["scalar"]
        >;
      }, model.vars);
      return model.vars.map((v) => grads[v.name]);
    });
    const out = await values(g);
    tf.dispose([...g, labels]);
    disposeInputs(inputs);
    disposeHierModel(model);
    return out;
  };
  const [a, b] = [await grads(false), await grads(true)];
  a.forEach((ga, i) => {
    const scale = Math.max(1e-3, ...Array.from(ga, Math.abs));
    assert.ok(maxAbsDiff(ga, b[i]) / scale < 1e-4, `variable ${i}: ${maxAbsDiff(ga, b[i])}`);
  });
});

Deno.test("hier model: the explicit-transpose matmul gradient equals tfjs' own", async () => {
  const tf = await tfp;
  const rng = new Rng(5);
  const x = tf.tensor2d(Float32Array.from(rng.fill(7 * 5, (r) => r.normal())), [7, 5]);
  const w = tf.tensor2d(Float32Array.from(rng.fill(5 * 3, (r) => r.normal())), [5, 3]);
  const dy = tf.tensor2d(Float32Array.from(rng.fill(7 * 3, (r) => r.normal())), [7, 3]);
  const loss = (f: (a: Tensor, b: Tensor) => Tensor) => (a: Tensor, b: Tensor) =>
    tf.sum(tf.mul(f(a, b), dy));
  const mine = tf.grads(loss((a, b) => linear(tf, a, b)))([x, w]);
  const theirs = tf.grads(loss((a, b) => tf.matMul(a, b)))([x, w]);
  const [m0, m1, t0, t1] = await values([...mine, ...theirs]);
  assert.ok(maxAbsDiff(m0, t0) < 1e-5 && maxAbsDiff(m1, t1) < 1e-5);
  const [v0, v1] = await values([linear(tf, x, w), tf.matMul(x, w)]);
  assert.ok(maxAbsDiff(v0, v1) < 1e-6);
  tf.dispose([x, w, dy, ...mine, ...theirs]);
});

interface TrainSetup {
  steps: number;
  weightDecay?: number;
  betas?: [number, number];
  flush?: boolean;
  /** Set the embedding rows of tokens no class uses to this tiny value before training. */
  tinyUnused?: number;
}

async function train(mode: AdamMode, setup: TrainSetup) {
  const tf = await tfp;
  const seqs = data();
  const model = initHierModel(tf, SPEC, 14);
  const unused: number[] = [];
  if (setup.tinyUnused !== undefined) {
    const used = new Set(seqs.flatMap((x) => Array.from(x)));
    const e = Float32Array.from(await model.embed.data());
    for (let t = 0; t < SPEC.vocab; t++) {
      if (used.has(t)) continue;
      unused.push(t);
      e.fill(setup.tinyUnused, t * SPEC.dim, (t + 1) * SPEC.dim);
    }
    const next = tf.tensor(e, model.embed.shape);
    model.embed.assign(next);
    next.dispose();
  }
  const inputs = makeInputs(tf, seqs, SPEC.vocab);
  const trainer = new HierTrainer(tf, model, inputs, {
    lr: 1e-2,
    weightDecay: setup.weightDecay ?? 1e-4,
    batchSize: 128,
    seed: 15,
    adam: mode,
    betas: setup.betas,
    flush: setup.flush,
  });
  const before = (await evaluateHier(tf, model, inputs)).loss;
  for (let t = 0; t < setup.steps; t++) await trainer.step();
  const after = await evaluateHier(tf, model, inputs);
  const weights = await values(model.vars);
  const moments = await trainer.moments();
  trainer.dispose();
  disposeInputs(inputs);
  disposeHierModel(model);
  return { before, after, weights, moments, unused };
}

Deno.test("hier trainer: Adam in JS and on tensors take the same steps and learn the classes", async () => {
  const js = await train("js", { steps: 60 });
  const tensor = await train("tensor", { steps: 60 });
  assert.ok(js.after.loss < js.before / 2, `loss ${js.before} → ${js.after.loss}`);
  assert.ok(
    Math.abs(js.after.loss - tensor.after.loss) < 1e-3 * Math.max(1, js.after.loss),
    `js ${js.after.loss} vs tensor ${tensor.after.loss}`,
  );
  js.weights.forEach((w, i) => assert.ok(maxAbsDiff(w, tensor.weights[i]) < 1e-3, `var ${i}`));
});

Deno.test("hier trainer: weights and Adam moments stay free of float32 subnormals", async () => {
  // Pressure: the embedding rows of unused tokens start subnormal (1e-40) and, without weight
  // decay, get exactly zero gradient, so without the flush they stay subnormal (asserted
  // below); fast-forgetting moments (β = 0.5) let the moments of any unit that stops
  // receiving gradient decay towards the subnormal range too.
  const setup: TrainSetup = { steps: 40, weightDecay: 0, betas: [0.5, 0.5], tinyUnused: 1e-40 };
  const subnormals = (r: Awaited<ReturnType<typeof train>>) =>
    r.weights.reduce((a, x) => a + countSubnormals(x), 0) + countSubnormals(r.moments.m) +
    countSubnormals(r.moments.v);
  for (const mode of ["js", "tensor"] as const) {
    const unflushed = await train(mode, { ...setup, flush: false });
    assert.ok(subnormals(unflushed) > 0, `${mode}: the test puts no pressure on the flush`);
    const r = await train(mode, setup);
    assert.ok(r.unused.length > 5, `only ${r.unused.length} unused tokens`);
    const w = r.weights.reduce((a, x) => a + countSubnormals(x), 0);
    assert.equal(w, 0, `${mode}: ${w} subnormal weights`);
    assert.equal(countSubnormals(r.moments.m), 0, `${mode}: subnormal first moments`);
    assert.equal(countSubnormals(r.moments.v), 0, `${mode}: subnormal second moments`);
    for (const t of r.unused) {
      const row = r.weights[0].subarray(t * SPEC.dim, (t + 1) * SPEC.dim);
      assert.ok(row.every((x) => x === 0), `${mode}: unused token ${t} row ${row}`);
    }
  }
});

Deno.test("hier trainer: a run resumed from saved weights and moments takes the same steps", async () => {
  const tf = await tfp;
  const seqs = data();
  const opts = { lr: 1e-2, weightDecay: 1e-4, batchSize: 128, seed: 21 };
  for (const adam of ["js", "tensor"] as const) {
    const run = async (split: boolean) => {
      const model = initHierModel(tf, SPEC, 22);
      const inputs = makeInputs(tf, seqs, SPEC.vocab);
      let trainer = new HierTrainer(tf, model, inputs, { ...opts, adam });
      for (let t = 0; t < 6; t++) await trainer.step();
      if (split) {
        const { m, v } = await trainer.moments();
        const steps = trainer.steps;
        trainer.dispose();
        trainer = new HierTrainer(tf, model, inputs, { ...opts, adam });
        await trainer.restore({ steps, m, v });
      }
      for (let t = 0; t < 4; t++) await trainer.step();
      const w = await values(model.vars);
      trainer.dispose();
      disposeInputs(inputs);
      disposeHierModel(model);
      return w;
    };
    const [a, b] = [await run(false), await run(true)];
    a.forEach((x, i) => assert.equal(maxAbsDiff(x, b[i]), 0, `${adam}: variable ${i}`));
  }
});

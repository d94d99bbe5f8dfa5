import assert from "node:assert/strict";
import { loadTf } from "../../tf.ts";
import {
  attentionMass,
  distinctEntropy,
  lossAndGrads,
  SequenceSampler,
  trainBatched,
  vocabulary,
} from "./model.ts";
import { Rng } from "../math/rng.ts";

Deno.test("vocabulary: Fig. 4 layout has M = 34 and P(l|n) as in the paper", () => {
  const v = vocabulary({ numLast: 2, nextPerLast: 1, contextLength: 127 });
  assert.equal(v.M, 34);
  assert.equal(v.K, 2);
  assert.deepEqual(v.query, [30, 31]);
  assert.deepEqual(v.next, [32, 33]);
  assert.ok(Math.abs(v.prob[0][0] - 1 / 15.5) < 1e-12);
  assert.ok(Math.abs(v.prob[0][10] - 0.1 / 15.5) < 1e-12);
  assert.ok(Math.abs(v.prob[0].reduce((a, b) => a + b, 0) - 1) < 1e-12);
  // Fig. 6 sizes: M = 10 + 23·numLast with two next tokens per query.
  assert.equal(vocabulary({ numLast: 3, nextPerLast: 2, contextLength: 127 }).M, 79);
});

Deno.test("sampler: counts sum to the context length and stay in the class support", () => {
  const v = vocabulary({ numLast: 3, nextPerLast: 2, contextLength: 127 });
  const b = new SequenceSampler(v, 127, 7).batch(16);
  for (let i = 0; i < 16; i++) {
    const row = b.counts.subarray(i * v.M, (i + 1) * v.M);
    assert.equal(row.reduce((a, x) => a + x, 0), 127);
    const u = v.next.indexOf(b.label[i]);
    assert.equal(v.query[u], b.query[i]);
    row.forEach((x, l) => assert.ok(x === 0 || v.support[u].includes(l)));
  }
});

Deno.test("entropy metric: zero Z gives the distinct part's entropy 2.151 nats", () => {
  const v = vocabulary({ numLast: 1, nextPerLast: 2, contextLength: 127 });
  const h = distinctEntropy(v, new Float64Array(v.M * v.M));
  assert.ok(Math.abs(h - 2.151) < 1e-3, `got ${h}`);
  const c = attentionMass(v, new Float64Array(v.M * v.M), 0);
  assert.ok(Math.abs(c.slice(0, 10).reduce((a, b) => a + b, 0) - 10 / 15.5) < 1e-12);
});

Deno.test("hand-written gradients equal tfjs autograd", async () => {
  const { tf } = await loadTf("cpu");
  const G = 2, B = 5, M = 12;
  const rng = new Rng(3);
  const rnd = (n: number, s: number) => Float32Array.from({ length: n }, () => s * rng.normal());
  const Z = tf.tensor3d(rnd(G * M * M, 0.5), [G, M, M]);
  const Y = tf.tensor3d(rnd(G * M * M, 0.5), [G, M, M]);
  const N = tf.tensor3d(Float32Array.from({ length: G * B * M }, () => rng.int(4)), [G, B, M]);
  const q = Int32Array.from({ length: G * B }, () => rng.int(M));
  const y = Int32Array.from({ length: G * B }, () => rng.int(M));
  const Q = tf.oneHot(tf.tensor1d(q, "int32"), M).reshape([G, B, M]).toFloat();
  const L = tf.oneHot(tf.tensor1d(y, "int32"), M).reshape([G, B, M]).toFloat();
  // deno-lint-ignore no-explicit-any
  const ours = lossAndGrads(tf, Z, Y, N as any, Q as any, L as any);
  const f = (z: typeof Z, yy: typeof Y) => {
    const c = tf.mul(N, tf.exp(tf.matMul(Q, z)));
    const cc = tf.div(c, tf.sum(c, -1, true));
    const ff = tf.div(cc, tf.norm(cc, "euclidean", -1, true));
    const lp = tf.logSoftmax(tf.matMul(ff, yy, false, true));
    return tf.sum(tf.mean(tf.neg(tf.sum(tf.mul(L, lp), -1)), 1));
  };
  // deno-lint-ignore no-explicit-any
  const [gz, gy] = tf.grads(f as any)([Z, Y]);
  const diff = async (a: typeof Z, b: typeof Z) =>
    Math.max(...(await tf.abs(tf.sub(a, b)).data())) /
    Math.max(...(await tf.abs(b).data()));
  assert.ok((await diff(ours.dZ, gz as typeof Z)) < 1e-4);
  assert.ok((await diff(ours.dY, gy as typeof Z)) < 1e-4);
});

Deno.test("training: zero init starts at ln M and the loss falls", async () => {
  const { tf } = await loadTf("cpu");
  const r = await trainBatched(tf, {
    data: { numLast: 2, nextPerLast: 1, contextLength: 127 },
    runs: [{ etaZ: 1, etaY: 1, seed: 1 }],
    steps: 5,
    batchSize: 32,
    momentum: 0.9,
    init: "zero",
    snapshotSteps: [0, 5],
  });
  assert.ok(Math.abs(r.loss[0][0] - Math.log(34)) < 1e-5);
  assert.ok(r.loss[0][4] < r.loss[0][0]);
  assert.equal(r.z.length, 2);
});

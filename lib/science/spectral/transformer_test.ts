import assert from "node:assert/strict";
import { countSubnormals, FLUSH, loadTf } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { graphFromEdges, isShortestPath } from "./graph.ts";
import { encodeExample, makeVocab, maxSequenceLength } from "./tokens.ts";
import {
  batchLoss,
  disposeModel,
  forward,
  greedyPaths,
  initOptState,
  initTransformer,
  layerOneStates,
  learningRate,
  makeBatch,
  trainTransformer,
} from "./transformer.ts";
import { pathAccuracy, trainingBatch } from "./pathtask.ts";

const { tf } = await loadTf("wasm");

Deno.test("tokens: the slide's format, positions of edge tokens, loss mask on the path", () => {
  const v = makeVocab(5);
  const g = graphFromEdges(4, [[0, 1], [1, 2], [2, 3]]);
  const ex = encodeExample(v, g, 0, 3, new Rng(3));
  const t = ex.tokens;
  assert.equal(t[0], v.bos);
  assert.equal(t.length, 1 + 3 * 3 + 4 + 4 + 1);
  for (let e = 0; e < 3; e++) {
    assert.equal(t[ex.edgePos[e]], v.edge);
    const pair = [t[ex.secondPos[e] - 1], t[ex.secondPos[e]]].sort();
    assert.deepEqual(pair, g.edges[e]);
  }
  assert.deepEqual(t.slice(ex.pathStart - 3, ex.pathStart + 1), [v.query, 0, 3, v.path]);
  assert.deepEqual(t.slice(ex.pathStart + 1), [0, 1, 2, 3, v.eos]);
  const b = makeBatch([ex], v, 64);
  // trained positions predict 0, 1, 2, 3, <eos>
  const trained = [...b.mask.keys()].filter((i) => b.mask[i] === 1).map((i) => b.targets[i]);
  assert.deepEqual(trained, [0, 1, 2, 3, v.eos]);
  assert.ok(maxSequenceLength(6) >= 1 + 45 + 4 + 6 + 1);
});

Deno.test("the forward pass is causal and the custom matmul gradient equals tfjs'", () => {
  const v = makeVocab(4);
  const model = initTransformer(
    tf,
    { vocab: v.size, width: 16, layers: 2, heads: 2, maxLen: 16 },
    5,
  );
  const ids = [v.bos, 0, 1, v.edge, 1, 2, v.edge, v.query];
  const alt = [...ids.slice(0, 5), 3, v.edge, v.query];
  const run = (xs: number[]) =>
    tf.tidy(() => {
      const oh = tf.cast(tf.oneHot(tf.tensor1d(xs, "int32"), v.size), "float32");
      return forward(tf, model, oh, 1, 8).logits.arraySync() as number[][];
    });
  const a = run(ids);
  const b = run(alt);
  for (let p = 0; p < 5; p++) {
    for (let c = 0; c < v.size; c++) assert.ok(Math.abs(a[p][c] - b[p][c]) < 1e-6, `position ${p}`);
  }
  assert.ok(Math.abs(a[5][0] - b[5][0]) > 1e-6, "position 5 sees the changed token");
  // gradient of the loss through the custom matmul vs finite differences on one weight
  const g = graphFromEdges(3, [[0, 1], [1, 2]]);
  const batch = makeBatch([encodeExample(v, g, 0, 2, new Rng(1))], v, 16);
  const { grads } = tf.variableGrads(() => batchLoss(tf, model, batch) as never, model.vars);
  const w = model.vars[model.names.indexOf("l1.wq")];
  const gq = grads[w.name].dataSync()[3];
  const w0 = w.dataSync().slice();
  const lossAt = (delta: number) => {
    const x = w0.slice();
    x[3] += delta;
    w.assign(tf.tensor(x, w.shape));
    return batchLoss(tf, model, batch).dataSync()[0];
  };
  const h = 1e-2;
  const fd = (lossAt(h) - lossAt(-h)) / (2 * h);
  w.assign(tf.tensor(w0, w.shape));
  assert.ok(
    Math.abs(fd - gq) < 2e-3 + 0.05 * Math.abs(gq),
    `autograd ${gq} vs finite difference ${fd}`,
  );
  disposeModel(model);
});

Deno.test("block-diagonal attention (groups of 4 sequences) equals the batched one", () => {
  const v = makeVocab(5);
  const model = initTransformer(
    tf,
    { vocab: v.size, width: 16, layers: 2, heads: 2, maxLen: 32 },
    6,
  );
  const rng = new Rng(12);
  const g = graphFromEdges(5, [[0, 1], [1, 2], [2, 3], [3, 4], [0, 4], [1, 3]]);
  const exs = Array.from({ length: 4 }, (_, i) => encodeExample(v, g, i, 4 - (i % 3) - 0, rng));
  const logitsOf = (xs: typeof exs) =>
    tf.tidy(() => {
      const b = makeBatch(xs, v, 32);
      const oh = tf.cast(tf.oneHot(tf.tensor1d(b.ids, "int32"), v.size), "float32");
      return { T: b.T, l: forward(tf, model, oh, b.B, b.T).logits.dataSync() };
    });
  // B = 2 heads × 2 = 4 sequences-heads: one group, batched path; B = 4: S = 8, two blocks
  const small = logitsOf(exs.slice(0, 2));
  const big = logitsOf(exs);
  assert.equal(small.T, big.T);
  let worst = 0;
  for (let i = 0; i < small.l.length; i++) worst = Math.max(worst, Math.abs(small.l[i] - big.l[i]));
  assert.ok(worst < 1e-5, `largest logit difference ${worst}`);
  disposeModel(model);
});

Deno.test("training learns a fixed tiny task and leaves no subnormal weights or moments", async () => {
  const v = makeVocab(4);
  const maxLen = 32;
  const model = initTransformer(tf, { vocab: v.size, width: 16, layers: 2, heads: 1, maxLen }, 2);
  const state = initOptState(tf, model);
  const rng = new Rng(4);
  const draw = { sampler: "paper" as const, nMax: 4 };
  const fixed = trainingBatch(rng, v, 8, maxLen, draw);
  const before = (await batchLoss(tf, model, fixed).data())[0];
  const losses = await trainTransformer(tf, model, state, {
    steps: 100,
    lr: 1e-2,
    warmup: 10,
    weightDecay: 0.1,
    nextBatch: () => fixed,
    logSteps: [100],
  });
  const after = losses[0][1];
  assert.ok(after < 0.5 * before, `loss ${before} → ${after}`);
  for (const t of [state.theta, state.m, state.v, ...model.vars]) {
    const n = countSubnormals(await t.data());
    assert.equal(n, 0, `${n} subnormal entries in a tensor of ${t.size}`);
  }
  // the flush thresholds are what lib/tf.ts prescribes
  assert.ok(FLUSH.weight === 1e-15 && FLUSH.moment === 1e-30);
  // parameters stay equal to the flat master copy
  const theta = await state.theta.data();
  const first = await model.vars[0].data();
  for (let i = 0; i < first.length; i++) assert.equal(first[i], theta[i]);
  disposeModel(model, state);
});

Deno.test("greedy decoding, grading and layer-1 states have the right shapes", async () => {
  const v = makeVocab(4);
  const model = initTransformer(
    tf,
    { vocab: v.size, width: 16, layers: 2, heads: 1, maxLen: 32 },
    3,
  );
  const g = graphFromEdges(4, [[0, 1], [1, 2], [2, 3]]);
  const prompts = [
    encodeExample(v, g, 0, 3, new Rng(2), []),
    encodeExample(v, g, 3, 1, new Rng(3), []),
  ];
  const paths = await greedyPaths(tf, model, v, prompts, 5);
  assert.equal(paths.length, 2);
  assert.ok(paths.every((p) => p.length <= 5));
  const acc = await pathAccuracy(tf, model, v, prompts);
  assert.equal(acc.queries, 2);
  assert.equal(acc.far, 2);
  assert.ok(acc.accuracy >= 0 && acc.accuracy <= 1);
  const states = await layerOneStates(tf, model, v, prompts, prompts.map((p) => p.secondPos));
  assert.equal(states[0].length, 3 * 16);
  assert.ok(isShortestPath(g, [0, 1, 2, 3], 0, 3));
  disposeModel(model);
});

Deno.test("learning rate: linear warm-up then cosine to 10 %", () => {
  const o = { steps: 100, lr: 1, warmup: 10 };
  assert.ok(Math.abs(learningRate(0, o) - 0.1) < 1e-12);
  assert.ok(Math.abs(learningRate(10, o) - 1) < 1e-12);
  assert.ok(Math.abs(learningRate(100, o) - 0.1) < 1e-12);
});

import assert from "node:assert/strict";
import { countSubnormals, loadTf, type Tensor } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import {
  adam,
  attentionEntropy,
  bmm,
  clipGradients,
  crossEntropy,
  embedding,
  layerNorm,
  linear,
  type LmConfig,
  mm,
  positionalTable,
  sgd,
  type TokenBatch,
  TransformerLm,
  uniformCausalEntropy,
} from "./transformer.ts";

const { tf } = await loadTf("wasm");

function randomBatch(seed: number, V: number, B: number, T: number): TokenBatch {
  const rng = new Rng(seed);
  return {
    input: Int32Array.from({ length: B * T }, () => rng.int(V)),
    target: Int32Array.from({ length: B * T }, () => rng.int(V)),
    batch: B,
    seqLen: T,
  };
}

const TINY: LmConfig = { vocab: 11, dModel: 6, dFF: 8, layers: 2, dropout: 0.2, maxLen: 5 };

async function scalar(t: Tensor): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

Deno.test("uniform-causal entropy ceiling for bptt 35 is 2.632", () => {
  const h = uniformCausalEntropy(35);
  assert.ok(Math.abs(h - 2.632) < 5e-4, `got ${h}`);
  assert.equal(uniformCausalEntropy(1), 0);
  const T = 4, rows: number[] = [];
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) rows.push(j <= i ? 1 / (i + 1) : 0);
  assert.ok(Math.abs(attentionEntropy(rows, T) - uniformCausalEntropy(T)) < 1e-6);
});

Deno.test("zero query/key weights give uniform causal attention: entropy 2.632 at T = 35", async () => {
  const lm = new TransformerLm(tf, { ...TINY, layers: 1, maxLen: 35 }, 1);
  for (const n of ["layers.0.attn.q", "layers.0.attn.k"]) {
    lm.param(n).assign(tf.zerosLike(lm.param(n)));
  }
  const batch = randomBatch(2, TINY.vocab, 3, 35);
  const { entropy, lossSum } = lm.evalBatch(batch, false);
  assert.equal(lossSum, null);
  const h = (await entropy.data())[0];
  entropy.dispose();
  // float32 softmax of exact zeros: 1/i per row; the +1e-8 inside the log shifts it by < 1e-7.
  assert.ok(Math.abs(h - uniformCausalEntropy(35)) < 1e-5, `model entropy ${h}`);
  const [a] = lm.attention(batch);
  const data = await a.data();
  a.dispose();
  assert.equal(data[1], 0, "no attention to the future");
  assert.ok(Math.abs(attentionEntropy(data, 35) - h) < 1e-5);
  lm.dispose();
});

Deno.test("positional table: sin on even, cos on odd columns", () => {
  const pe = positionalTable(3, 4);
  assert.equal(pe[0], 0);
  assert.equal(pe[1], 1);
  assert.ok(Math.abs(pe[4] - Math.sin(1)) < 1e-7);
  assert.ok(Math.abs(pe[7] - Math.cos(1 / 100)) < 1e-7);
});

Deno.test("custom-gradient ops equal tfjs' own ops and autograd", async () => {
  const rng = new Rng(5);
  const r = (shape: number[]) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()),
      shape,
    );
  const close = async (a: Tensor, b: Tensor, what: string) => {
    const x = await a.data(), y = await b.data();
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
    assert.ok(worst < 1e-4, `${what}: max |Δ| ${worst}`);
  };
  const A = r([5, 4]), W = r([4, 3]), U = r([5, 3]);
  const f1 = (a: Tensor, w: Tensor) => tf.sum(tf.mul(mm(tf, a, w), U));
  const f2 = (a: Tensor, w: Tensor) => tf.sum(tf.mul(tf.matMul(a as never, w as never), U));
  const g1 = tf.grads(f1 as never)([A, W]), g2 = tf.grads(f2 as never)([A, W]);
  await close(g1[0], g2[0], "mm dA");
  await close(g1[1], g2[1], "mm dW");
  const Ab = r([2, 5, 4]), Wb = r([2, 4, 3]), Ub = r([2, 5, 3]);
  const h1 = tf.grads(((a: Tensor, w: Tensor) => tf.sum(tf.mul(bmm(tf, a, w), Ub))) as never)([
    Ab,
    Wb,
  ]);
  const h2 = tf.grads(
    ((a: Tensor, w: Tensor) => tf.sum(tf.mul(tf.matMul(a as never, w as never), Ub))) as never,
  )([Ab, Wb]);
  await close(h1[0], h2[0], "bmm dA");
  await close(h1[1], h2[1], "bmm dW");
  // large enough for the per-sequence 2-D path (m·k·n ≥ 1e5)
  const Ap = r([3, 40, 60]), Wp = r([3, 60, 50]), Up = r([3, 40, 50]);
  const p1 = tf.grads(((a: Tensor, w: Tensor) => tf.sum(tf.mul(bmm(tf, a, w), Up))) as never)([
    Ap,
    Wp,
  ]);
  const p2 = tf.grads(
    ((a: Tensor, w: Tensor) => tf.sum(tf.mul(tf.matMul(a as never, w as never), Up))) as never,
  )([Ap, Wp]);
  await close(bmm(tf, Ap, Wp), tf.matMul(Ap as never, Wp as never), "bmm per-sequence value");
  await close(p1[0], p2[0], "bmm per-sequence dA");
  await close(p1[1], p2[1], "bmm per-sequence dW");
  const E = r([7, 3]), ids = Int32Array.from([3, 1, 3, 6]), Y = r([4, 3]);
  const e1 = tf.grad(((e: Tensor) => tf.sum(tf.mul(embedding(tf, e, ids), Y))) as never)(E);
  const e2 = tf.grad(
    ((e: Tensor) =>
      tf.sum(
        tf.mul(tf.matMul(tf.oneHot(tf.tensor1d(ids, "int32"), 7) as never, e as never), Y),
      )) as never,
  )(E);
  await close(e1, e2, "embedding = oneHot·E gradient (repeated id 3 accumulates)");
  for (const out of [3, 300]) { // 300 ≥ 256 takes the decoder's augmented-bias path
    const X = r([5, 4]), Wl = r([4, out]), bl = r([out]), Ul = r([5, out]);
    const l1 = tf.grads(
      ((x: Tensor, w: Tensor, b: Tensor) => tf.sum(tf.mul(linear(tf, x, w, b), Ul))) as never,
    )([X, Wl, bl]);
    const l2 = tf.grads(
      ((x: Tensor, w: Tensor, b: Tensor) =>
        tf.sum(tf.mul(tf.add(tf.matMul(x as never, w as never), b), Ul))) as never,
    )([X, Wl, bl]);
    for (let i = 0; i < 3; i++) await close(l1[i], l2[i], `linear (out ${out}) grad ${i}`);
  }
  const Xn = r([5, 6]), gn = r([6]), bn = r([6]), Un = r([5, 6]);
  const refLn = (x: Tensor, g: Tensor, b: Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  await close(layerNorm(tf, Xn, gn, bn), refLn(Xn, gn, bn), "layerNorm value");
  const n1 = tf.grads(
    ((x: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(layerNorm(tf, x, g, b), Un))) as never,
  )([Xn, gn, bn]);
  const n2 = tf.grads(
    ((x: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(refLn(x, g, b), Un))) as never,
  )([Xn, gn, bn]);
  for (let i = 0; i < 3; i++) await close(n1[i], n2[i], `layerNorm grad ${i}`);
  const Z = r([4, 6]), t = Int32Array.from([0, 5, 2, 2]);
  const ref = (z: Tensor) =>
    tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(tf.tensor1d(t, "int32"), 6)), -1)));
  await close(crossEntropy(tf, Z, t), ref(Z), "cross-entropy value");
  await close(
    tf.grad(((z: Tensor) => crossEntropy(tf, z, t)) as never)(Z),
    tf.grad(ref as never)(Z),
    "cross-entropy gradient",
  );
  assert.ok(
    Math.abs(
      (await crossEntropy(tf, tf.zeros([3, 10]), Int32Array.from([1, 2, 3])).data())[0] -
        Math.log(10),
    ) < 1e-6,
  );
});

/**
 * Per parameter tensor, the derivative along its own gradient direction u = g/‖g‖ must equal
 * ‖g‖: (L(θ+hu) − L(θ−hu))/2h ≈ ‖g‖, within atol + rtol·‖g‖. Dropout is ON: the masks are a
 * function of the seed, so for a fixed seed the loss is a function of θ alone. The key bias
 * b_k has zero true gradient (softmax is shift-invariant per row).
 */
async function finiteDifferenceCheck(cfg: LmConfig, atol: number, rtol: number): Promise<void> {
  const lm = new TransformerLm(tf, cfg, 3);
  const batch = randomBatch(4, TINY.vocab, 3, 5);
  const seed = 99;
  const { loss, grads } = lm.lossAndGrads(batch, seed);
  const L0 = await scalar(loss);
  const ref = await scalar(lm.loss(batch, seed));
  assert.ok(Math.abs(L0 - ref) < 1e-6, `lossAndGrads ${L0} vs loss ${ref}`);
  const h = 1e-2;
  const bad: string[] = [];
  for (const p of lm.params) {
    const g = (await grads[p.name].data()) as Float32Array;
    const norm = Math.hypot(...g);
    if (p.name.endsWith(".attn.bk")) {
      if (!(norm < 1e-6)) bad.push(`${p.name}: ‖g‖ ${norm} should be 0`);
      continue;
    }
    const u = tf.tensor(Float32Array.from(g, (x) => x / norm), p.variable.shape);
    const w0 = p.variable.clone();
    const lossAt = async (sign: number) => {
      const w = tf.tidy(() => tf.add(w0, tf.mul(u, sign * h)));
      p.variable.assign(w);
      w.dispose();
      return await scalar(lm.loss(batch, seed));
    };
    const fd = ((await lossAt(1)) - (await lossAt(-1))) / (2 * h);
    p.variable.assign(w0);
    tf.dispose([w0, u]);
    if (!(Math.abs(fd - norm) <= atol + rtol * norm)) {
      bad.push(`${p.name}: ‖g‖ ${norm.toExponential(4)} vs FD ${fd.toExponential(4)}`);
    }
  }
  tf.dispose(Object.values(grads));
  assert.deepEqual(bad, [], bad.join("; "));
  lm.dispose();
}

Deno.test("gradient of the full model matches central finite differences (float32)", async () => {
  // Smooth model (exact GELU in the FFN): the float32 loss ≈ 2.5 carries rounding noise
  // ~3e-7, so with h = 1e-2 the quotient is good to ~3e-5 absolute, and the O(h²) truncation
  // stays below 0.3 % here. Tolerance 5e-5 + 1 % of ‖g‖: a 2 % error in any gradient fails.
  await finiteDifferenceCheck({ ...TINY, activation: "gelu" }, 5e-5, 0.01);
  // The authors' ReLU: kinks crossed inside ±h bias the quotient of the parameters before
  // the FFN by a few per cent (3.6 % at this seed), so the tolerance is 1e-4 + 6 %.
  await finiteDifferenceCheck(TINY, 1e-4, 0.06);
});

Deno.test("layers start identical (PyTorch's deep copy) unless cloneLayers is false", async () => {
  const a = new TransformerLm(tf, TINY, 1);
  assert.deepEqual(
    await a.param("layers.0.ffn.w1").data(),
    await a.param("layers.1.ffn.w1").data(),
  );
  const b = new TransformerLm(tf, { ...TINY, cloneLayers: false }, 1);
  assert.notDeepEqual(
    await b.param("layers.0.attn.q").data(),
    await b.param("layers.1.attn.q").data(),
  );
  assert.equal(a.params.length, 1 + 16 * 2 + 2);
  assert.equal(a.size, 11 * 6 * 2 + 11 + 2 * (4 * 36 + 4 * 6 + 4 * 6 + 6 * 8 + 8 + 8 * 6 + 6));
  a.dispose();
  b.dispose();
});

Deno.test("clipGradients: global norm 5 clipped to 0.5", async () => {
  const { grads, norm } = clipGradients(tf, [tf.tensor1d([3]), tf.tensor1d([4])], 0.5);
  assert.ok(Math.abs((await norm.data())[0] - 5) < 1e-6);
  assert.ok(Math.abs((await grads[0].data())[0] - 0.3) < 1e-6);
  assert.ok(Math.abs((await grads[1].data())[0] - 0.4) < 1e-6);
  const small = clipGradients(tf, [tf.tensor1d([0.1])], 0.5);
  assert.ok(Math.abs((await small.grads[0].data())[0] - 0.1) < 1e-7, "below the max: unchanged");
});

Deno.test("sgd: per-group learning rates (FFN 10, rest 5), big and small buckets", async () => {
  // vocab 3000: embedding and decoder (18000 entries) are updated as their own buckets,
  // the layers' small tensors as one flat bucket
  const lm = new TransformerLm(tf, { ...TINY, vocab: 3000 }, 1);
  const before = await lm.snapshot();
  const opt = sgd(tf, lm.params, { lr: (p) => (p.group === "ffn" ? 10 : 5) });
  const grads = lm.params.map((p) => tf.fill(p.variable.shape, 1e-3));
  opt.step(grads);
  const after = await lm.snapshot();
  const dw = (n: string) => before.get(n)![0] - after.get(n)![0];
  assert.ok(Math.abs(dw("layers.1.ffn.w2") - 10e-3) < 1e-6, `ffn step ${dw("layers.1.ffn.w2")}`);
  assert.ok(Math.abs(dw("layers.0.attn.q") - 5e-3) < 1e-6, `attn step ${dw("layers.0.attn.q")}`);
  assert.ok(Math.abs(dw("decoder.w") - 5e-3) < 1e-6);
  assert.ok(Math.abs(dw("embed") - 5e-3) < 1e-6);
  assert.ok(Math.abs(dw("layers.0.ffn.b1") - 10e-3) < 1e-6);
  assert.deepEqual(opt.state(), []);
  opt.dispose();
  lm.dispose();
});

Deno.test("adam: matches torch.optim.Adam's update on a scalar for 3 steps", async () => {
  const lm = new TransformerLm(tf, TINY, 1);
  const p = lm.params.find((q) => q.name === "decoder.b")!;
  const opt = adam(tf, [p], { lr: 0.1 });
  let w = (await p.variable.data())[0], m = 0, v = 0;
  for (const [t, g] of [[1, 0.5], [2, -0.2], [3, 0.1]]) {
    opt.step([tf.fill(p.variable.shape, g)]);
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    w -= (0.1 / (1 - 0.9 ** t)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** t) + 1e-8);
    const got = (await p.variable.data())[0];
    assert.ok(Math.abs(got - w) < 1e-6, `step ${t}: ${got} vs ${w}`);
  }
  opt.dispose();
  lm.dispose();
});

Deno.test("training keeps weights and Adam/momentum state free of float32 subnormals", async () => {
  // Token 10 appears only in the first batch: afterwards its embedding row gets exact-zero
  // gradients, so with β = (0.5, 0.5) its Adam moments halve every step and would pass
  // through the subnormal range (< 1.2e-38) after ~120 steps without the flush. Entries
  // planted at 1e-39 / 1e-20 in rows that never get a gradient must be zeroed too.
  for (const [kind, vocab] of [["adam", 11], ["sgd", 11], ["adam", 3000]] as const) {
    // vocab 3000: the embedding is its own optimiser bucket (see Buckets)
    const lm = new TransformerLm(tf, { ...TINY, vocab, dropout: 0.1 }, 2);
    const E = lm.param("embed");
    const planted = tf.tidy(() => {
      const buf = tf.buffer(E.shape as [number, number], "float32", E.dataSync() as Float32Array);
      buf.set(1e-39, 9, 0);
      buf.set(1e-20, 9, 1);
      return buf.toTensor();
    });
    E.assign(planted);
    planted.dispose();
    const opt = kind === "adam"
      ? adam(tf, lm.params, { lr: 1e-3, betas: [0.5, 0.5] })
      : sgd(tf, lm.params, { lr: 0.05, momentum: 0.5 });
    for (let step = 0; step < 140; step++) {
      const b = randomBatch(100 + step, 9, 2, 5); // ids 0..8
      if (step === 0) b.input[0] = 10;
      const { loss, grads } = lm.lossAndGrads(b, step);
      loss.dispose();
      opt.step(lm.params.map((p) => grads[p.name]));
    }
    for (const p of lm.params) {
      const n = countSubnormals(await p.variable.data());
      assert.equal(n, 0, `${kind}: ${n} subnormal weights in ${p.name}`);
    }
    const row9 = (await E.data()).slice(9 * 6, 9 * 6 + 2);
    assert.deepEqual([...row9], [0, 0], `${kind}: planted tiny weights flushed`);
    for (const s of opt.state()) {
      const vals = await s.data();
      assert.equal(countSubnormals(vals), 0, `${kind}: subnormal optimiser state`);
    }
    if (kind === "adam") {
      const [m] = opt.state();
      const row10 = (await m.data()).slice(10 * 6, 11 * 6);
      assert.ok(row10.every((x) => x === 0), `moments of the unused token decayed to exact 0`);
    }
    opt.dispose();
    lm.dispose();
  }
});

Deno.test("same seeds, same run; another dropout seed, another loss", async () => {
  const run = async (dropSeed: number) => {
    const lm = new TransformerLm(tf, TINY, 4);
    const opt = adam(tf, lm.params, { lr: 1e-2 });
    let last = 0;
    for (let s = 0; s < 3; s++) {
      const { loss, grads } = lm.lossAndGrads(randomBatch(s, 11, 2, 5), dropSeed + s);
      last = await scalar(loss);
      opt.step(lm.params.map((p) => grads[p.name]));
    }
    opt.dispose();
    lm.dispose();
    return last;
  };
  const a = await run(1), b = await run(1), c = await run(50);
  assert.equal(a, b);
  assert.notEqual(a, c);
});

import assert from "node:assert/strict";
import { countSubnormals, loadTf, type Tensor, type TfModule } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { reverseDataset, type Sentence } from "./data.ts";
import { type GptConfig, initParams, layout, logProbs, trainGpt } from "./gpt.ts";

/** Textbook GPT-2 forward (batched masked softmax attention, plain matMul), for comparison. */
function reference(tf: TfModule, cfg: GptConfig, params: Tensor[], ss: Sentence[]): Tensor {
  const names = [...layout(cfg).slots.keys()];
  const P = (n: string) => params[names.indexOf(n)];
  const B = ss.length, d = cfg.dModel, H = cfg.heads, dh = d / H;
  const ids = tf.tensor2d(ss.map((s) => [s[0], s[1]]), [B, 2], "int32");
  const ln = (x: Tensor, g: string) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(
      tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), P(`${g}.g`)),
      P(`${g}.b`),
    );
  };
  let x = tf.add(
    tf.reshape(tf.matMul(tf.oneHot(tf.reshape(ids, [-1]), cfg.vocab).toFloat(), P("wte")), [
      B,
      2,
      d,
    ]),
    P("wpe"),
  );
  const mask = tf.tensor4d([0, -1e9, 0, 0], [1, 1, 2, 2]);
  const heads = (t: Tensor) => tf.transpose(tf.reshape(t, [B, 2, H, dh]), [0, 2, 1, 3]);
  for (let l = 0; l < cfg.layers; l++) {
    const qkv = tf.add(
      tf.matMul(tf.reshape(ln(x, `h${l}.ln1`), [2 * B, d]), P(`h${l}.attn.w`)),
      P(`h${l}.attn.b`),
    );
    const [q, k, v] = tf.split(qkv, 3, -1).map(heads);
    const att = tf.softmax(tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(dh)), mask));
    const y = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [2 * B, d]);
    x = tf.add(
      x,
      tf.reshape(tf.add(tf.matMul(y, P(`h${l}.proj.w`)), P(`h${l}.proj.b`)), [B, 2, d]),
    );
    const u = tf.add(
      tf.matMul(tf.reshape(ln(x, `h${l}.ln2`), [2 * B, d]), P(`h${l}.fc.w`)),
      P(`h${l}.fc.b`),
    );
    const gelu = tf.mul(
      tf.mul(u, 0.5),
      tf.add(1, tf.tanh(tf.mul(tf.add(u, tf.mul(tf.pow(u, 3), 0.044715)), Math.sqrt(2 / Math.PI)))),
    );
    x = tf.add(
      x,
      tf.reshape(tf.add(tf.matMul(gelu, P(`h${l}.fcproj.w`)), P(`h${l}.fcproj.b`)), [B, 2, d]),
    );
  }
  const last = tf.reshape(tf.slice(ln(x, "lnf"), [0, 1, 0], [B, 1, d]), [B, d]);
  const lp = tf.logSoftmax(tf.matMul(last, P("wte"), false, true));
  return tf.sum(
    tf.mul(lp, tf.oneHot(tf.tensor1d(ss.map((s) => s[2]), "int32"), cfg.vocab).toFloat()),
    -1,
  );
}

function randomParams(tf: TfModule, cfg: GptConfig, seed: number): Tensor[] {
  const flat = initParams(cfg, seed);
  const rng = new Rng(seed + 1);
  for (let i = 0; i < flat.length; i++) flat[i] += 0.3 * rng.normal(); // beyond the tiny init
  return [...layout(cfg).slots.values()].map((s) =>
    tf.tensor(flat.subarray(s.offset, s.offset + s.size), s.shape)
  );
}

Deno.test("written-out 2-position attention and custom products equal the textbook GPT-2", async () => {
  const { tf } = await loadTf("cpu");
  const cfg = { vocab: 17, dModel: 8, layers: 2, heads: 2 };
  const params = randomParams(tf, cfg, 3);
  const rng = new Rng(9);
  const ss: Sentence[] = Array.from(
    { length: 5 },
    () => [2 + rng.int(15), rng.int(2), 2 + rng.int(15)],
  );
  const ids = tf.tensor1d([...ss.map((s) => s[0]), ...ss.map((s) => s[1])], "int32");
  const target = tf.tensor1d(ss.map((s) => s[2]), "int32");
  const ours = await logProbs(tf, cfg, params, ids, target).data();
  const ref = await reference(tf, cfg, params, ss).data();
  ours.forEach((v, i) =>
    assert.ok(Math.abs(v - ref[i]) < 1e-4, `sentence ${i}: ${v} vs ${ref[i]}`)
  );
  const g1 = tf.grads((...ps) => tf.sum(logProbs(tf, cfg, ps, ids, target)) as never)(params);
  const g2 = tf.grads((...ps) => tf.sum(reference(tf, cfg, ps, ss)) as never)(params);
  const names = [...layout(cfg).slots.keys()];
  for (let k = 0; k < g1.length; k++) {
    const [a, b] = [await g1[k].data(), await g2[k].data()];
    a.forEach((v, i) =>
      assert.ok(
        Math.abs(v - b[i]) < 1e-3 * (1 + Math.abs(b[i])),
        `${names[k]}[${i}]: ${v} vs ${b[i]}`,
      )
    );
  }
  tf.dispose([...params, ...g1, ...g2, ids, target]);
});

Deno.test("a short AdamW run lowers the training loss and leaves no subnormals", async () => {
  const { tf } = await loadTf("cpu");
  const d = reverseDataset({ vocab: 40, seed: 4 });
  const before = tf.memory().numTensors;
  const r = await trainGpt(tf, {
    config: { vocab: d.M, dModel: 16, layers: 2, heads: 2 },
    train: d.train,
    val: d.test,
    epochs: 25,
    batchSize: 6,
    lr: 0.01,
    betas: [0.9, 0.999],
    weightDecay: 0.01,
    seed: 2,
    logEpochs: [0, 25],
  });
  const [start, end] = r.log;
  assert.ok(
    end.trainLogProb > start.trainLogProb + 1,
    `${start.trainLogProb} → ${end.trainLogProb}`,
  );
  assert.equal(countSubnormals(r.theta), 0);
  assert.equal(countSubnormals(r.moments[0]) + countSubnormals(r.moments[1]), 0);
  assert.equal(tf.memory().numTensors, before, "training leaks no tensors");
});

import assert from "node:assert/strict";
import { loadTf } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { spacedWindows, trainLm } from "./train.ts";
import { adam, uniformCausalEntropy } from "./transformer.ts";

const { tf } = await loadTf("wasm");

/** A stream where the next token is a fixed function of the current one (learnable). */
function cyclicStream(n: number, V: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const perm = rng.shuffle(Array.from({ length: V }, (_, i) => i));
  const out = new Int32Array(n);
  out[0] = 0;
  for (let i = 1; i < n; i++) out[i] = rng.uniform() < 0.9 ? perm[out[i - 1]] : rng.int(V);
  return out;
}

Deno.test("spacedWindows: all when asked for more, else evenly spaced", () => {
  assert.deepEqual(spacedWindows(4, 10), [0, 1, 2, 3]);
  assert.deepEqual(spacedWindows(10, 3), [0, 3, 6]);
});

Deno.test("trainLm: checkpoints, learning, entropies and maps", async () => {
  const V = 12, bptt = 8;
  const all = cyclicStream(4 * 200 + 2 * 100, V, 1); // one chain: valid follows the same rule
  const data = { train: all.slice(0, 800), valid: all.slice(800), vocab: V };
  const seen: number[] = [];
  const res = await trainLm(tf, data, {
    model: { dModel: 16, dFF: 16, layers: 2, dropout: 0.1 },
    bptt,
    batchSize: 4,
    evalBatchSize: 2,
    steps: 60,
    optimiser: { kind: "adam", lr: 1e-2 },
    clip: 0.5,
    seed: 3,
    checkpoints: [0, 30, 60],
    entropyWindows: 5,
    lossWindows: 100,
    mapSteps: [0, 60],
    mapWindow: 2,
    onCheckpoint: (cp) => seen.push(cp.step),
  });
  assert.deepEqual(res.checkpoints.map((c) => c.step), [0, 30, 60]);
  assert.deepEqual(seen, [0, 30, 60]);
  assert.equal(res.windowsPerEpoch, Math.floor((200 - 1) / bptt));
  const [c0, , c2] = res.checkpoints;
  assert.ok(Number.isNaN(c0.trainLoss));
  assert.ok(Math.abs(c0.valLoss - Math.log(V)) < 0.3, `initial loss ${c0.valLoss} ≈ ln ${V}`);
  assert.ok(c2.valLoss < c0.valLoss - 0.5, `learns the cycle: ${c0.valLoss} → ${c2.valLoss}`);
  for (const c of res.checkpoints) {
    assert.equal(c.entropy.length, 2);
    assert.ok(c.entropy.every((h) => h > 0 && h <= uniformCausalEntropy(bptt) + 1e-6));
  }
  assert.equal(res.checkpoints[1].maps, undefined);
  for (const m of c2.maps!) {
    assert.equal(m.length, bptt * bptt);
    for (let i = 0; i < bptt; i++) {
      const row = m.slice(i * bptt, (i + 1) * bptt);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${i} sums to 1`);
      assert.ok(row.slice(i + 1).every((x) => x === 0), `row ${i} is causal`);
    }
  }
});

Deno.test("trainLm: a custom optimiser gets raw gradients in parameter order", async () => {
  const V = 6;
  const data = { train: cyclicStream(2 * 50, V, 4), valid: cyclicStream(2 * 20, V, 5), vocab: V };
  let calls = 0;
  const res = await trainLm(tf, data, {
    model: { dModel: 8, dFF: 8, layers: 1, dropout: 0 },
    bptt: 4,
    batchSize: 2,
    evalBatchSize: 2,
    steps: 5,
    optimiser: {
      kind: "custom",
      make: (params) => {
        const inner = adam(tf, params, { lr: 1e-2 });
        return {
          step: (g) => {
            calls++;
            assert.equal(g.length, params.length);
            g.forEach((t, i) => assert.deepEqual(t.shape, params[i].variable.shape));
            inner.step(g);
          },
          state: () => inner.state(),
          dispose: () => inner.dispose(),
        };
      },
    },
    clip: 0.5,
    seed: 1,
    checkpoints: [5],
    entropyWindows: 1,
    lossWindows: 0,
  });
  assert.equal(calls, 5);
  assert.ok(Number.isNaN(res.checkpoints[0].valLoss), "lossWindows 0 → no loss");
  assert.ok(res.checkpoints[0].trainLoss > 0);
});

import assert from "node:assert/strict";
import { loadTf } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { matrixFloats } from "./memory.ts";
import { isTarget, type LmMethod, lrFactor, trainLm } from "./train_lm.ts";

const { tf } = await loadTf("wasm");

function stream(seed: number, n: number, cols: number) {
  // a repetitive synthetic language: token t+1 = (3·t + noise) mod 20
  const rng = new Rng(seed);
  const ids = new Int32Array(n);
  for (let i = 1; i < n; i++) {
    ids[i] = (3 * ids[i - 1] + (rng.uniform() < 0.1 ? rng.int(20) : 1)) % 20;
  }
  const rows = Math.floor(n / cols);
  const data = new Int32Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) data[r * cols + c] = ids[c * rows + r];
  }
  return { data, rows, cols };
}

Deno.test("lrFactor: warm-up then cosine to the floor", () => {
  assert.equal(lrFactor(9, 100, 0.1, 0.1), 1);
  assert.ok(lrFactor(50, 100, 0.1, 0.1) < 1 && lrFactor(50, 100, 0.1, 0.1) > 0.1);
  assert.ok(Math.abs(lrFactor(99, 100, 0.1, 0.1) - 0.1) < 1e-9);
});

Deno.test("isTarget: attention and FFN matrices only", () => {
  assert.ok(isTarget("layers.0.attn.q") && isTarget("layers.1.ffn.w2"));
  assert.ok(!isTarget("layers.0.attn.bq") && !isTarget("embed") && !isTarget("decoder.w"));
  assert.ok(!isTarget("layers.0.ffn.b1") && !isTarget("layers.0.norm1.g"));
});

Deno.test("trainLm: every method learns a synthetic stream; state sizes follow Table 1", async () => {
  const train = stream(1, 4000, 4), valid = stream(2, 1000, 4);
  const model = { vocab: 20, dModel: 16, dFF: 32, layers: 1, dropout: 0, maxLen: 8 };
  const out: Record<string, number> = {};
  for (const method of ["full", "galore", "lowrank", "lora"] as LmMethod[]) {
    const r = await trainLm(tf, {
      method,
      model,
      initSeed: 3,
      seed: 4,
      rank: 4,
      updateGap: 10,
      scale: 0.25,
      lr: 0.01,
      steps: 30,
      train,
      valid,
      bptt: 8,
      evalEvery: 15,
      evalWindows: 2,
    });
    const first = r.curve[0].validLoss, last = r.curve.at(-1)!.validLoss;
    assert.ok(last < first, `${method}: ${first} → ${last}`);
    const want = r.targetShapes.reduce((s, [m, n]) => s + matrixFloats(method, m, n, 4).states, 0);
    assert.equal(r.targetStateFloats, want, `${method} target state`);
    out[method] = r.targetStateFloats;
  }
  assert.equal(out.full, 2 * (4 * 16 * 16 + 2 * 16 * 32));
});

import assert from "node:assert/strict";
import { loadTf } from "../../tf.ts";
import {
  initRun,
  lossModAdd,
  type ModAddActivation,
  type ModAddLoss,
  type ModAddWeights,
  splitSizes,
  trainModAdd,
} from "./train.ts";

const { tf } = await loadTf("wasm");

Deno.test("splitSizes: sklearn's ceil rule and the explicit variants", () => {
  assert.deepEqual(splitSizes(23), { nTrain: 476, nTest: 53 });
  assert.deepEqual(splitSizes(71), { nTrain: 4536, nTest: 505 });
  assert.deepEqual(splitSizes(127), { nTrain: 14516, nTest: 1613 });
  assert.deepEqual(splitSizes(10, { trainFraction: 0.55 }), { nTrain: 55, nTest: 45 });
  assert.deepEqual(splitSizes(10, { trainCount: 7 }), { nTrain: 7, nTest: 93 });
  assert.throws(() => splitSizes(5, { trainCount: 0 }));
});

Deno.test("initRun: seeded split is a permutation; init ranges U(±1/√fan_in)", () => {
  const a = initRun(3, 7, 16, 40);
  const b = initRun(3, 7, 16, 40);
  assert.deepEqual(a.train, b.train);
  assert.equal(new Set([...a.train, ...a.test]).size, 49);
  assert.ok(a.weights.wa.every((x) => Math.abs(x) <= 1 / Math.sqrt(7)));
  assert.ok(a.weights.v.every((x) => Math.abs(x) <= 1 / Math.sqrt(16)));
  assert.notDeepEqual(initRun(4, 7, 16, 40).train, a.train);
});

Deno.test("zero output gives the centred MSE 1 − 1/d", () => {
  const d = 5, q = 3;
  const w: ModAddWeights = {
    wa: new Float64Array(q * d),
    wb: new Float64Array(q * d),
    v: new Float64Array(d * q),
    d,
    q,
  };
  assert.ok(Math.abs(lossModAdd(w, [0, 1, 7, 24]).loss - (1 - 1 / d)) < 1e-15);
});

/** Finite-difference gradient of the Float64 training loss (no weight decay). */
function fdGrad(
  w: ModAddWeights,
  train: Int32Array,
  part: "wa" | "wb" | "v",
  i: number,
  loss: ModAddLoss,
  act: ModAddActivation,
): number {
  const h = 1e-6;
  const plus = { ...w, [part]: Float64Array.from(w[part]) };
  const minus = { ...w, [part]: Float64Array.from(w[part]) };
  plus[part][i] += h;
  minus[part][i] -= h;
  return (lossModAdd(plus, train, loss, act).loss - lossModAdd(minus, train, loss, act).loss) /
    (2 * h);
}

for (const loss of ["mse", "ce"] as const) {
  for (const activation of ["square", "relu"] as const) {
    Deno.test(`first Adam step moves every weight against the gradient (${loss}, ${activation})`, async () => {
      const d = 5, q = 8, seed = 11;
      const lr = 1e-4;
      const { nTrain } = splitSizes(d);
      const init = initRun(seed, d, q, nTrain);
      const res = await trainModAdd(tf, {
        d,
        hidden: q,
        lr,
        steps: 1,
        loss,
        activation,
        runs: [{ seed, weightDecay: 0 }],
        evalSteps: [0],
      });
      // the tfjs loss at step 0 equals the Float64 loss
      const ref = lossModAdd(init.weights, init.train, loss, activation);
      assert.ok(
        Math.abs(res.evals[0].trainLoss - ref.loss) < 1e-5,
        `${res.evals[0].trainLoss} vs ${ref.loss}`,
      );
      assert.equal(res.evals[0].trainAcc, ref.acc);
      // Adam's first step is −lr·g/(|g| + ε): the sign of −g wherever |g| ≫ ε
      let checked = 0;
      for (const part of ["wa", "wb", "v"] as const) {
        for (let i = 0; i < init.weights[part].length; i++) {
          const g = fdGrad(init.weights, init.train, part, i, loss, activation);
          if (Math.abs(g) < 1e-4) continue;
          const delta = res.final[0][part][i] - init.weights[part][i];
          assert.ok(Math.abs(Math.abs(delta) - lr) < 2e-6, `${part}[${i}] |Δ| ${delta}`);
          assert.equal(Math.sign(delta), -Math.sign(g), `${part}[${i}]: Δ ${delta}, g ${g}`);
          checked++;
        }
      }
      assert.ok(checked > 40, `only ${checked} weights had a usable gradient`);
    });
  }
}

Deno.test("training d = 7 (150 steps) fits the training set; a run alone equals it trained beside others", async () => {
  const cfg = {
    d: 7,
    hidden: 24,
    lr: 0.02,
    steps: 150,
    runs: [{ seed: 1, weightDecay: 1e-4 }, { seed: 2, weightDecay: 0 }],
    evalSteps: [0, 150],
    checkpointSteps: [100],
  };
  const a = await trainModAdd(tf, cfg);
  const last = a.evals.filter((e) => e.step === 150);
  for (const e of last) {
    assert.ok(e.trainLoss < 0.05, `train loss ${e.trainLoss}`);
    assert.equal(e.trainAcc, 1);
  }
  // the Float64 re-evaluation of the returned weights agrees with the tfjs metrics
  const ref = lossModAdd(a.final[0], a.splits[0].train);
  assert.ok(Math.abs(ref.loss - last[0].trainLoss) < 1e-4);
  // one run per call (one cell each, as the harness runs them) gives the same numbers
  const b = await trainModAdd(tf, { ...cfg, runs: [cfg.runs[1]] });
  assert.deepEqual(b.final[0].v, a.final[1].v);
  assert.deepEqual(
    b.evals.map((e) => e.trainLoss),
    a.evals.filter((e) => e.run === 1).map((e) => e.trainLoss),
  );
});

Deno.test("a long run with weight decay holds no float32 subnormal in weights or moments", async () => {
  const res = await trainModAdd(tf, {
    d: 7,
    hidden: 48,
    lr: 0.02,
    steps: 3000,
    runs: [{ seed: 3, weightDecay: 5e-3 }],
    subnormalSteps: [1000, 2000, 3000],
  });
  for (const s of res.subnormals) {
    assert.deepEqual([s.weights, s.moments], [0, 0], `step ${s.step}`);
  }
  const off = await trainModAdd(tf, {
    d: 7,
    hidden: 48,
    lr: 0.02,
    steps: 3000,
    runs: [{ seed: 3, weightDecay: 5e-3 }],
    subnormalSteps: [3000],
    flushSubnormals: false,
  });
  assert.ok(
    off.subnormals[0].weights + off.subnormals[0].moments > 0,
    "without the flush they appear",
  );
});

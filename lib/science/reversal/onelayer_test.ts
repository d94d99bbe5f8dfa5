import assert from "node:assert/strict";
import { countSubnormals, loadTf } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { reverseDataset } from "./data.ts";
import {
  forward,
  grads,
  logSpaced,
  type OneLayer,
  prob,
  rateExponent,
  trainBound,
  trainSgd,
} from "./onelayer.ts";

Deno.test("hand-written gradients equal tfjs autograd", async () => {
  const { tf } = await loadTf("cpu");
  const M = 9;
  const rng = new Rng(5);
  const m: OneLayer = {
    M,
    Y: rng.fill(M * M, (r) => r.normal()),
    Z: rng.fill(M * M, (r) => r.normal()),
  };
  for (const s of [[3, 0, 5], [7, 1, 2], [2, 0, 2]] as [number, number, number][]) {
    const ours = grads(m, s);
    const [x1, x2, y] = s;
    const e1 = tf.oneHot(tf.tensor1d([x1], "int32"), M).toFloat();
    const e2 = tf.oneHot(tf.tensor1d([x2], "int32"), M).toFloat();
    const loss = (Y: ReturnType<typeof tf.tensor2d>, Z: ReturnType<typeof tf.tensor2d>) => {
      const zrow = tf.matMul(e2, Z);
      const a = tf.concat([
        tf.sum(tf.mul(zrow, e1)).reshape([1]),
        tf.sum(tf.mul(zrow, e2)).reshape([1]),
      ]);
      const b = tf.softmax(a);
      const h = tf.add(tf.mul(b.slice([0], [1]), e1), tf.mul(b.slice([1], [1]), e2));
      const f = tf.div(h, tf.norm(h));
      const lp = tf.logSoftmax(tf.matMul(f, Y));
      return tf.neg(lp.reshape([M]).slice([y], [1]).sum()) as ReturnType<typeof tf.scalar>;
    };
    const Y = tf.tensor2d(Float32Array.from(m.Y), [M, M]);
    const Z = tf.tensor2d(Float32Array.from(m.Z), [M, M]);
    const [gY, gZ] = tf.grads((a, b) => loss(a as typeof Y, b as typeof Z))([Y, Z]);
    const dY = await gY.data(), dZ = await gZ.data();
    const close = (a: number, b: number, what: string) =>
      assert.ok(Math.abs(a - b) < 1e-4 * (1 + Math.abs(b)), `${what}: ours ${a}, tfjs ${b}`);
    close(ours.loss, (await loss(Y, Z).data())[0], "loss");
    for (let v = 0; v < M; v++) {
      close(ours.dY1[v], dY[x1 * M + v], `dY[${x1},${v}]`);
      close(ours.dY2[v], dY[x2 * M + v], `dY[${x2},${v}]`);
    }
    close(ours.dZ1, dZ[x2 * M + x1], "dZ[x2,x1]");
    close(ours.dZ2, dZ[x2 * M + x2], "dZ[x2,x2]");
    // every other entry of the autograd gradient is zero
    dY.forEach((g, i) => {
      const row = Math.floor(i / M);
      if (row !== x1 && row !== x2) assert.equal(g, 0);
    });
  }
});

Deno.test("SGD reproduces grads(): one step moves Y and Z by −η·gradient", () => {
  const train: [number, number, number][] = [[3, 0, 5]];
  let before: OneLayer | null = null;
  const after = trainSgd(8, {
    train,
    etaY: 0.5,
    etaZ: 0.05,
    steps: 2,
    seed: 1,
    logSteps: [1],
    onLog: (_, m) => (before = { M: 8, Y: Float64Array.from(m.Y), Z: Float64Array.from(m.Z) }),
  });
  const g = grads(before!, train[0]);
  for (let v = 0; v < 8; v++) {
    assert.ok(Math.abs(after.Y[3 * 8 + v] - (before!.Y[3 * 8 + v] - 0.5 * g.dY1[v])) < 1e-15);
    assert.ok(Math.abs(after.Y[0 * 8 + v] - (before!.Y[0 * 8 + v] - 0.5 * g.dY2[v])) < 1e-15);
  }
  assert.ok(Math.abs(after.Z[0 * 8 + 3] - (before!.Z[0 * 8 + 3] - 0.05 * g.dZ1)) < 1e-15);
});

Deno.test("reversal data: trained sentences → 1, untrained directions < 1/M, no subnormals", () => {
  const d = reverseDataset({ vocab: 120, seed: 2 });
  const N = d.pairs.length, M = d.M;
  const steps = 20 * Math.round((N * M) / 0.5);
  const m = trainSgd(M, {
    train: d.train,
    etaY: 0.5,
    etaZ: 0.05,
    steps,
    seed: 3,
    logSteps: [],
    onLog: () => {},
  });
  const pTrain = Math.min(...d.train.map((s) => prob(m, s)));
  const pTest = Math.max(...d.test.map((s) => prob(m, s)));
  assert.ok(pTrain > 0.99, `min train p ${pTrain}`);
  assert.ok(pTest < 1 / M, `max test p·M ${pTest * M}`);
  assert.ok(rateExponent(M, 0.5, N, steps, pTrain) > 0.5);
  assert.equal(countSubnormals(m.Y) + countSubnormals(m.Z), 0);
  assert.ok(forward(m, d.test[0][0], d.test[0][1]).b[0] > 0);
});

Deno.test("trainBound and rateExponent are inverse; logSpaced is sorted and unique", () => {
  for (const c of [0.3, 0.5, 1]) {
    const p = trainBound(802, 0.5, 200, 1e6, c);
    assert.ok(Math.abs(rateExponent(802, 0.5, 200, 1e6, p) - c) < 1e-9);
  }
  const s = logSpaced(12345, 8);
  assert.ok(s.every((x, i) => i === 0 || x > s[i - 1]));
  assert.equal(s[s.length - 1], 12345);
});

import assert from "node:assert/strict";
import { loadTf } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { Mlp, teacherData } from "./mlp.ts";
import { trainMlp } from "./train_mlp.ts";

const { tf } = await loadTf("wasm");

Deno.test("Mlp: gradients match central finite differences (MSE and CE)", async () => {
  for (const loss of ["mse", "ce"] as const) {
    const data = teacherData(tf, { sizes: [5, 7, 3], samples: 16, loss, seed: 1 });
    const net = new Mlp(tf, [5, 6, 3], new Rng(2));
    const { grads } = net.lossAndGrads(data, loss);
    const g = await grads.W1.data();
    const w = net.weights[0];
    const base = Float32Array.from(await w.data());
    for (const k of [0, 7, 20]) {
      const at = async (delta: number) => {
        const v = Float32Array.from(base);
        v[k] += delta;
        w.assign(tf.tensor2d(v, [6, 5]));
        return (await net.loss(data, loss).data())[0];
      };
      const h = 1e-2;
      const fd = ((await at(h)) - (await at(-h))) / (2 * h);
      assert.ok(
        Math.abs(fd - g[k]) < 2e-3 + 0.02 * Math.abs(g[k]),
        `${loss} W1[${k}]: ${fd} vs ${g[k]}`,
      );
    }
    net.dispose();
  }
});

Deno.test("teacherData: one-hot labels for CE; trainMlp records what it is asked for", async () => {
  const { Y } = teacherData(tf, { sizes: [4, 8, 3], samples: 10, loss: "ce", seed: 3 });
  const y = await Y.data();
  for (let s = 0; s < 10; s++) assert.equal(y[s] + y[10 + s] + y[20 + s], 1);
  const r = await trainMlp(tf, {
    sizes: [4, 8, 3],
    teacher: [4, 8, 3],
    loss: "ce",
    samples: 32,
    dataSeed: 1,
    initSeed: 2,
    steps: 20,
    galore: false,
    record: [0, 20],
    stableRanks: true,
    batch: 8,
    optimizer: { lr: 0.1, rank: 1, updateGap: 1, scale: 1, rule: "sgd" },
  });
  assert.deepEqual(r.records.map((x) => x.step), [0, 20]);
  assert.ok(r.records[1].loss < r.records[0].loss);
  assert.ok(r.records.every((x) => x.gradStableRank!.every((s) => s >= 1 && s <= 8)));
});

import assert from "node:assert/strict";
import { countSubnormals, loadTf } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { variableFrom } from "./lowrank.ts";
import { matrixFloats } from "./memory.ts";
import { GaLoreOptimizer } from "./optimizer.ts";
import { trainMlp } from "./train_mlp.ts";

const { tf } = await loadTf("wasm");

function randn(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from(rng.fill(n, (r) => scale * r.normal()));
}

Deno.test("GaLoreOptimizer: state floats equal Table 1 on both sides, across projector switches", async () => {
  const rng = new Rng(1);
  for (const [m, n, r] of [[16, 40, 4], [40, 16, 4], [12, 12, 12]]) {
    const w = variableFrom(tf, randn(rng, m * n), [m, n]);
    const opt = new GaLoreOptimizer(tf, [{ name: "w", variable: w, galore: true }], {
      lr: 1e-3,
      rank: r,
      updateGap: 2,
      scale: 0.25,
    });
    for (let s = 0; s < 5; s++) {
      const g = tf.tensor2d(randn(rng, m * n), [m, n]);
      await opt.step({ w: g });
      g.dispose();
      const f = matrixFloats("galore", m, n, r);
      const held = opt.stateFloats();
      assert.equal(held.total, f.states, `${m}×${n} r${r} step ${s}: ${held.total} vs ${f.states}`);
      assert.equal(held.projector, Math.min(m, n) * r);
    }
    opt.dispose();
    w.dispose();
  }
});

Deno.test("GaLoreOptimizer: one step matches Alg. 2 computed by hand (left projector)", async () => {
  const rng = new Rng(2);
  const m = 3, n = 5, r = 2;
  const w0 = randn(rng, m * n), g = randn(rng, m * n);
  const w = variableFrom(tf, w0, [m, n]);
  const lr = 0.1, alpha = 0.25, eps = 1e-8;
  const opt = new GaLoreOptimizer(tf, [{ name: "w", variable: w, galore: true }], {
    lr,
    rank: r,
    updateGap: 10,
    scale: alpha,
    eps,
  });
  const gt = tf.tensor2d(g, [m, n]);
  await opt.step({ w: gt });
  gt.dispose();
  const P = (await opt.stateTensors().find((x) => x.role === "P")!.tensor.data()) as Float32Array;
  // R = Pᵀ G; after one Adam step N = R(1−β₁) / (√(R²(1−β₂)) + ε); step = lr√(1−β₂)/(1−β₁)
  const R = new Float64Array(r * n);
  for (let a = 0; a < r; a++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += P[i * r + a] * g[i * n + j];
      R[a * n + j] = s;
    }
  }
  const b1 = 0.9, b2 = 0.999, step = lr * Math.sqrt(1 - b2) / (1 - b1);
  const N = R.map((x) => (x * (1 - b1)) / (Math.sqrt(x * x * (1 - b2)) + eps));
  const got = await w.data();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let back = 0;
      for (let a = 0; a < r; a++) back += P[i * r + a] * N[a * n + j];
      const want = w0[i * n + j] - step * alpha * back;
      assert.ok(
        Math.abs(got[i * n + j] - want) < 1e-5,
        `W[${i},${j}] ${got[i * n + j]} vs ${want}`,
      );
    }
  }
  opt.dispose();
  w.dispose();
});

Deno.test("GaLoreOptimizer: moments survive a projector switch; the projector is replaced", async () => {
  const rng = new Rng(3);
  const w = variableFrom(tf, randn(rng, 8 * 20), [8, 20]);
  const opt = new GaLoreOptimizer(tf, [{ name: "w", variable: w, galore: true }], {
    lr: 1e-3,
    rank: 2,
    updateGap: 2,
    scale: 1,
  });
  const g1 = tf.tensor2d(randn(rng, 160), [8, 20]);
  await opt.step({ w: g1 });
  await opt.step({ w: g1 });
  const before = await opt.stateTensors().find((x) => x.role === "M")!.tensor.data();
  const p1 = await opt.stateTensors().find((x) => x.role === "P")!.tensor.data();
  const g2 = tf.tensor2d(randn(rng, 160), [8, 20]);
  await opt.step({ w: g2 }); // step 2 = T: new projector, moments decay from their old values
  const after = await opt.stateTensors().find((x) => x.role === "M")!.tensor.data();
  const p2 = await opt.stateTensors().find((x) => x.role === "P")!.tensor.data();
  assert.notDeepEqual(Array.from(p1), Array.from(p2));
  // M₃ = β₁M₂ + (1−β₁)R₃: not (1−β₁)R₃ alone (a reset would give exactly that)
  const P2 = p2 as Float32Array, G2 = (await g2.data()) as Float32Array;
  let diff = 0;
  for (let a = 0; a < 2; a++) {
    for (let j = 0; j < 20; j++) {
      let r = 0;
      for (let i = 0; i < 8; i++) r += P2[i * 2 + a] * G2[i * 20 + j];
      const kept = 0.9 * before[a * 20 + j] + 0.1 * r;
      assert.ok(Math.abs(after[a * 20 + j] - kept) < 1e-5, `M[${a},${j}]`);
      diff += Math.abs(after[a * 20 + j] - 0.1 * r);
    }
  }
  assert.ok(diff > 1e-3, "moments were reset");
  assert.equal(opt.steps, 3);
  g1.dispose();
  g2.dispose();
  opt.dispose();
  w.dispose();
});

Deno.test("GaLoreOptimizer: SGD at r = min(m, n) equals full-rank SGD to float rounding", async () => {
  const base = {
    sizes: [12, 20, 6],
    teacher: [12, 16, 6],
    loss: "mse" as const,
    samples: 64,
    dataSeed: 5,
    initSeed: 6,
    steps: 60,
    record: [60],
    keepWeights: true,
  };
  const opt = { lr: 0.05, rank: 1000, updateGap: 7, scale: 1, rule: "sgd" as const };
  const full = await trainMlp(tf, { ...base, galore: false, optimizer: opt });
  const gal = await trainMlp(tf, { ...base, galore: true, optimizer: opt });
  full.records[0].weights!.forEach((wf, l) => {
    const wg = gal.records[0].weights![l];
    for (let i = 0; i < wf.length; i++) {
      assert.ok(Math.abs(wf[i] - wg[i]) < 1e-5, `layer ${l} entry ${i}: ${wf[i]} vs ${wg[i]}`);
    }
  });
});

/** Largest number of subnormals seen in weights and moments over a decaying run. */
async function subnormalsSeen(flush: boolean): Promise<number> {
  // gradients stop after 5 steps; weight decay (factor 0.8 per step) and the moments' β₁ decay
  // carry weights and first moments through the float32 subnormal range around step 400–800
  const rng = new Rng(7);
  const m = 8, n = 12;
  const w = variableFrom(tf, randn(rng, m * n, 1e-3), [m, n]);
  const b = variableFrom(tf, randn(rng, n, 1e-3), [n]);
  const opt = new GaLoreOptimizer(tf, [
    { name: "w", variable: w, galore: true },
    { name: "b", variable: b },
  ], { lr: 0.05, rank: 4, updateGap: 1000, scale: 0.25, weightDecay: 4, flush });
  let worst = 0;
  for (let s = 0; s < 900; s++) {
    const on = s < 5 ? 1e-3 : 0;
    const gw = tf.tensor2d(randn(rng, m * n, on), [m, n]);
    const gb = tf.tensor1d(randn(rng, n, on));
    await opt.step({ w: gw, b: gb });
    gw.dispose();
    gb.dispose();
    if (s % 5 === 0) {
      for (const t of [w, b, ...opt.stateTensors().map((x) => x.tensor)]) {
        worst = Math.max(worst, countSubnormals(await t.data()));
      }
    }
  }
  opt.dispose();
  w.dispose();
  b.dispose();
  return worst;
}

Deno.test("GaLoreOptimizer: weights and moments stay free of float32 subnormals in training", async () => {
  const without = await subnormalsSeen(false);
  assert.ok(
    without > 0,
    `the run should pass through subnormals without the flush (saw ${without})`,
  );
  const withFlush = await subnormalsSeen(true);
  assert.equal(withFlush, 0, `${withFlush} subnormals with the flush`);
});

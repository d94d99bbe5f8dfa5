import assert from "node:assert/strict";
import {
  type AttentionKind,
  estimateLogits,
  invariantDrift,
  lossAndGrads,
  normCorr,
  simulate,
  tokenTable,
  topSingularMass,
} from "./attention.ts";
import { Rng } from "../math/rng.ts";

Deno.test("tokenTable: columns are distributions; the Gaussian bump peaks at 10k/K", () => {
  const X = tokenTable("gaussian", 10, 10, 20, 3);
  for (let k = 0; k < 20; k++) {
    let s = 0;
    for (let l = 0; l < 20; l++) s += X[l * 20 + k];
    assert.ok(Math.abs(s - 1) < 1e-12, `column ${k} sums to ${s}`);
  }
  // class 0's bump is centred on token 0: it beats every other distinct token
  for (let i = 1; i < 10; i++) assert.ok(X[0] > X[i * 20], `token ${i} beats token 0`);
});

Deno.test("lossAndGrads: hand-written gradients match central differences", () => {
  const K = 4, Mc = 5, d = 7, T = 0.5;
  const X = tokenTable("random", 3, 2, K, 5);
  const rng = new Rng(9);
  for (const kind of ["softmax", "exp", "linear"] as AttentionKind[]) {
    const W = rng.fill(d * K, (r) => r.normal() * 0.3);
    const z = rng.fill(Mc, (r) => (kind === "linear" ? 1 : 0) + r.normal() * 0.3);
    const { dW, dz } = lossAndGrads(kind, W, z, X, K, d, T);
    const h = 1e-6;
    const num = (arr: Float64Array, i: number) => {
      const keep = arr[i];
      arr[i] = keep + h;
      const up = lossAndGrads(kind, W, z, X, K, d, T).loss;
      arr[i] = keep - h;
      const dn = lossAndGrads(kind, W, z, X, K, d, T).loss;
      arr[i] = keep;
      return (up - dn) / (2 * h);
    };
    for (let i = 0; i < W.length; i++) {
      const e = num(W, i);
      assert.ok(Math.abs(e - dW[i]) < 1e-8, `${kind} dW[${i}]: ${dW[i]} vs ${e}`);
    }
    for (let l = 0; l < Mc; l++) {
      const e = num(z, l);
      assert.ok(Math.abs(e - dz[l]) < 1e-8, `${kind} dz[${l}]: ${dz[l]} vs ${e}`);
    }
  }
});

Deno.test("exact invariants: drift is first order in the step (linear and exp attention)", () => {
  for (const [attention, T] of [["linear", 0.5], ["exp", 2]] as const) {
    const run = (lr: number) =>
      invariantDrift(
        attention,
        simulate({
          attention,
          x: "gaussian",
          seed: 4,
          lr,
          temperature: T,
          iterations: Math.round(40 / lr),
          zInit: attention === "linear" ? "one" : "small",
        }),
      );
    const a = run(0.1), b = run(0.05);
    assert.ok(a < 1e-2, `${attention}: drift ${a} at lr 0.1`);
    assert.ok(Math.abs(b / a - 0.5) < 0.1, `${attention}: drift ratio ${b / a}`);
  }
});

Deno.test("softmax estimate: NC(ẑ, z) is 1 at t = 0 (c fitted there) and stays high early", () => {
  const r = simulate({ attention: "softmax", x: "gaussian", seed: 2, iterations: 300 });
  const e0 = estimateLogits("softmax", r, r.trace[0]);
  assert.ok(Math.abs(normCorr(r.trace[0].z, e0.zhat) - 1) < 1e-6); // 1e-8 in the norms
  for (const p of r.trace) {
    const nc = normCorr(p.z, estimateLogits("softmax", r, p).zhat);
    assert.ok(nc > 0.98, `NC ${nc} at t = ${p.t}`);
  }
});

Deno.test("topSingularMass: rank one gives 1, the identity gives 1/n", () => {
  const I = new Float64Array(9);
  for (let i = 0; i < 3; i++) I[i * 4] = 1;
  assert.ok(Math.abs(topSingularMass(I, 3, 3) - 1 / 3) < 1e-12);
  assert.ok(Math.abs(topSingularMass(new Float64Array([1, 2, 3, 2, 4, 6]), 2, 3) - 1) < 1e-12);
});

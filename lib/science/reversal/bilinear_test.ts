import assert from "node:assert/strict";
import { countSubnormals } from "../../tf.ts";
import { embeddings, exponents, gram, trainBilinear } from "./bilinear.ts";

/** Direct GD on Θ ∈ R^{d×d} (the definition), for comparison with the token-space run. */
function thetaSpaceLosses(
  V: number,
  N: number,
  T: number,
  d: number,
  seed: number,
  lr: number,
  steps: number,
) {
  const u = embeddings(V, d, seed);
  const inputs: number[] = [], targets: number[] = [];
  for (let i = 0; i < N; i++) (inputs.push(i), targets.push(N + i));
  for (let i = T; i < N; i++) (inputs.push(N + i), targets.push(i));
  const n = inputs.length;
  const theta = new Float64Array(d * d);
  const logits = (x: number) => {
    const w = new Float64Array(d); // Θᵀ-free: w = u_xᵀ Θ
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) w[j] += u[x * d + i] * theta[i * d + j];
    return Array.from({ length: V }, (_, v) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += w[j] * u[v * d + j];
      return s;
    });
  };
  const losses: number[] = [];
  for (let t = 0; t <= steps; t++) {
    let loss = 0;
    const grad = new Float64Array(d * d);
    for (let k = 0; k < n; k++) {
      const l = logits(inputs[k]);
      const mx = Math.max(...l);
      const z = l.reduce((a, x) => a + Math.exp(x - mx), 0);
      loss -= (l[targets[k]] - mx - Math.log(z)) / n;
      // ∂/∂Θ of −log p = −u_x (u_b − Σ p_v u_v)ᵀ
      const r = new Float64Array(d);
      for (let v = 0; v < V; v++) {
        const c = (v === targets[k] ? 1 : 0) - Math.exp(l[v] - mx) / z;
        for (let j = 0; j < d; j++) r[j] += c * u[v * d + j];
      }
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) grad[i * d + j] -= (u[inputs[k] * d + i] * r[j]) / n;
      }
    }
    losses.push(loss);
    for (let i = 0; i < d * d; i++) theta[i] -= lr * grad[i];
  }
  return losses;
}

Deno.test("token-space GD equals GD on Θ (Θ_t = Uᵀ A_t U)", () => {
  const [V, N, T, d, seed, lr, steps] = [12, 3, 1, 5, 4, 3, 20];
  const ref = thetaSpaceLosses(V, N, T, d, seed, lr, steps);
  const ours = trainBilinear({
    vocab: V,
    pairs: N,
    testPairs: T,
    d,
    seed,
    steps,
    lr,
    logSteps: Array.from({ length: steps + 1 }, (_, i) => i),
  });
  ours.log.forEach((p, t) =>
    assert.ok(Math.abs(p.trainLoss - ref[t]) < 1e-10, `step ${t}: ${p.trainLoss} vs ${ref[t]}`)
  );
});

Deno.test("near-orthonormal embeddings (d ≫ |V|, ε < 0.1): the reverse loss barely moves", () => {
  const r = trainBilinear({
    vocab: 16,
    pairs: 4,
    testPairs: 2,
    d: 4096,
    seed: 1,
    steps: 300,
    lr: 4,
    logSteps: [0, 300],
  });
  const e = exponents(r.log);
  assert.ok(r.epsilon < 0.1, `ε ${r.epsilon}`);
  assert.ok(e.movement < 0.01, `movement ${e.movement}`);
  assert.ok(r.log[1].trainLoss < 0.05 * r.log[0].trainLoss);
  const { epsilon } = gram(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3, 3);
  assert.equal(epsilon, 0);
});

Deno.test("the GD state stays free of subnormals", () => {
  const r = trainBilinear({
    vocab: 64,
    pairs: 6,
    testPairs: 2,
    d: 32,
    seed: 2,
    steps: 1000,
    lr: 8,
    logSteps: [0, 1000],
  });
  assert.equal(countSubnormals(r.state), 0);
  assert.ok(r.state.every(Number.isFinite));
});

Deno.test("exponents: c* is the smallest exponent that keeps the bound", () => {
  const pt = (trainLoss: number, revLoss: number) => ({
    step: 0,
    trainLoss,
    revLoss,
    trainProb: 0,
    revProb: 0,
    revProbMax: 0,
  });
  // reverse loss rises: c* = 0, movement > 0
  const up = exponents([pt(2, 2), pt(1, 2.2), pt(0.5, 2.4)]);
  assert.equal(up.cStar, 0);
  assert.ok(up.movement > 0);
  const down = exponents([pt(2, 2), pt(1, 1.9), pt(0.5, 1.5)]);
  const worst = Math.max(Math.log(2 / 1.9) / Math.log(2), Math.log(2 / 1.5) / Math.log(4));
  assert.ok(Math.abs(down.cStar - worst) < 1e-12, `${down.cStar} vs ${worst}`);
});

import assert from "node:assert/strict";
import { cyclicGroup } from "../math/groups.ts";
import {
  allPairs,
  ascend,
  backpropGradientClosed,
  backpropGradientDirect,
  backpropGradientDual,
  centredTargets,
  Energy,
  inputMatrix,
  randomUnit,
  samplePairs,
} from "./energy.ts";
import { Rng } from "../math/rng.ts";
import { frob, frobDiff } from "../math/linalg.ts";

Deno.test("energy of a Fourier feature is M/16 and of the Nyquist feature M/8 (unit-norm rows)", () => {
  for (const M of [9, 10]) {
    const e = new Energy(allPairs(cyclicGroup(M)));
    const w = new Float64Array(2 * M);
    for (let m = 0; m < M; m++) {
      w[m] = Math.cos(2 * Math.PI * 2 * m / M + 0.3) / Math.sqrt(M);
      w[M + m] = Math.cos(2 * Math.PI * 2 * m / M - 1.1) / Math.sqrt(M);
    }
    assert.ok(Math.abs(e.evaluate(w) - M / 16) < 1e-12);
    if (M % 2 === 0) {
      const ny = Float64Array.from(
        { length: 2 * M },
        (_, i) => ((i % M) % 2 ? -1 : 1) / Math.sqrt(2 * M),
      );
      assert.ok(Math.abs(e.evaluate(ny) - M / 8) < 1e-12);
    }
  }
});

Deno.test("energy gradient matches finite differences (default and dense target)", () => {
  const g = cyclicGroup(7);
  const rng = new Rng(3);
  const d = samplePairs(g, 30, rng);
  const T = centredTargets(d);
  for (const e of [new Energy(d), new Energy(d, { T, cols: 7 })]) {
    const w = randomUnit(rng, 14);
    const grad = new Float64Array(14);
    e.evaluate(w, grad);
    for (let i = 0; i < 14; i++) {
      const h = 1e-6;
      const wp = Float64Array.from(w), wm = Float64Array.from(w);
      wp[i] += h;
      wm[i] -= h;
      const fd = (e.evaluate(wp) - e.evaluate(wm)) / (2 * h);
      assert.ok(Math.abs(fd - grad[i]) < 1e-7 * Math.max(1, Math.abs(fd)), `component ${i}`);
    }
  }
  // the dense target Ỹ gives the same energy as the fast path
  const w = randomUnit(rng, 14);
  assert.ok(
    Math.abs(new Energy(d).evaluate(w) - new Energy(d, { T, cols: 7 }).evaluate(w)) < 1e-12,
  );
});

Deno.test("ascent never decreases the energy and ends at M/16 for odd M", () => {
  const e = new Energy(allPairs(cyclicGroup(11)));
  const rng = new Rng(1);
  const w0 = randomUnit(rng, 22);
  const res = ascend(e, w0);
  assert.ok(res.energy >= e.evaluate(w0));
  assert.ok(Math.abs(res.energy - 11 / 16) < 1e-9);
});

Deno.test("Lemma 1: the three forms of G_F agree", () => {
  const rng = new Rng(2);
  const d = samplePairs(cyclicGroup(5), 12, rng);
  const X = inputMatrix(d);
  const Y = centredTargets(d);
  for (const K of [6, 20]) {
    const F = new Float64Array(12 * K);
    const W = rng.fill(10 * K, (r) => r.normal());
    for (let i = 0; i < 12; i++) {
      for (let j = 0; j < K; j++) {
        let h = 0;
        for (let p = 0; p < 10; p++) h += X[i * 10 + p] * W[p * K + j];
        F[i * K + j] = h * h;
      }
    }
    const s = { n: 12, K, M: 5 };
    const a = backpropGradientDirect(F, Y, 0.5, s);
    const b = backpropGradientClosed(F, Y, 0.5, s);
    const c = backpropGradientDual(F, Y, 0.5, s).G;
    assert.ok(frobDiff(a, b) / frob(b) < 1e-10);
    assert.ok(frobDiff(c, b) / frob(b) < 1e-10);
  }
});

import assert from "node:assert/strict";
import { integrateRk4 } from "./ode.ts";
import { Categorical, Rng } from "./rng.ts";
import { fitLine, fitProportional, mean, pearson, ranks, spearman, std } from "./stats.ts";

Deno.test("rng: seeds that differ by a multiple of 2^32 give different streams", () => {
  const first = (seed: number) => new Rng(seed).uint32();
  assert.notEqual(first(2 ** 32 + 5), first(5));
  assert.notEqual(first(100 * 2 ** 31), first(0));
  assert.equal(first(7), first(7));
});

Deno.test("rng: same seed, same stream; different seeds differ; ranges hold", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xs = Array.from({ length: 5 }, () => a.uniform());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.uniform()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.uniform()));
  const r = new Rng(1);
  for (let i = 0; i < 10000; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    const k = r.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
  }
  const n = new Rng(5).fill(20000, (g) => g.normal());
  assert.ok(Math.abs(mean(n)) < 0.03 && Math.abs(std(n) - 1) < 0.03);
  assert.throws(() => r.int(0), RangeError);
});

Deno.test("rng: categorical frequencies follow the weights", () => {
  const cat = new Categorical([1, 2, 7]);
  const r = new Rng(9);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) counts[cat.sample(r)]++;
  [0.1, 0.2, 0.7].forEach((p, i) => assert.ok(Math.abs(counts[i] / 30000 - p) < 0.01));
  assert.throws(() => new Categorical([0, 0]), /sum to zero/);
  assert.throws(() => new Categorical([1, -1]), RangeError);
});

Deno.test("stats: correlations, ranks with ties, fits", () => {
  assert.equal(pearson([1, 2, 3], [2, 4, 6]), 1);
  assert.deepEqual([...ranks([10, 20, 20, 5])], [2, 3.5, 3.5, 1]);
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [1, 8, 27, 64]) - 1) < 1e-12);
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-12);
  const f = fitLine([0, 1, 2, 3], [1, 3, 5, 7]);
  assert.ok(Math.abs(f.slope - 2) < 1e-12 && Math.abs(f.intercept - 1) < 1e-12 && f.r2 === 1);
  const p = fitProportional([1, 2, 3], [2, 4, 6]);
  assert.ok(Math.abs(p.c - 2) < 1e-12 && Math.abs(p.r2 - 1) < 1e-12);
  assert.equal(std([3]), 0);
});

Deno.test("ode: RK4 reproduces exp(−t) and a harmonic oscillator to 1e-10", () => {
  const [y1, y2] = integrateRk4((_t, y, dy) => (dy[0] = -y[0]), 0, [1], [1, 2], { dt: 1e-3 });
  assert.ok(Math.abs(y1[0] - Math.exp(-1)) < 1e-12 && Math.abs(y2[0] - Math.exp(-2)) < 1e-12);
  const [o] = integrateRk4(
    (_t, y, dy) => {
      dy[0] = y[1];
      dy[1] = -y[0];
    },
    0,
    [1, 0],
    [Math.PI],
    { dt: 1e-3 },
  );
  assert.ok(Math.abs(o[0] + 1) < 1e-10 && Math.abs(o[1]) < 1e-10);
  assert.throws(() => integrateRk4(() => {}, 1, [0], [0], { dt: 0.1 }), /ascend/);
  assert.throws(() => integrateRk4(() => {}, 0, [0], [1], { dt: 0 }), /dt must be > 0/);
});

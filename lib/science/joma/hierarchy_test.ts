import assert from "node:assert/strict";
import { Rng } from "../math/rng.ts";
import {
  activityMatrix,
  bestMatch,
  chanceScores,
  classActivity,
  classSequence,
  type HierarchySpec,
  layerScores,
  makeHierarchy,
  numClasses,
} from "./hierarchy.ts";

const spec = (C: number, p: number, n0: number, n1: number): HierarchySpec => ({
  vocab: 100,
  length: 30,
  latents: [n0, n1, C],
  children: [p, p, p],
});

/** The paper's 12 configurations (Table 1). */
const GRID = [20, 30, 50].flatMap((C) =>
  [2, 3].flatMap((p) => [[10, 20], [20, 30]].map(([n0, n1]) => spec(C, p, n0, n1)))
);

Deno.test("hierarchy: every layer holds distinct sorted p-subsets of the layer below", () => {
  for (const s of GRID) {
    for (const seed of [1, 2, 3, 4, 5]) {
      const h = makeHierarchy(s, new Rng(seed));
      let below = s.vocab - 1;
      h.children.forEach((layer, l) => {
        assert.equal(layer.length, s.latents[l], `layer ${l} size`);
        const keys = new Set(layer.map((c) => c.join(",")));
        assert.equal(keys.size, layer.length, `layer ${l} of seed ${seed} repeats a subset`);
        for (const c of layer) {
          assert.equal(c.length, s.children[l]);
          assert.ok(c.every((x, i) => x >= 0 && x < below && (i === 0 || x > c[i - 1])), `${c}`);
        }
        below = s.latents[l];
      });
    }
  }
});

Deno.test("hierarchy: the same seed draws the same tree, another seed another", () => {
  const a = makeHierarchy(spec(20, 2, 10, 20), new Rng(7));
  const b = makeHierarchy(spec(20, 2, 10, 20), new Rng(7));
  const c = makeHierarchy(spec(20, 2, 10, 20), new Rng(8));
  assert.deepEqual(a.children, b.children);
  assert.notDeepEqual(a.children, c.children);
});

Deno.test("hierarchy: impossible sizes are refused", () => {
  assert.throws(() => makeHierarchy(spec(20, 2, 10, 50), new Rng(1)), /cannot draw 50 distinct/);
  assert.throws(
    () => makeHierarchy({ ...spec(20, 2, 10, 20), children: [2, 2] }, new Rng(1)),
    /3 latent layers but 2/,
  );
});

Deno.test("hierarchy: a class activates exactly the descendants of its latent", () => {
  const h = makeHierarchy(spec(30, 3, 20, 30), new Rng(3));
  for (let c = 0; c < numClasses(h); c++) {
    const { latents, tokens } = classActivity(h, c);
    assert.deepEqual(latents[2], [c]);
    for (let s = 2; s >= 0; s--) {
      const below = s === 0 ? tokens : latents[s - 1];
      const union = [...new Set(latents[s].flatMap((j) => h.children[s][j]))].sort((a, b) => a - b);
      assert.deepEqual(below, union, `class ${c}, layer ${s}`);
    }
  }
  assert.throws(() => classActivity(h, 30), /out of range/);
});

Deno.test("hierarchy: sequences are left-padded with the class tokens ascending at the end", () => {
  for (const s of GRID) {
    for (const seed of [1, 2, 3, 4, 5]) {
      const h = makeHierarchy(s, new Rng(seed));
      for (let c = 0; c < numClasses(h); c++) {
        const x = classSequence(h, c);
        const { tokens } = classActivity(h, c);
        assert.equal(x.length, 30);
        const P = 30 - tokens.length;
        assert.ok(P >= 1, `class ${c} fills the whole sequence (${tokens.length} tokens)`);
        assert.ok(x.subarray(0, P).every((t) => t === 99));
        assert.deepEqual(Array.from(x.subarray(P)), tokens);
      }
    }
  }
});

Deno.test("hierarchy: the activity matrix marks the active latents per class", () => {
  const h = makeHierarchy(spec(20, 2, 20, 30), new Rng(5));
  for (const s of [0, 1, 2]) {
    const g = activityMatrix(h, s);
    const N = h.spec.latents[s];
    assert.equal(g.length, 20 * N);
    for (let c = 0; c < 20; c++) {
      const active = classActivity(h, c).latents[s];
      for (let j = 0; j < N; j++) assert.equal(g[c * N + j], active.includes(j) ? 1 : 0);
    }
  }
});

Deno.test("bestMatch: Pearson and cosine follow the authors' formula, with its 1e-9 guard", () => {
  const n = 5;
  // n × 2 row-major; g's columns [1, 1, 0, 0, 0], [0, 1, 0, 0, 0]
  const g = new Float64Array([1, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
  // h's columns [2, 2, 0, 0, 0], [0, 1, 0, 1, 0]
  const h = new Float64Array([2, 0, 2, 1, 0, 0, 0, 1, 0, 0]);
  const centred = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return v.map((x) => x - m);
  };
  const corr = (a: number[], b: number[], zero: boolean) => {
    const x = zero ? centred(a) : a, y = zero ? centred(b) : b;
    const dot = x.reduce((s, xi, i) => s + xi * y[i], 0);
    const nx = Math.hypot(...x) + 1e-9, ny = Math.hypot(...y) + 1e-9;
    return dot / nx / ny;
  };
  const col = (m: Float64Array, j: number) => Array.from({ length: n }, (_, i) => m[i * 2 + j]);
  for (const zero of [true, false]) {
    const best = bestMatch(g, h, n, zero);
    for (const j of [0, 1]) {
      const want = Math.max(corr(col(g, j), col(h, 0), zero), corr(col(g, j), col(h, 1), zero));
      assert.ok(
        Math.abs(best[j] - want) < 1e-12,
        `zeroMean ${zero} latent ${j}: ${best[j]} vs ${want}`,
      );
    }
  }
  // column 0 of g is proportional to column 0 of h: correlation 1 both ways
  assert.ok(Math.abs(bestMatch(g, h, n, true)[0] - 1) < 1e-8);
  assert.ok(Math.abs(bestMatch(g, h, n, false)[0] - 1) < 1e-8);
  assert.throws(() => bestMatch(g, h, 3, true), /over 3 rows/);
});

Deno.test("layerScores: never- and always-active latents, and the include/exclude means", () => {
  // 4 classes × 3 latents: latent 0 varies, latent 1 never active, latent 2 always active
  const g = new Float64Array([1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1]);
  const h = new Float64Array([5, 0, 5, 0]); // one hidden unit = 5 × latent 0
  const s = layerScores(g, h, 4);
  assert.equal(s.latents, 3);
  assert.equal(s.neverActive, 1);
  assert.equal(s.alwaysActive, 1);
  // Pearson: latent 0 → 1, latent 1 → 0 (zero column), latent 2 → 0 (zero variance)
  assert.ok(Math.abs(s.pearsonAll - 1 / 3) < 1e-8, `${s.pearsonAll}`);
  assert.ok(Math.abs(s.pearsonActive - 1 / 2) < 1e-8, `${s.pearsonActive}`);
  // cosine: latent 0 → 1, latent 1 → 0, latent 2 → ⟨1, h⟩/(2·√50) = 10/(2·7.071)
  const c2 = 10 / (2 * Math.sqrt(50));
  assert.ok(Math.abs(s.cosineAll - (1 + c2) / 3) < 1e-8, `${s.cosineAll}`);
  assert.ok(Math.abs(s.cosineActive - (1 + c2) / 2) < 1e-8, `${s.cosineActive}`);
});

Deno.test("layerScores: the top layer against one-hot class units scores 1 in every variant", () => {
  const h = makeHierarchy(spec(20, 2, 10, 20), new Rng(2));
  const g = activityMatrix(h, 2); // identity, 20 × 20
  const s = layerScores(g, g, 20);
  for (const v of [s.pearsonAll, s.pearsonActive, s.cosineAll, s.cosineActive]) {
    assert.ok(Math.abs(v - 1) < 1e-8, `${v}`);
  }
});

Deno.test("chanceScores: shuffling the classes keeps the latent counts and lowers a perfect match", () => {
  const h = makeHierarchy(spec(20, 2, 10, 20), new Rng(6));
  const g = activityMatrix(h, 1);
  const exact = layerScores(g, g, 20); // hidden units = the latents themselves
  const chance = chanceScores(g, g, 20, new Rng(7), 16);
  assert.equal(chance.neverActive, exact.neverActive);
  assert.equal(chance.alwaysActive, exact.alwaysActive);
  assert.ok(Math.abs(exact.pearsonActive - 1) < 1e-8);
  assert.ok(chance.pearsonActive < 0.9, `${chance.pearsonActive}`);
  assert.ok(chance.cosineActive < exact.cosineActive, `${chance.cosineActive}`);
  assert.throws(() => chanceScores(g, g, 20, new Rng(1), 0), /at least one/);
});

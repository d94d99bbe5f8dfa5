import assert from "node:assert/strict";
import { Rng } from "../math/rng.ts";
import { graphFromEdges, sampleGraph } from "./graph.ts";
import { spectralCorrelation } from "./correlation.ts";
import {
  controlRepresentations,
  correlationsUpTo,
  drawGraph,
  isTestGraph,
  randomPair,
  spectralCoordinates,
  testPrompts,
  TrainingStream,
} from "./pathtask.ts";
import { makeVocab } from "./tokens.ts";
import { lineGraphSpectrum } from "./spectrum.ts";

Deno.test("train and held-out graphs are disjoint classes, ~20 % held out", () => {
  const rng = new Rng(1);
  let held = 0;
  for (let i = 0; i < 400; i++) {
    const g = drawGraph(rng, { sampler: "paper", nMax: 8, test: i % 2 === 0 });
    assert.equal(isTestGraph(g), i % 2 === 0);
  }
  for (let i = 0; i < 2000; i++) {
    if (isTestGraph(drawGraph(rng, { sampler: "paper", nMax: 8, test: false }))) held++;
  }
  assert.equal(held, 0);
  // share of held-out graphs in the raw distribution: ≈ 20 % of the (many) 8-node classes
  let share = 0;
  for (let i = 0; i < 2000; i++) {
    if (isTestGraph(sampleGraph(rng, { sampler: "paper", nMin: 8, nMax: 8 }))) share += 1 / 2000;
  }
  assert.ok(share > 0.12 && share < 0.28, `held-out share ${share}`);
  const g = drawGraph(rng, { sampler: "paper", nMin: 6, nMax: 6, test: true, minEdges: 8 });
  assert.ok(g.n === 6 && g.edges.length >= 8 && isTestGraph(g));
});

Deno.test("random pairs are distinct and uniform", () => {
  const rng = new Rng(2);
  const counts = new Map<string, number>();
  for (let i = 0; i < 6000; i++) {
    const [s, t] = randomPair(rng, 3);
    assert.notEqual(s, t);
    counts.set(`${s}${t}`, (counts.get(`${s}${t}`) ?? 0) + 1);
  }
  assert.equal(counts.size, 6);
  for (const c of counts.values()) assert.ok(Math.abs(c / 6000 - 1 / 6) < 0.02);
});

Deno.test("TrainingStream serves bucketed batches with less padding", () => {
  const v = makeVocab(6);
  const s = new TrainingStream(new Rng(3), v, 16, 64, { sampler: "paper", nMax: 6 }, 4);
  const flat = new TrainingStream(new Rng(3), v, 16, 64, { sampler: "paper", nMax: 6 }, 1);
  let padB = 0;
  let padF = 0;
  for (let i = 0; i < 8; i++) {
    const a = s.next();
    const b = flat.next();
    assert.equal(a.B, 16);
    padB += a.ids.filter((x) => x === v.pad).length;
    padF += b.ids.filter((x) => x === v.pad).length;
  }
  assert.ok(padB < padF, `padding bucketed ${padB} vs flat ${padF}`);
  const prompts = testPrompts(new Rng(4), v, 10, { sampler: "paper", nMax: 6 });
  assert.ok(prompts.every((p) => isTestGraph(p.graph) && p.tokens[p.tokens.length - 1] === v.path));
});

Deno.test("spectral coordinates are eigenvectors 1..K; controls bracket the model", () => {
  const g = graphFromEdges(6, [[0, 1], [0, 2], [1, 2], [1, 3], [2, 4], [3, 4], [3, 5], [4, 5], [
    0,
    5,
  ]]);
  const m = g.edges.length;
  const u = spectralCoordinates(g, 2);
  const eig = lineGraphSpectrum(g);
  for (let e = 0; e < m; e++) assert.equal(u[e * 2 + 1], eig.vectors[e * m + 2]);
  // the spectral coordinates themselves correlate perfectly
  assert.ok(Math.abs(spectralCorrelation(u, m, 2, u, 2) - 1) < 1e-9);
  const rng = new Rng(5);
  let es = 0;
  let rnd = 0;
  for (let i = 0; i < 50; i++) {
    es += correlationsUpTo(g, controlRepresentations(g, 32, "endpoint-sum", rng), 32, 3)[2] / 50;
    rnd += correlationsUpTo(g, controlRepresentations(g, 32, "random", rng), 32, 3)[2] / 50;
  }
  assert.ok(es > rnd + 0.2, `endpoint-sum ρ₃ ${es} vs random ${rnd}`);
});

import assert from "node:assert/strict";
import { Rng } from "../math/rng.ts";
import { graphFromEdges, sampleGraph } from "./graph.ts";
import {
  edgeEmbedding,
  eigResidual,
  lineGraphAdjacency,
  lineGraphSpectrum,
  normalizedLaplacian,
  symEig,
} from "./spectrum.ts";

Deno.test("line graph of a star is complete, of a path is a path", () => {
  const star = lineGraphAdjacency(graphFromEdges(4, [[0, 1], [0, 2], [0, 3]]));
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) assert.equal(star[i * 3 + j], i === j ? 0 : 1);
  }
  const path = lineGraphAdjacency(graphFromEdges(4, [[0, 1], [1, 2], [2, 3]]));
  assert.deepEqual([...path], [0, 1, 0, 1, 0, 1, 0, 1, 0]);
});

Deno.test("normalised Laplacian spectrum of a cycle line graph: 1 − cos(2πk/m)", () => {
  // the line graph of the 6-cycle is the 6-cycle
  const g = graphFromEdges(6, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [0, 5]]);
  const e = lineGraphSpectrum(g);
  const expected = [0, 1, 2, 3, 4, 5].map((k) => 1 - Math.cos((2 * Math.PI * k) / 6)).sort((a, b) =>
    a - b
  );
  for (let i = 0; i < 6; i++) {
    assert.ok(
      Math.abs(e.values[i] - expected[i]) < 1e-12,
      `λ${i} = ${e.values[i]} vs ${expected[i]}`,
    );
  }
});

Deno.test("Float64 eigen-decomposition is exact to 1e-12 on random line graphs", () => {
  const rng = new Rng(4);
  for (let i = 0; i < 40; i++) {
    const g = sampleGraph(rng, { sampler: "paper", nMax: 10 });
    const m = g.edges.length;
    const lap = normalizedLaplacian(lineGraphAdjacency(g), m);
    const e = symEig(lap, m);
    const r = eigResidual(lap, e);
    assert.ok(r < 1e-12, `graph ${i} (m = ${m}): residual ${r}`);
    assert.ok(
      Math.abs(e.values[0]) < 1e-12 && e.values[1] > 1e-9,
      `connected L(G): ${e.values[1]}`,
    );
    for (let j = 1; j < m; j++) {
      assert.ok(e.values[j] >= e.values[j - 1] && e.values[j] <= 2 + 1e-12);
    }
  }
});

Deno.test("edge embeddings: dimensions, weights and the flat control's equidistance", () => {
  const rng = new Rng(8);
  const g = sampleGraph(rng, { sampler: "paper", nMin: 7, nMax: 7 });
  const m = g.edges.length;
  const eig = lineGraphSpectrum(g);
  assert.equal(edgeEmbedding(eig, { kind: "first", k: 3 }).dim, 3);
  assert.equal(edgeEmbedding(eig, { kind: "invsqrt" }).dim, m - 1);
  assert.equal(edgeEmbedding(eig, { kind: "heat", t: 1 }).dim, m);
  const flat = edgeEmbedding(eig, { kind: "flat" });
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      let s = 0;
      for (let c = 0; c < m; c++) s += (flat.coords[a * m + c] - flat.coords[b * m + c]) ** 2;
      assert.ok(Math.abs(s - 2) < 1e-10, `‖v_${a} − v_${b}‖² = ${s}`);
    }
  }
  const inv = edgeEmbedding(eig, { kind: "invsqrt" });
  const v1 = eig.vectors[0 * m + 1] / Math.sqrt(eig.values[1]);
  assert.ok(Math.abs(inv.coords[0] - v1) < 1e-15);
});

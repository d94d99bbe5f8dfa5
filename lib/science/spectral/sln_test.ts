import assert from "node:assert/strict";
import { Rng } from "../math/rng.ts";
import { allDistances, graphFromEdges, isShortestPath, sampleGraph } from "./graph.ts";
import { edgeEmbedding, lineGraphSpectrum } from "./spectrum.ts";
import { slnAllPairs, slnHop, slnPath, slnScores } from "./sln.ts";

Deno.test("SLN on a path and a cycle finds the shortest paths", () => {
  const path = graphFromEdges(5, [[0, 1], [1, 2], [2, 3], [3, 4]]);
  const cyc = graphFromEdges(7, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6], [0, 6]]);
  for (const g of [path, cyc]) {
    const emb = edgeEmbedding(lineGraphSpectrum(g), { kind: "invsqrt" });
    const st = slnAllPairs(g, emb);
    assert.equal(st.optimal, st.pairs, `optimal ${st.optimal}/${st.pairs}`);
  }
});

Deno.test("an adjacent target is reached in one step (its own edge is at distance 0)", () => {
  const rng = new Rng(3);
  for (let i = 0; i < 30; i++) {
    const g = sampleGraph(rng, { sampler: "paper", nMax: 9 });
    const eig = lineGraphSpectrum(g);
    const full = edgeEmbedding(eig, { kind: "invsqrt" });
    const k3 = edgeEmbedding(eig, { kind: "first", k: 3 });
    for (const [u, v] of g.edges) {
      const h = slnHop(g, slnScores(g, full, v), u);
      assert.equal(h.next, v, `graph ${i}: ${u} → ${v} went to ${h.next}`);
      // a truncated embedding can give two edges the same coordinates: then it is a tie
      const h3 = slnHop(g, slnScores(g, k3, v), u);
      assert.ok(h3.next === v || h3.tied, `graph ${i}, k = 3: ${u} → ${v} went to ${h3.next}`);
    }
  }
});

Deno.test("ties go to the lowest label and are counted", () => {
  // every edge has the same coordinates: every decision is a tie
  const g = graphFromEdges(4, [[0, 1], [0, 2], [1, 3], [2, 3]]);
  const emb = { dim: 1, coords: new Float64Array(4) };
  const h = slnHop(g, slnScores(g, emb, 3), 0);
  assert.deepEqual(h, { next: 1, tied: true });
});

Deno.test("a loop is reported as not reached, and no-revisit avoids it", () => {
  // the commute-time SLN loops 5 ⇄ 6 towards 2 on this graph (checked against networkx)
  const g = graphFromEdges(10, [
    [0, 1],
    [0, 6],
    [0, 7],
    [0, 8],
    [0, 9],
    [1, 8],
    [1, 9],
    [2, 4],
    [2, 7],
    [3, 4],
    [3, 7],
    [4, 9],
    [5, 6],
    [5, 8],
    [7, 8],
    [7, 9],
    [8, 9],
  ]);
  const emb = edgeEmbedding(lineGraphSpectrum(g), { kind: "invsqrt" });
  const plain = slnPath(g, emb, 5, 2);
  assert.deepEqual(plain.path, [5, 6]);
  assert.ok(!plain.reached);
  const nr = slnPath(g, emb, 5, 2, "no-revisit");
  assert.ok(nr.reached, `no-revisit path ${nr.path}`);
});

Deno.test("slnAllPairs agrees with walking every pair with slnPath", () => {
  const rng = new Rng(9);
  for (const rule of ["plain", "no-revisit"] as const) {
    for (let i = 0; i < 25; i++) {
      const g = sampleGraph(rng, { sampler: "mixed", nMax: 9 });
      const emb = edgeEmbedding(lineGraphSpectrum(g), { kind: "first", k: 2 });
      const st = slnAllPairs(g, emb, rule);
      const d = allDistances(g);
      let optimal = 0;
      let reached = 0;
      let far = 0;
      for (let s = 0; s < g.n; s++) {
        for (let t = 0; t < g.n; t++) {
          if (s === t) continue;
          const r = slnPath(g, emb, s, t, rule);
          if (r.reached) reached++;
          if (r.reached && isShortestPath(g, r.path, s, t)) optimal++;
          if (d[s * g.n + t] >= 2) far++;
        }
      }
      assert.equal(st.pairs, g.n * (g.n - 1));
      assert.equal(st.optimal, optimal, `${rule} graph ${i}: optimal`);
      assert.equal(st.reached, reached, `${rule} graph ${i}: reached`);
      assert.equal(st.pairsFar, far);
    }
  }
});

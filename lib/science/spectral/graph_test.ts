import assert from "node:assert/strict";
import { Rng } from "../math/rng.ts";
import {
  allDistances,
  bfsDistances,
  CONNECTED_GRAPH_COUNTS,
  graphFromEdges,
  isConnected,
  isShortestPath,
  randomShortestPath,
  relabel,
  sampleGraph,
  wlHash,
} from "./graph.ts";

Deno.test("graphFromEdges normalises, indexes edges and rejects bad input", () => {
  const g = graphFromEdges(4, [[3, 2], [0, 1], [2, 0]]);
  assert.deepEqual(g.edges, [[0, 1], [0, 2], [2, 3]]);
  assert.deepEqual(g.adj, [[1, 2], [0], [0, 3], [2]]);
  assert.equal(g.edgeId[3 * 4 + 2], 2);
  assert.equal(g.edgeId[1 * 4 + 3], -1);
  assert.throws(() => graphFromEdges(3, [[0, 0]]));
  assert.throws(() => graphFromEdges(3, [[0, 1], [1, 0]]));
});

Deno.test("BFS distances on a 6-cycle with a chord", () => {
  const g = graphFromEdges(6, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 0], [0, 3]]);
  assert.deepEqual([...bfsDistances(g, 0)], [0, 1, 2, 1, 2, 1]);
  const d = allDistances(g);
  for (let s = 0; s < 6; s++) for (let t = 0; t < 6; t++) assert.equal(d[s * 6 + t], d[t * 6 + s]);
  assert.ok(isConnected(g));
  assert.ok(!isConnected(graphFromEdges(4, [[0, 1], [2, 3]])));
});

Deno.test("isShortestPath accepts every shortest path and nothing else", () => {
  const g = graphFromEdges(4, [[0, 1], [1, 2], [2, 3], [0, 3]]);
  assert.ok(isShortestPath(g, [0, 1, 2], 0, 2));
  assert.ok(isShortestPath(g, [0, 3, 2], 0, 2));
  assert.ok(!isShortestPath(g, [0, 2], 0, 2), "not an edge");
  assert.ok(!isShortestPath(g, [0, 1, 2, 3], 0, 3), "too long");
  assert.ok(!isShortestPath(g, [1, 2], 0, 2), "wrong start");
  assert.ok(!isShortestPath(g, [0, 9], 0, 9), "out of range");
  assert.ok(!isShortestPath(g, [], 0, 2));
});

Deno.test("randomShortestPath is uniform over the shortest paths", () => {
  // 0 → 3 in the 4-cycle 0-1-3-2-0 plus 0-4-5-3: two paths of length 2, one of 3
  const g = graphFromEdges(6, [[0, 1], [1, 3], [0, 2], [2, 3], [0, 4], [4, 5], [5, 3]]);
  const rng = new Rng(5);
  const counts = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const p = randomShortestPath(g, 0, 3, rng);
    assert.ok(isShortestPath(g, p, 0, 3), `not shortest: ${p}`);
    counts.set(p.join(), (counts.get(p.join()) ?? 0) + 1);
  }
  assert.equal(counts.size, 2);
  for (const [p, c] of counts) assert.ok(Math.abs(c / 4000 - 0.5) < 0.04, `${p}: ${c}/4000`);
});

Deno.test("sampleGraph: connected, in range, n ∝ connected-graph counts for 'paper'", () => {
  const rng = new Rng(11);
  const byN = new Map<number, number>();
  let edgesAt10 = 0;
  let graphsAt10 = 0;
  for (let i = 0; i < 2000; i++) {
    const g = sampleGraph(rng, { sampler: "paper", nMin: 3, nMax: 8 });
    assert.ok(isConnected(g) && g.n >= 3 && g.n <= 8);
    byN.set(g.n, (byN.get(g.n) ?? 0) + 1);
  }
  const total = [3, 4, 5, 6, 7, 8].reduce((a, n) => a + CONNECTED_GRAPH_COUNTS[n], 0);
  const p8 = CONNECTED_GRAPH_COUNTS[8] / total;
  const f8 = (byN.get(8) ?? 0) / 2000;
  assert.ok(Math.abs(f8 - p8) < 0.03, `P(n = 8) = ${f8}, expected ${p8}`);
  for (let i = 0; i < 300; i++) {
    const g = sampleGraph(rng, { sampler: "paper", nMax: 10 });
    if (g.n === 10) (graphsAt10++, (edgesAt10 += g.edges.length));
  }
  const meanEdges = edgesAt10 / graphsAt10;
  assert.ok(Math.abs(meanEdges - 22.5) < 1, `mean edges at n = 10: ${meanEdges} (G(10, ½) ≈ 22.5)`);
  for (let i = 0; i < 300; i++) {
    const g = sampleGraph(rng, { sampler: "mixed", nMax: 10 });
    assert.ok(isConnected(g) && g.n >= 3 && g.n <= 10);
  }
  assert.throws(() => sampleGraph(rng, { sampler: "paper", nMax: 11 }));
});

Deno.test("wlHash is invariant under relabelling and separates simple classes", () => {
  const rng = new Rng(2);
  for (let i = 0; i < 50; i++) {
    const g = sampleGraph(rng, { sampler: "mixed", nMax: 8 });
    const perm = rng.shuffle(Array.from({ length: g.n }, (_, v) => v));
    assert.equal(wlHash(relabel(g, perm)), wlHash(g), `graph ${i}`);
  }
  const path = graphFromEdges(4, [[0, 1], [1, 2], [2, 3]]);
  const star = graphFromEdges(4, [[0, 1], [0, 2], [0, 3]]);
  const cycle = graphFromEdges(4, [[0, 1], [1, 2], [2, 3], [0, 3]]);
  assert.equal(new Set([wlHash(path), wlHash(star), wlHash(cycle)]).size, 3);
});

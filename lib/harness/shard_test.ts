import assert from "node:assert/strict";
import { assignShards } from "./shard.ts";

const cells = [9, 1, 1, 4, 2, 2, 7, 3, 3, 1, 5, 1].map((cost, i) => ({
  id: i % 2 ? "a/x" : "b/y",
  params: { i },
  cost,
}));
const load = (s: { cost: number }[]) => s.reduce((a, c) => a + c.cost, 0);

Deno.test("shards: every cell in exactly one shard, deterministic in any input order", () => {
  for (const n of [1, 2, 3, 5, 20]) {
    const shards = assignShards(cells, n);
    assert.equal(shards.length, n);
    const ids = shards.flat().map((c) => c.params.i).sort((a, b) => a - b);
    assert.deepEqual(ids, cells.map((c) => c.params.i));
    const reversed = assignShards([...cells].reverse(), n);
    assert.deepEqual(
      reversed.map((s) => s.map((c) => c.params.i).sort((a, b) => a - b)),
      shards.map((s) => s.map((c) => c.params.i).sort((a, b) => a - b)),
    );
  }
});

Deno.test("shards: balanced by cost (longest first), not by count", () => {
  const [a, b] = assignShards(cells, 2);
  assert.ok(Math.abs(load(a) - load(b)) <= 1, `${load(a)} vs ${load(b)}`);
  const [big, rest] = assignShards([
    { id: "p/q", params: { i: 0 }, cost: 10 },
    ...cells.slice(1, 4),
  ], 2);
  assert.deepEqual([big.length, rest.length], [1, 3]);
  assert.throws(() => assignShards(cells, 0), RangeError);
});

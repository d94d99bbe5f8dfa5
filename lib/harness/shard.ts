/**
 * Deterministic, cost-balanced shards of cells: the same cells always give the same
 * shards, in any order, on any machine, and each cell lands in exactly one shard.
 *
 * @module
 */

import { canonicalJson } from "./cache.ts";
import type { Params } from "./contract.ts";

/** What sharding needs of a cell. */
export interface ShardableCell {
  /** Replication id. */
  id: string;
  /** Parameters (with the id, they identify the cell independently of the code's hash). */
  params: Params;
  /** Relative cost (> 0). */
  cost: number;
}

/** FNV-1a 32-bit hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * Split cells into `count` shards by longest-processing-time-first: cells sorted by cost
 * (descending; ties by a hash of id and params, then by that text), each given to the
 * shard with the least cost so far (ties to the lowest index). The result keeps each
 * shard's cells in the input order.
 *
 * @example
 * ```ts
 * import { assignShards } from "./shard.ts";
 * import assert from "node:assert/strict";
 * const cells = [5, 1, 1, 1, 1, 1].map((cost, i) => ({ id: "a/b", params: { i }, cost }));
 * const [s1, s2] = assignShards(cells, 2);
 * assert.ok(s1.length + s2.length === 6);
 * assert.ok(Math.abs(s1.reduce((a, c) => a + c.cost, 0) - s2.reduce((a, c) => a + c.cost, 0)) <= 1);
 * ```
 */
export function assignShards<C extends ShardableCell>(cells: C[], count: number): C[][] {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`shard count ${count}`);
  const tagged = cells.map((c, i) => {
    const text = `${c.id}\0${canonicalJson(c.params)}`;
    return { c, i, text, h: fnv1a(text) };
  });
  const order = [...tagged].sort((a, b) =>
    b.c.cost - a.c.cost || a.h - b.h || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)
  );
  const load = new Array<number>(count).fill(0);
  const owner = new Array<number>(cells.length);
  for (const t of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s] < load[best]) best = s;
    load[best] += t.c.cost;
    owner[t.i] = best;
  }
  const shards: C[][] = Array.from({ length: count }, () => []);
  cells.forEach((c, i) => shards[owner[i]].push(c));
  return shards;
}

import assert from "node:assert/strict";
import { argminPermutation, nextPermutation, permutations } from "./permutation.ts";

Deno.test("permutations: lexicographic order like itertools.permutations", () => {
  const got = [...permutations(3)].map((p) => p.join(""));
  // each yielded array is the same object, so join immediately
  const seen: string[] = [];
  for (const p of permutations(3)) seen.push(p.join(""));
  assert.deepEqual(seen, ["012", "021", "102", "120", "201", "210"]);
  assert.equal(got.length, 6);
  let n = 0;
  for (const _ of permutations(6)) n++;
  assert.equal(n, 720);
  const zero: string[] = [];
  for (const p of permutations(0)) zero.push(p.join(""));
  assert.deepEqual(zero, [""]);
});

Deno.test("nextPermutation: last permutation returns false", () => {
  const p = [2, 1, 0];
  assert.equal(nextPermutation(p), false);
});

Deno.test("argminPermutation keeps the first strict minimum", () => {
  // cost depends only on p[0]: ties among permutations starting with the same digit
  const r = argminPermutation(4, (p) => (p[0] === 2 ? 0 : 1));
  assert.deepEqual(r.perm, [2, 0, 1, 3]);
  assert.equal(r.cost, 0);
  // NaN costs never win over a finite one
  const s = argminPermutation(3, (p) => (p[0] === 0 ? NaN : p[0]));
  assert.deepEqual(s.perm, [1, 0, 2]);
});

import assert from "node:assert/strict";
import { classDimension, cyclicGroup, dihedralGroup, isotypicProjectors } from "./groups.ts";

for (const g of [cyclicGroup(7), cyclicGroup(8), dihedralGroup(5), dihedralGroup(6)]) {
  Deno.test(`${g.name}: group axioms of the Cayley table`, () => {
    const M = g.order;
    for (let a = 0; a < M; a++) {
      assert.equal(g.mul[a * M + 0], a);
      assert.equal(g.mul[0 * M + a], a);
      assert.equal(g.mul[a * M + g.inv[a]], 0);
      for (let b = 0; b < M; b++) {
        for (let c = 0; c < M; c++) {
          assert.equal(g.mul[g.mul[a * M + b] * M + c], g.mul[a * M + g.mul[b * M + c]]);
        }
      }
    }
  });

  Deno.test(`${g.name}: isotypic projectors are orthogonal, idempotent and sum to I`, () => {
    const M = g.order;
    const Ps = isotypicProjectors(g);
    assert.equal(g.irreps.reduce((a, c) => a + classDimension(c), 0), M);
    const sum = new Float64Array(M * M);
    Ps.forEach((P, k) => {
      let trace = 0;
      for (let x = 0; x < M; x++) {
        trace += P[x * M + x];
        for (let y = 0; y < M; y++) {
          sum[x * M + y] += P[x * M + y];
          assert.ok(Math.abs(P[x * M + y] - P[y * M + x]) < 1e-12, "symmetric");
          let pp = 0;
          for (let z = 0; z < M; z++) pp += P[x * M + z] * P[z * M + y];
          assert.ok(Math.abs(pp - P[x * M + y]) < 1e-12, "idempotent");
        }
      }
      assert.ok(Math.abs(trace - classDimension(g.irreps[k])) < 1e-12, "trace = class dimension");
    });
    for (let x = 0; x < M; x++) {
      for (let y = 0; y < M; y++) assert.ok(Math.abs(sum[x * M + y] - (x === y ? 1 : 0)) < 1e-12);
    }
  });
}

Deno.test("dihedral group is non-abelian and has 2-dim irreps", () => {
  const g = dihedralGroup(5);
  const M = g.order;
  let commute = true;
  for (let a = 0; a < M; a++) {
    for (let b = 0; b < M; b++) if (g.mul[a * M + b] !== g.mul[b * M + a]) commute = false;
  }
  assert.equal(commute, false);
  assert.deepEqual(g.irreps.map((c) => c.dim), [1, 1, 2, 2]);
});

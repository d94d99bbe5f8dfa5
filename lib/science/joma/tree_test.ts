import assert from "node:assert/strict";
import {
  activationChannel,
  exactCooccurrence,
  lcaHeight,
  monteCarloPaths,
  monteCarloTree,
  sampleLeaves,
} from "./tree.ts";
import { Rng } from "../math/rng.ts";

Deno.test("exactCooccurrence: ρ^H for the activation channel; the symmetric channel by hand", () => {
  for (const rho of [0.5, 0.9]) {
    for (let H = 1; H <= 6; H++) {
      const p = exactCooccurrence(activationChannel(rho), 6, H);
      assert.ok(Math.abs(p - rho ** H) < 1e-15, `ρ ${rho}, H ${H}: ${p}`);
    }
  }
  // symmetric channel with flip ε, L = H = 1: root on, P(l=1|m=1) = P(l=1) = 1 − ε
  const e = 0.1;
  const p = exactCooccurrence({ p01: e, p11: 1 - e }, 1, 1);
  assert.ok(Math.abs(p - (1 - e)) < 1e-15, `${p}`);
});

Deno.test("lcaHeight and sampleLeaves: tree layout", () => {
  assert.equal(lcaHeight(0, 7, 2), 3);
  assert.equal(lcaHeight(5, 5, 2), 0);
  assert.equal(lcaHeight(0, 2, 3), 1);
  assert.equal(lcaHeight(0, 3, 3), 2);
  const rng = new Rng(1);
  const off = sampleLeaves(activationChannel(0), 3, 2, rng);
  assert.equal(off.length, 9);
  assert.ok(off.every((x) => x === 0));
});

Deno.test("Monte Carlo: whole-tree and path samplers agree with ρ^H", () => {
  const ch = activationChannel(0.8);
  const tree = monteCarloTree(ch, 2, 5, 40000, new Rng(7));
  for (let H = 1; H <= 5; H++) {
    const { m, both } = tree[H - 1];
    const p = 0.8 ** H, se = Math.sqrt(p * (1 - p) / m);
    assert.ok(Math.abs(both / m - p) < 4 * se, `tree H ${H}: ${both / m} vs ${p}`);
    const path = monteCarloPaths(ch, 5, H, 40000, new Rng(8 + H));
    const se2 = Math.sqrt(p * (1 - p) / path.m);
    assert.ok(Math.abs(path.both / path.m - p) < 4 * se2, `paths H ${H}: ${path.both / path.m}`);
  }
});

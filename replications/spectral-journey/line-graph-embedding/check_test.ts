import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** Rows of one seed: trained and untrained (two readouts each) and the two controls. */
function seedRows(seed: number, acc: number, rhoTrained: number, rhoUntrained: number): Row[] {
  const corr = (k3: number) => ({
    corr_k1: k3 - 0.2,
    corr_k2: k3 - 0.1,
    corr_k3: k3,
    corr_k4: k3,
    corr_k5: k3,
  });
  const base = { seed, n_max: 6, width: 32, heads: 1, graphs: 48 };
  return [
    {
      ...base,
      model: "untrained",
      readout: "second",
      path_acc: 0,
      path_acc_far: 0,
      ...corr(rhoUntrained),
    },
    { ...base, model: "untrained", readout: "edge", path_acc: 0, path_acc_far: 0, ...corr(0.5) },
    {
      ...base,
      model: "trained",
      readout: "second",
      path_acc: acc,
      path_acc_far: acc,
      ...corr(rhoTrained),
    },
    // the edge readout is reported, not checked
    { ...base, model: "trained", readout: "edge", path_acc: acc, path_acc_far: acc, ...corr(0.2) },
    {
      ...base,
      model: "endpoint-sum",
      readout: "none",
      path_acc: NaN,
      path_acc_far: NaN,
      ...corr(0.93),
    },
    { ...base, model: "random", readout: "none", path_acc: NaN, path_acc_far: NaN, ...corr(0.56) },
  ];
}

Deno.test("check: REPRODUCED when accurate, ρ₃ > 0.9 and ≥ 0.1 above untrained on every seed", () => {
  const r = check([...seedRows(1, 0.97, 0.95, 0.7), ...seedRows(2, 0.95, 0.93, 0.75)], "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("check: one bad seed is enough to fail an item", () => {
  const r = check([...seedRows(1, 0.97, 0.95, 0.7), ...seedRows(2, 0.95, 0.88, 0.75)], "quick");
  assert.equal(r.verdict, "PARTIAL");
  assert.ok(!r.items[1].pass && r.items[2].pass);
});

Deno.test("check: NOT REPRODUCED when the correlation is no better than untrained and ≤ 0.9", () => {
  const r = check(seedRows(1, 0.6, 0.853, 0.866), "quick");
  assert.equal(r.verdict, "NOT REPRODUCED");
  // high correlation that the untrained model already has is still not the claim
  const r2 = check(seedRows(1, 0.99, 0.95, 0.92), "quick");
  assert.equal(r2.verdict, "PARTIAL");
  assert.ok(r2.items[1].pass && !r2.items[2].pass);
});

Deno.test("check: the path-accuracy bound depends on the profile; ρ > 0.9 is strict", () => {
  const rows = seedRows(1, 0.95, 0.95, 0.7);
  assert.equal(check(rows, "quick").verdict, "REPRODUCED");
  assert.equal(check(rows, "full").verdict, "PARTIAL");
  assert.equal(check(seedRows(1, 0.99, 0.9, 0.7), "full").verdict, "PARTIAL");
});

Deno.test("check: NaN never passes", () => {
  const r = check(seedRows(1, NaN, NaN, 0.5), "quick");
  assert.equal(r.verdict, "NOT REPRODUCED");
  assert.ok(r.items.every((i) => !i.pass));
});

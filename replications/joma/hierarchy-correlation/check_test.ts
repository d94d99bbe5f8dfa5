import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check, PRIMARY, VARIANTS } from "./replication.ts";

/** Rows of one cell: init and trained scores for layers 0–2 (all variants equal). */
function cellRows(
  config: string,
  seed: number,
  init: [number, number],
  trained: [number, number],
  accuracy = 1,
): Row[] {
  const rows: Row[] = [];
  for (const [phase, s01] of [["init", init], ["trained", trained]] as const) {
    for (const layer of [0, 1, 2]) {
      const v = layer < 2 ? s01[layer] : 0.5;
      const row: Row = { config, seed, phase, layer, accuracy: phase === "init" ? 0 : accuracy };
      for (const c of VARIANTS) (row[c] = v), (row[`chance_${c}`] = 0.5);
      rows.push(row);
    }
  }
  return rows;
}

/** The paper's assertion: well above init, s0 ≥ s1, in Table 1's ranges. */
const good = (): Row[] => [
  ...cellRows("A", 1, [0.8, 0.4], [0.97, 0.65]),
  ...cellRows("A", 2, [0.82, 0.42], [0.99, 0.7]),
  ...cellRows("B", 1, [0.75, 0.35], [0.95, 0.58]),
];

Deno.test("check: the paper's assertion passes at quick and full scale", () => {
  for (const profile of ["quick", "full"] as const) {
    const r = check(good(), profile);
    assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
    assert.match(r.ourValue, /pearson_active/);
  }
  assert.equal(check(good(), "quick").items.length, 4);
  assert.equal(check(good(), "full").items.length, 6);
});

Deno.test("check: a network no better than its initialisation fails the baseline items", () => {
  const rows = [
    ...cellRows("A", 1, [0.97, 0.62], [0.98, 0.64]),
    ...cellRows("B", 1, [0.96, 0.6], [0.95, 0.61]),
  ];
  const r = check(rows, "quick");
  assert.equal(r.verdict, "PARTIAL");
  assert.ok(!r.items[0].pass && !r.items[1].pass && r.items[2].pass);
});

Deno.test("check: s = 1 above s = 0 in one configuration fails the ordering", () => {
  const rows = [...good(), ...cellRows("C", 1, [0.3, 0.2], [0.6, 0.7])];
  const r = check(rows, "quick");
  assert.ok(!r.items[2].pass, r.items[2].measured);
  assert.equal(r.verdict, "PARTIAL");
});

Deno.test("check: at full scale a configuration outside Table 1's range fails", () => {
  const low = [...good(), ...cellRows("C", 1, [0.7, 0.3], [0.85, 0.45])];
  const r = check(low, "full");
  assert.ok(!r.items[4].pass && !r.items[5].pass);
  assert.equal(r.verdict, "PARTIAL");
  assert.equal(check(low, "quick").verdict, "REPRODUCED"); // ranges are asserted at full only
});

Deno.test("check: an unfitted model fails the precondition; every core item failing is NOT REPRODUCED", () => {
  const unfit = good().map((r) => (r.phase === "trained" ? { ...r, accuracy: 0.9 } : r));
  assert.ok(!check(unfit, "quick").items[3].pass);
  const bad = [...cellRows("A", 1, [0.5, 0.6], [0.45, 0.62])]; // no gain, s1 > s0
  assert.equal(check(bad, "quick").verdict, "NOT REPRODUCED");
});

Deno.test("check: NaN scores never pass", () => {
  const rows = good().map((r) => (r.phase === "trained" ? { ...r, [PRIMARY]: NaN } : r));
  for (const profile of ["quick", "full"] as const) {
    const r = check(rows, profile);
    assert.notEqual(r.verdict, "REPRODUCED");
    assert.ok(!r.items[0].pass && !r.items[1].pass && !r.items[2].pass);
  }
  assert.notEqual(check([], "quick").verdict, "REPRODUCED");
});

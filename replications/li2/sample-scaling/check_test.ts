import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check, crossing } from "./replication.ts";

/** n* rows of both criteria with n* / (M ln M) = c(M) (NaN: no crossing). */
function rows(energy: (M: number) => number, train: (M: number) => number): Row[] {
  const out: Row[] = [];
  for (const M of [23, 41, 71, 127]) {
    out.push({
      seed: -1,
      criterion: "energy",
      M,
      mult: energy(M),
      n: energy(M) * M * Math.log(M),
      value: NaN,
      aux: NaN,
      part: "nstar",
    });
  }
  for (const M of [13, 17, 19, 23]) {
    out.push({
      seed: -1,
      criterion: "train",
      M,
      mult: train(M),
      n: train(M) * M * Math.log(M),
      value: NaN,
      aux: NaN,
      part: "nstar",
    });
  }
  return out;
}

Deno.test("li2/sample-scaling crossing: first crossing of ½, interpolated in ln mult", () => {
  assert.ok(Math.abs(crossing([2, 4], [0, 1]) - Math.sqrt(8)) < 1e-12);
  assert.ok(Number.isNaN(crossing([2, 4, 8], [0, 0.2, 0.4])));
});

Deno.test("li2/sample-scaling check: passes when n* = c·M ln M with the code's c", () => {
  const r = check(rows(() => 3, () => 3));
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("li2/sample-scaling check: fails when n* grows like M² or has no crossing", () => {
  const squared = check(rows((M) => 0.3 * M / Math.log(M), () => 3));
  assert.equal(squared.verdict, "PARTIAL");
  assert.ok(!squared.items[1].pass);
  const none = check(rows(() => NaN, () => NaN));
  assert.equal(none.verdict, "NOT REPRODUCED");
  // the training boundary far from 2.7482·M ln M
  assert.equal(check(rows(() => 3, () => 8)).verdict, "PARTIAL");
});

Deno.test("li2/sample-scaling check: NaN never passes", () => {
  const nan = rows(() => 3, () => 3).map((r) => ({ ...r, n: NaN }));
  assert.equal(check(nan).verdict, "NOT REPRODUCED");
});

Deno.test("sample-scaling: summarize finds the first crossing of ½ per (criterion, M), seed means", async () => {
  const { summarize } = await import("./replication.ts");
  const grid = (criterion: string, M: number, mult: number, seed: number, value: number): Row => ({
    seed,
    criterion,
    M,
    mult,
    n: Math.round(mult * M * Math.log(M)),
    value,
    aux: 1,
    part: "grid",
  });
  const rows = [
    grid("train", 13, 2, 0, 0.1),
    grid("train", 13, 2, 1, 0.3),
    grid("train", 13, 4, 0, 0.9),
    grid("train", 13, 4, 1, 0.7),
    grid("energy", 23, 3, -1, 0.2),
    grid("energy", 23, 6, -1, 0.4),
  ];
  const out = summarize(rows);
  const train = out.find((r) => r.criterion === "train")!;
  // seed means 0.2 → 0.8: halfway in ln mult between 2 and 4
  assert.ok(Math.abs((train.mult as number) - Math.sqrt(8)) < 1e-12);
  assert.ok(Number.isNaN(out.find((r) => r.criterion === "energy")!.mult as number), "no crossing");
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** Synthetic restarts on Z_12 and D_5 ending at Theorem 2's maxima (Nyquist / 2-dim irreps). */
function rows(over: Partial<Row> = {}): Row[] {
  const out: Row[] = [];
  const add = (group: string, family: string, M: number, cls: string, dim: number, e: number) =>
    out.push({
      group,
      family,
      M,
      restart: out.length,
      top_class: cls,
      dim,
      kind: "real",
      concentration: 1,
      energy: e,
      predicted: e,
      rel_err: 0,
      energy_over_M: e / M,
      iters: 100,
      converged: 1,
      perturbed_gain: 0,
      ...over,
    });
  add("Z_12", "cyclic", 12, "k=1", 1, 12 / 16);
  add("Z_12", "cyclic", 12, "k=6", 1, 12 / 8);
  add("D_5", "dihedral", 10, "ρ1", 1, 10 / 8);
  add("D_5", "dihedral", 10, "ρ2", 2, 10 / 16);
  return out;
}

Deno.test("li2/energy-maxima check: passes when every maximum is an irrep at E*", () => {
  const r = check(rows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
  assert.equal(r.items.length, 4);
});

Deno.test("li2/energy-maxima check: fails on a spread maximum or a missing Nyquist feature", () => {
  assert.notEqual(check(rows({ concentration: 0.6 })).verdict, "REPRODUCED");
  assert.notEqual(check(rows({ perturbed_gain: 1e-3 })).verdict, "REPRODUCED");
  const noNyquist = rows().filter((r) => r.top_class !== "k=6");
  const r = check(noNyquist);
  assert.notEqual(r.verdict, "REPRODUCED");
  assert.equal(r.items.filter((i) => !i.pass).length, 1);
});

Deno.test("li2/energy-maxima check: NaN never passes", () => {
  const r = check(rows({ energy: NaN, concentration: NaN, rel_err: NaN }));
  assert.equal(r.verdict, "NOT REPRODUCED");
});

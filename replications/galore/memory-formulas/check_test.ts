import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

function rows(opts: { held?: number; gap?: number; measured?: number[] } = {}): Row[] {
  const out: Row[] = [];
  for (const method of ["full", "galore", "lora"]) {
    out.push({ part: "count", method, m: 8, n: 4, r: 2, held_total: 96, formula_total: 96 });
  }
  out[1].held_total = opts.held ?? 96;
  for (const quantity of ["total", "weights", "states"]) {
    out.push({ part: "table2", size: "60M", method: "galore", quantity, gap_pct: opts.gap ?? 2 });
  }
  out.push({ part: "7b", kind: "estimate", ours_GB: 13.5, paper_GB: 13.5, gap_pct: opts.gap ?? 0 });
  const ours = opts.measured ?? [27, 28, 39];
  [28, 29, 40].forEach((paper, i) => {
    out.push({ part: "7b", kind: "measured", ours_GB: ours[i], paper_GB: paper, gap_pct: 0 });
  });
  return out;
}

Deno.test("memory-formulas check: exact counts and close estimates reproduce the claim", () => {
  const r = check(rows(), "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("memory-formulas check: one float off the formula fails the core item", () => {
  const r = check(rows({ held: 97 }), "quick");
  assert.equal(r.items[0].pass, false);
  assert.equal(r.verdict, "NOT REPRODUCED");
});

Deno.test("memory-formulas check: published estimates 15 % off give PARTIAL", () => {
  const r = check(rows({ gap: -15 }), "quick");
  assert.equal(r.verdict, "PARTIAL");
  assert.equal(r.items[1].pass, false);
  assert.equal(r.items[3].pass, false);
});

Deno.test("memory-formulas check: a wrong order or an estimate above a measurement fails", () => {
  assert.equal(check(rows({ measured: [29, 28, 39] }), "quick").items[4].pass, false);
  assert.equal(check(rows({ measured: [27, 28, 45] }), "quick").items[4].pass, false);
});

Deno.test("memory-formulas check: NaN never passes", () => {
  const r = check(rows({ gap: NaN, measured: [NaN, 28, 39] }), "quick");
  assert.equal(r.items[1].pass, false);
  assert.equal(r.items[4].pass, false);
  const c = rows();
  c[0].held_total = NaN;
  assert.equal(check(c, "quick").items[0].pass, false);
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check, pool } from "./replication.ts";

/** Rows of one cell for the asserted variant (and a distractor) with the given rates. */
function rows(opt: number, unreached: number, graphs = 12000, resid = 1e-14): Row[] {
  const pairs = 90 * graphs;
  const base = {
    sampler: "paper",
    n_max: 10,
    batch: 0,
    seed: 1000,
    rule: "plain",
    graphs,
    pairs,
    pairs_far: pairs / 2,
    w_far: graphs / 2,
    tied_hops: 10,
    hops: pairs,
    eig_resid: resid,
  };
  const variant = (embedding: string, o: number, u: number): Row => ({
    ...base,
    embedding,
    w_opt: o * graphs,
    w_opt_far: (o - 0.5) * graphs,
    w_reach: (1 - u / pairs) * graphs,
    reached: pairs - u,
  });
  return [
    variant("invsqrt", opt, unreached),
    variant("first-1", 0.85, 5000),
    variant("first-3", 0.97, 900),
    variant("heat-1", 0.999, 0),
  ];
}

Deno.test("check: REPRODUCED when > 99 % optimal and every pair reached", () => {
  const r = check(rows(0.995, 0), "full");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("check: PARTIAL when optimal but some walks loop", () => {
  const r = check(rows(0.998, 3), "full");
  assert.equal(r.verdict, "PARTIAL");
  assert.ok(!r.items[1].pass && r.items[0].pass);
});

Deno.test("check: NOT REPRODUCED at ≤ 99 % optimal (only the asserted variant counts)", () => {
  const r = check(rows(0.985, 0), "full");
  assert.equal(r.verdict, "NOT REPRODUCED");
  assert.equal(check(rows(0.99, 0), "full").verdict, "NOT REPRODUCED", "the bound is strict");
});

Deno.test("check: too few graphs in the full profile, or a bad eigensolver, fail", () => {
  assert.equal(check(rows(0.995, 0, 5000), "full").verdict, "PARTIAL");
  assert.equal(check(rows(0.995, 0, 5000), "quick").verdict, "REPRODUCED");
  assert.equal(check(rows(0.995, 0, 12000, 1e-6), "full").verdict, "PARTIAL");
});

Deno.test("check: NaN rates never pass", () => {
  const r = check(rows(NaN, 0), "full");
  assert.equal(r.verdict, "NOT REPRODUCED");
});

Deno.test("pool weighs graphs equally across cells", () => {
  const a = rows(0.99, 0, 1000);
  const b = rows(0.97, 0, 3000).map((r) => ({ ...r, batch: 1 }));
  const p = pool([...a, ...b], { embedding: "invsqrt" });
  assert.ok(Math.abs(p.optimal - (0.99 * 1000 + 0.97 * 3000) / 4000) < 1e-12);
  assert.equal(p.graphs, 4000);
});

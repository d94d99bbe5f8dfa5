import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check, trajectories } from "./replication.ts";

/** Lemma rows (sr falling from 5 to `final`, bound 1 + 100·0.5^k) and MLP rows (sr `early` → `late`). */
function rows(
  opts: { final?: number; overBound?: boolean; early?: number; late?: number; weight?: number } =
    {},
): Row[] {
  const out: Row[] = [];
  for (let k = 0; k <= 10; k++) {
    const sr = k === 10 ? (opts.final ?? 1.01) : 1 + 4 * 0.5 ** k;
    const bound = opts.overBound && k === 5 ? 1.001 : 1 + 100 * 0.5 ** k;
    out.push({
      setting: "linear (Lemma)",
      seed: 0,
      matrix: "W 16×32",
      step: k * 10,
      frac: k / 10,
      grad_sr: sr,
      bound,
    });
  }
  for (const matrix of ["W1 64×32", "W2 64×64", "W3 10×64"]) {
    for (let k = 0; k <= 10; k++) {
      const sr = k === 0 ? (opts.early ?? 8) : (opts.late ?? 2);
      out.push({
        setting: "MLP mse, full batch",
        seed: 0,
        matrix,
        step: k * 50,
        frac: k / 10,
        grad_sr: sr,
        weight_sr: opts.weight ?? 12,
      });
    }
  }
  return out;
}

Deno.test("gradient-low-rank check: a bound that holds and stable ranks that fall reproduce", () => {
  const r = check(rows(), "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("gradient-low-rank check: a record above the Lemma's bound fails the core item", () => {
  const r = check(rows({ overBound: true }), "quick");
  assert.equal(r.items[0].pass, false);
  assert.notEqual(r.verdict, "REPRODUCED");
});

Deno.test("gradient-low-rank check: a Lemma run that does not reach sr(G∥) = 1 fails", () => {
  assert.equal(check(rows({ final: 1.5 }), "quick").items[1].pass, false);
});

Deno.test("gradient-low-rank check: MLP stable ranks that rise give PARTIAL", () => {
  const r = check(rows({ early: 1.1, late: 9, weight: 12 }), "quick");
  assert.equal(r.items[2].pass, false);
  assert.equal(r.items[3].pass, false);
  assert.equal(r.verdict, "PARTIAL");
  assert.equal(check(rows({ weight: 1.5 }), "quick").items[4].pass, false);
});

Deno.test("gradient-low-rank check: NaN never passes", () => {
  const r = check(rows({ final: NaN, early: NaN, late: NaN, weight: NaN }), "quick");
  assert.equal(r.items[1].pass, false);
  assert.equal(r.items[2].pass, false);
  assert.equal(r.items[3].pass, false);
  assert.equal(r.items[4].pass, false);
});

Deno.test("trajectories: early = step 0, late = mean over the last 20 %", () => {
  const t = trajectories(rows({ early: 8, late: 2 }).filter((r) => r.matrix === "W1 64×32"));
  assert.equal(t.length, 1);
  assert.equal(t[0].early, 8);
  assert.equal(t[0].late, 2);
});

Deno.test("gradient-low-rank check: the transformer item (full profile) needs a halving", () => {
  const lm = (late: number): Row[] =>
    [0, 1, 2, 3, 4, 5].map((k) => ({
      setting: "transformer (Brown, Adam)",
      seed: 0,
      matrix: "layers.0.attn.q 64×64",
      step: k * 100,
      frac: k / 5,
      grad_sr: k === 0 ? 10 : late,
    }));
  const pass = check([...rows(), ...lm(3)], "full");
  assert.equal(pass.items.length, 6);
  assert.equal(pass.items[5].pass, true);
  assert.equal(check([...rows(), ...lm(9)], "full").items[5].pass, false);
  assert.equal(check(rows(), "full").items.length, 5);
});

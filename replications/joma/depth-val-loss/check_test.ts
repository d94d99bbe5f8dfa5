import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { AUTHOR_VAL, check } from "./replication.ts";

/** Validation curves per (depth, seed): falling to best[depth] + offset[seed] at the end. */
function rows(best: Record<number, number>, offsets = [-0.01, 0, 0.01]): Row[] {
  const out: Row[] = [];
  for (const [d, b] of Object.entries(best)) {
    offsets.forEach((o, s) => {
      for (const step of [0, 50, 100, 150]) {
        out.push({
          source: "ours",
          depth: Number(d),
          seed: s + 1,
          step,
          val_loss: step === 0 ? 6.9 : b + o + (150 - step) / 100,
          train_loss: 5,
        });
      }
    });
  }
  out.push({ source: "authors", depth: 2, seed: -1, step: -1, val_loss: AUTHOR_VAL[2] });
  return out;
}

Deno.test("depth-val-loss: deeper is better by more than the spread", () => {
  assert.equal(check(rows({ 1: 4.2, 4: 4.1 }), "quick").verdict, "REPRODUCED");
  // the authors' own numbers pass at the full depths
  const r = check(
    rows({ 2: AUTHOR_VAL[2], 5: AUTHOR_VAL[5], 10: AUTHOR_VAL[10] }, [-0.002, 0, 0.001]),
    "full",
  );
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("depth-val-loss: a gap within the seed spread, or the wrong order, fails", () => {
  const within = check(rows({ 1: 4.2, 4: 4.185 }), "quick");
  assert.equal(within.verdict, "PARTIAL");
  assert.equal(within.items[1].pass, false);
  assert.equal(check(rows({ 1: 4.1, 4: 4.2 }), "quick").verdict, "NOT REPRODUCED");
});

Deno.test("depth-val-loss: NaN or a single seed never passes", () => {
  assert.notEqual(check(rows({ 1: NaN, 4: 4.1 }), "quick").verdict, "REPRODUCED");
  assert.notEqual(check(rows({ 1: 4.2, 4: 4.0 }, [0]), "quick").verdict, "REPRODUCED");
});

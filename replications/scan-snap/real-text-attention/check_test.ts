import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { CEILING, check } from "./replication.ts";

/** Layer-0 (and layer-1) entropy curves from h0 to hEnd over 4 checkpoints, per depth. */
function rows(end: Record<number, number>, h0 = 2.55): Row[] {
  return [1, 3].flatMap((depth) =>
    [0, 100, 200, 300].flatMap((step, k) =>
      [0, 1].slice(0, depth === 1 ? 1 : 2).map((layer): Row => ({
        series: "entropy",
        depth,
        step,
        layer,
        entropy: layer === 1 ? 2.6 : h0 + (end[depth] - h0) * (k / 3),
        train_loss: 5,
        val_loss: 5,
      }))
    )
  ).concat([{ series: "attn", depth: 1, step: 0, layer: 0, i: 0, j: 0, value: 1 }]);
}

Deno.test("real-text-attention: sparse layer 0 at both depths passes", () => {
  assert.ok(Math.abs(CEILING - 2.632) < 5e-4);
  const r = check(rows({ 1: 1.4, 3: 1.8 }), "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("real-text-attention: a small drop or one depth failing is not a reproduction", () => {
  const small = check(rows({ 1: 2.3, 3: 2.2 }), "quick");
  assert.equal(small.verdict, "NOT REPRODUCED");
  const one = check(rows({ 1: 1.4, 3: 2.4 }), "quick");
  assert.equal(one.verdict, "PARTIAL");
  // a drop of 0.5 from a low start that stays above ceiling − 0.5 fails the second item
  const high = check(rows({ 1: 2.2, 3: 2.2 }, 2.7), "full");
  assert.notEqual(high.verdict, "REPRODUCED");
  assert.equal(high.items[1].pass, false);
});

Deno.test("real-text-attention: NaN or a missing depth never passes", () => {
  assert.notEqual(check(rows({ 1: NaN, 3: 1.5 }), "quick").verdict, "REPRODUCED");
  const only1 = rows({ 1: 1.4, 3: 1.4 }).filter((r) => r.depth === 1);
  assert.notEqual(check(only1, "quick").verdict, "REPRODUCED");
});

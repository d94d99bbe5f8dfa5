import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** d = 23 (11 frequencies), wd 1e-5 and 5e-4, 2 seeds: orders from `order(wd, seed, k)`. */
function rows(order: (wd: number, seed: number, k: number) => number): Row[] {
  return [1e-5, 5e-4].flatMap((wd) =>
    [1, 2].flatMap((seed) =>
      Array.from({ length: 11 }, (_, i) => ({
        d: 23,
        wd,
        seed,
        k: i + 1,
        order: order(wd, seed, i + 1),
        test_acc: 1,
        train_loss: 1e-4,
      }))
    )
  );
}

Deno.test("weight-decay-order: strong wd concentrating on order 4 → REPRODUCED", () => {
  const r = check(
    rows((wd, _s, k) => (wd === 1e-5 ? (k % 4 === 0 ? 7 : 6) : (k % 2 ? 4 : 6))),
    "quick",
  );
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("weight-decay-order: no shift, a shift within noise, or the wrong direction fail", () => {
  const same = check(rows((_wd, _s, k) => (k % 2 ? 4 : 6)), "quick");
  assert.equal(same.verdict, "NOT REPRODUCED");
  const noisy = check(
    rows((wd, s, k) => ((k + s) % 2 ? 4 : 6) + (wd === 1e-5 && k === 1 ? 2 : 0)),
    "quick",
  );
  assert.equal(noisy.verdict, "NOT REPRODUCED", "a 0.09 mean gap is far below 2 SE");
  const wrong = check(rows((wd, _s, k) => (wd === 5e-4 ? 6 : (k % 2 ? 4 : 6))), "quick");
  assert.equal(wrong.verdict, "NOT REPRODUCED");
  assert.ok(!wrong.items[1].pass, "an increase with wd is flagged");
  assert.notEqual(check(rows(() => NaN), "quick").verdict, "REPRODUCED");
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** Three seeds per learning rate with the given test accuracies and mean node energies. */
function rows(o: { testLo: number; testHi: number; eLo: number; eHi: number }): Row[] {
  const out: Row[] = [];
  for (const [lr, test, e] of [[0.002, o.testLo, o.eLo], [0.005, o.testHi, o.eHi]]) {
    for (let seed = 0; seed < 3; seed++) {
      out.push({
        lr,
        seed,
        M: 13,
        n: 84,
        train_acc: 1,
        test_acc: test,
        test_loss: 1,
        E_train_mean: e,
        E_train_wmean: e,
        E_train_max: e,
        E_full_mean: e,
        E_full_wmean: e,
        E_star: 13 / 16,
      });
    }
  }
  return out;
}

Deno.test("li2/memorization-boundary-lr check: passes on the slide's picture", () => {
  const r = check(rows({ testLo: 0.9, testHi: 0.2, eLo: 4.11, eHi: 4.4 }));
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("li2/memorization-boundary-lr check: fails when both memorise and E is reversed", () => {
  // the quick profile's finding: both learning rates memorise, lower E for lr 0.005
  const r = check(rows({ testLo: 0.26, testHi: 0.3, eLo: 1.29, eHi: 0.64 }));
  assert.equal(r.verdict, "PARTIAL");
  assert.deepEqual(r.items.map((i) => i.pass), [true, false, false]);
  assert.equal(check(rows({ testLo: 0.9, testHi: 0.8, eLo: 1, eHi: 2 })).verdict, "PARTIAL");
});

Deno.test("li2/memorization-boundary-lr check: NaN never passes", () => {
  const r = check(rows({ testLo: NaN, testHi: NaN, eLo: NaN, eHi: NaN }));
  assert.equal(r.verdict, "NOT REPRODUCED");
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** A quick-profile run (10,000 steps, orders at 9,900) as Fig. 3 shows it: 5 order-4 and 6 order-6 frequencies. */
function runRows(
  over: { finalAcc?: number; diag?: number; off?: number; r4?: number; r6?: number } = {},
): Row[] {
  const T = 9900, END = 10000, base = { k: -1, order: -1 };
  const rows: Row[] = [];
  for (const step of [0, 100, 199, END]) {
    const acc = step === 0 ? 0.04 : step === END ? (over.finalAcc ?? 1) : 1;
    rows.push({ series: "train_loss", step, ...base, value: step === 0 ? 0.97 : 1e-4 });
    rows.push({ series: "test_acc", step, ...base, value: acc });
  }
  rows.push({ series: "r_diag", step: 0, ...base, value: 0.02 });
  rows.push({ series: "r_diag", step: T, ...base, value: over.diag ?? 21.9 });
  rows.push({ series: "r_offdiag", step: 0, ...base, value: 0.02 });
  rows.push({ series: "r_offdiag", step: T, ...base, value: over.off ?? 0.01 });
  const orders = Array.from({ length: 11 }, (_, i) => (i < 5 ? 4 : 6));
  orders.forEach((order, i) => {
    const k = i + 1;
    rows.push({ series: "r_a_k_-k_k", step: 0, k, order, value: 0.1 });
    const v = order === 4 ? (over.r4 ?? 0.685) : (over.r6 ?? 0.02);
    rows.push({ series: "r_a_k_-k_k", step: T, k, order, value: v });
  });
  orders.forEach((order, i) =>
    rows.push({ series: "order", step: T, k: i + 1, order, value: order })
  );
  return rows;
}

Deno.test("training-curves: the check passes on Fig. 3's behaviour and fails on violations", () => {
  assert.equal(check(runRows(), "quick").verdict, "REPRODUCED");
  // an order-6 frequency still in transit (what 3,000 steps gave): PARTIAL
  const transit = check(runRows({ r6: 0.3 }), "quick");
  assert.equal(transit.verdict, "PARTIAL");
  assert.deepEqual(transit.items.map((i) => i.pass), [true, true, true, false]);
  // order-4 frequencies that did not grow
  assert.equal(check(runRows({ r4: 0.05 }), "quick").items[2].pass, false);
  // no generalisation and r far from its targets: every core item fails
  assert.equal(check(runRows({ finalAcc: 0.9, diag: 15 }), "quick").verdict, "NOT REPRODUCED");
  assert.equal(check(runRows({ off: 2 }), "quick").items[1].pass, false);
  // NaN does not pass
  assert.equal(check(runRows({ diag: NaN }), "quick").items[1].pass, false);
  assert.equal(check(runRows({ r6: NaN }), "quick").items[3].pass, false);
  assert.equal(check(runRows({ r4: NaN }), "quick").items[2].pass, false);
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { bestLoss, check } from "./replication.ts";

/** Final rows with the given losses (and a wrong-lr row per baseline that must be ignored). */
function rows(loss: Record<string, number>, opts: { ratio?: number; byT?: number[] } = {}): Row[] {
  const out: Row[] = [];
  const fin = (
    method: string,
    lr: number,
    T: number,
    valid_loss: number,
    target_state_floats: number,
  ) =>
    out.push({
      method,
      lr,
      T,
      seed: 0,
      kind: "final",
      step: 300,
      valid_loss,
      target_state_floats,
      galore_formula_ratio: 0.3,
    });
  fin("full", 0.005, 200, loss.full, 1000);
  fin("full", 0.001, 200, loss.full + 1, 1000);
  fin("galore", 0.01, 200, loss.galore, (opts.ratio ?? 0.3) * 1000);
  fin("lowrank", 0.01, 200, loss.lowrank, 500);
  fin("lora", 0.01, 200, loss.lora, 500);
  (opts.byT ?? []).forEach((l, i) => fin("galore", 0.01, [50, 500, 1000][i], l, 300));
  return out;
}

const PAPER_LIKE = { full: 4.0, galore: 4.05, lowrank: 4.6, lora: 4.1 };

Deno.test("toy-pretraining check: the paper's ordering reproduces (quick)", () => {
  const r = check(rows(PAPER_LIKE), "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("toy-pretraining check: GaLore 5 % worse than full-rank fails the core item", () => {
  const r = check(rows({ ...PAPER_LIKE, galore: 4.2 }), "quick");
  assert.equal(r.items[0].pass, false);
  assert.notEqual(r.verdict, "REPRODUCED");
});

Deno.test("toy-pretraining check: low-rank as good as GaLore, or LoRA better, fails", () => {
  assert.equal(check(rows({ ...PAPER_LIKE, lowrank: 4.06 }), "quick").items[1].pass, false);
  assert.equal(check(rows({ ...PAPER_LIKE, lora: 4.0 }), "quick").items[2].pass, false);
  assert.equal(
    check(rows({ full: 4, galore: 4.5, lowrank: 4.5, lora: 4.1 }), "quick").verdict,
    "NOT REPRODUCED",
  );
});

Deno.test("toy-pretraining check: a state ratio off the formula fails", () => {
  assert.equal(check(rows(PAPER_LIKE, { ratio: 0.31 }), "quick").items[3].pass, false);
});

Deno.test("toy-pretraining check: Fig. 5 flatness in the full profile", () => {
  assert.equal(check(rows(PAPER_LIKE, { byT: [4.06, 4.07, 4.1] }), "full").verdict, "REPRODUCED");
  const r = check(rows(PAPER_LIKE, { byT: [4.06, 4.07, 4.5] }), "full");
  assert.equal(r.items[4].pass, false);
});

Deno.test("toy-pretraining check: NaN never passes; bestLoss takes the best learning rate", () => {
  const r = check(rows({ full: NaN, galore: NaN, lowrank: NaN, lora: NaN }), "quick");
  assert.ok(r.items.slice(0, 3).every((i) => !i.pass));
  assert.deepEqual(bestLoss(rows(PAPER_LIKE), "full"), { loss: 4.0, lr: 0.005 });
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { AUTHOR_CURVES, AUTHOR_STEPS } from "./authors.ts";
import { check } from "./replication.ts";

type Curve = (t: number) => number;

/** Rows of one (depth, lr) group: layer-0 curve f at steps, 2 seeds (±0.01), other layers flat. */
function group(depth: number, lr: number, f: Curve, steps: number[]): Row[] {
  return [1, 2].flatMap((seed) =>
    steps.flatMap((step) =>
      Array.from({ length: depth }, (_, layer): Row => ({
        source: "ours",
        panel: `${depth}/${lr}`,
        depth,
        lr,
        seed,
        step,
        layer,
        entropy: layer === 0 ? f(step) + (seed === 1 ? 0.01 : -0.01) : 2.4,
        val_loss: 5,
        train_loss: 5,
      }))
    )
  );
}

const QUICK = [0, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 275, 300];
// bounce: 2.5 → 1.5 at step 100 → 2.1 at 300; collapse: 2.5 → 0.2 monotone
const bounce: Curve = (t) => (t <= 100 ? 2.5 - t / 100 : 1.5 + 0.6 * (t - 100) / 200);
const collapse: Curve = (t) => 2.5 - 2.3 * (t / 300);
const fallOnly: Curve = (t) => 2.6 - 0.4 * (t / 300);

Deno.test("real-text-entropy: bounce at 1e-4 and collapse at 1e-3 pass (quick grid)", () => {
  const r = check([...group(2, 1e-4, bounce, QUICK), ...group(2, 1e-3, collapse, QUICK)], "quick");
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("real-text-entropy: without an lr 1e-3 run (the quick grid) (C) is untested, never passed", () => {
  const r = check(group(2, 1e-4, bounce, QUICK), "quick");
  assert.equal(r.verdict, "PARTIAL", JSON.stringify(r.items, null, 1));
  const c = r.items.find((i) => i.name.startsWith("(C)"))!;
  assert.ok(!c.pass && c.measured.includes("not tested"), c.measured);
  assert.ok(r.items.find((i) => i.name.startsWith("(A)"))!.pass);
  assert.equal(check(group(2, 1e-4, fallOnly, QUICK), "quick").verdict, "NOT REPRODUCED");
});

Deno.test("real-text-entropy: no bounce, or a bounce at 1e-3, fails", () => {
  const noBounce = check(
    [...group(2, 1e-4, fallOnly, QUICK), ...group(2, 1e-3, fallOnly, QUICK)],
    "quick",
  );
  assert.equal(noBounce.verdict, "NOT REPRODUCED", JSON.stringify(noBounce.items, null, 1));
  const both = check([...group(2, 1e-4, bounce, QUICK), ...group(2, 1e-3, bounce, QUICK)], "quick");
  assert.equal(both.verdict, "PARTIAL");
  assert.ok(!both.items.find((i) => i.name.startsWith("(C)"))!.pass);
});

Deno.test("real-text-entropy: full profile also compares with the authors' numbers", () => {
  const steps = AUTHOR_STEPS;
  const authors1 = AUTHOR_CURVES.find((a) => a.depth === 1 && a.lr === 1e-4)!.entropy[0];
  const authors5 = AUTHOR_CURVES.find((a) => a.depth === 5 && a.lr === 1e-3)!.entropy[0];
  const authors5slow = AUTHOR_CURVES.find((a) => a.depth === 5 && a.lr === 1e-4)!.entropy[0];
  const fromTable = (c: number[]): Curve => (t) => c[t / 1000];
  const rowsOf = (one: Curve) => [
    ...group(1, 1e-4, one, steps),
    ...group(5, 1e-4, fromTable(authors5slow), steps),
    ...group(5, 1e-3, fromTable(authors5), steps),
  ];
  // the authors' own stored curves pass the check
  const ok = check(rowsOf(fromTable(authors1)), "full");
  assert.equal(ok.verdict, "REPRODUCED", JSON.stringify(ok.items, null, 1));
  // same shape but the dip only to 2.0: (D) fails at 2k, the rest holds
  const shallow = check(
    rowsOf((t) => (t === 0 ? 2.5 : t <= 2000 ? 2.0 : 2.0 + 0.25 * t / 58000)),
    "full",
  );
  assert.equal(shallow.verdict, "PARTIAL");
  assert.ok(shallow.items.some((i) => i.name.includes("minibatch 2000") && !i.pass));
});

Deno.test("real-text-entropy: NaN entropies never pass", () => {
  const r = check(
    [...group(2, 1e-4, () => NaN, QUICK), ...group(2, 1e-3, () => NaN, QUICK)],
    "quick",
  );
  assert.equal(r.verdict, "NOT REPRODUCED");
});

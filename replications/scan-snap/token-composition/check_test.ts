import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** Two seeds, two classes, 10 common + 10 distinct tokens; z from `zOf`, losses from `loss`. */
function rows(
  zOf: (kind: string, i: number, step: number) => number,
  loss: (step: number) => number = (s) => (s === 0 ? Math.log(34) : s === 10 ? 0.013 : 0.01),
): Row[] {
  const out: Row[] = [];
  for (const seed of [0, 1]) {
    for (let step = 0; step < 100; step++) {
      out.push({
        seed,
        step,
        measure: "loss",
        class: -1,
        token: -1,
        kind: "all",
        prob: NaN,
        value: loss(step),
      });
    }
    for (const step of [0, 10, 100]) {
      for (const cls of [0, 1]) {
        for (let i = 0; i < 20; i++) {
          const kind = i < 10 ? "common" : "distinct";
          const prob = i < 10 ? 0.05 : 0.005 + 0.004 * (i - 10);
          const base = { seed, step, class: cls, token: i, kind, prob };
          out.push({ ...base, measure: "z", value: step === 0 ? 0 : zOf(kind, i, step) });
          out.push({ ...base, measure: "c", value: 0.05 });
        }
      }
    }
  }
  return out;
}

const paper = (kind: string, i: number) => (kind === "common" ? -0.4 : 0.01 * (i - 9));

Deno.test("token-composition: commons fall, distincts rise ordered by P(l|n) → REPRODUCED", () => {
  const r = check(rows(paper));
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items.filter((i) => !i.pass)));
});

Deno.test("token-composition: the rarest distinct token drifting negative is PARTIAL (item b)", () => {
  const r = check(rows((k, i) => (k === "distinct" && i === 10 ? -0.01 : paper(k, i))));
  assert.equal(r.verdict, "PARTIAL");
  assert.equal(r.items.filter((i) => !i.pass).length, 1);
  assert.match(r.items.find((i) => !i.pass)!.name, /^\(b\)/);
});

Deno.test("token-composition: commons rising, reversed order, a wrong loss or NaN all fail", () => {
  assert.equal(
    check(rows((k, i) => (k === "common" ? 0.2 : -0.01 * (i - 9) - 0.2))).verdict,
    "NOT REPRODUCED",
  );
  const reversed = check(rows((k, i) => (k === "common" ? -0.4 : 0.01 * (30 - i))));
  assert.ok(reversed.items.some((i) => !i.pass && /^\(c\)/.test(i.name)));
  const loss = check(rows(paper, (s) => (s === 10 ? 0.5 : Math.log(34))));
  assert.ok(loss.items.some((i) => !i.pass && /step 10/.test(i.name)));
  assert.notEqual(
    check(rows((k, i) => (k === "common" ? NaN : paper(k, i)))).verdict,
    "REPRODUCED",
  );
});

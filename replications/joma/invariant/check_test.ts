import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** Synthetic rows in the replication's shape; `over` patches the measured values. */
function rows(over: {
  ncMin?: number;
  nc1End?: number;
  nc1Start?: number;
  randomMin?: number;
  drift?: Record<string, number[]>;
} = {}): Row[] {
  const out: Row[] = [];
  const trace = (x: string, seed: number, t: number, nc: number, nc1: number) =>
    out.push({
      row: "trace",
      attention: "softmax",
      x,
      lr: 0.1,
      seed,
      t,
      time: t / 10,
      nc_full: nc,
      nc_1: nc1,
      nc_2: 0,
      nc_theorem: nc,
      loss: 1,
      top_mass: 0.5,
      drift: NaN,
    });
  for (const seed of [0, 1, 2]) {
    trace("gaussian", seed, 0, 1, over.nc1Start ?? 0.05);
    trace("gaussian", seed, 1000, over.ncMin ?? 0.996, 0.96);
    trace("gaussian", seed, 1999, 0.995, over.nc1End ?? 0.99);
    trace("random", seed, 0, 1, 0.2);
    trace("random", seed, 1999, over.randomMin ?? 0.94, 0.93);
  }
  const drift = over.drift ?? { exp: [5e-4, 2.5e-4, 1.25e-4], linear: [2e-4, 1e-4, 5e-5] };
  for (const [attention, ds] of Object.entries(drift)) {
    ds.forEach((d, i) =>
      out.push({
        row: "summary",
        attention,
        x: "gaussian",
        lr: 0.1 / 2 ** i,
        seed: 0,
        t: 1999,
        time: 199.9,
        nc_full: NaN,
        nc_1: NaN,
        nc_2: NaN,
        nc_theorem: NaN,
        loss: 1,
        top_mass: NaN,
        drift: d,
      })
    );
  }
  return out;
}

Deno.test("invariant check: passes on the paper's assertion", () => {
  const r = check(rows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("invariant check: fails when NC dips below 0.99 or the Σv² part stays unaligned", () => {
  assert.equal(check(rows({ ncMin: 0.98 })).items[0].pass, false);
  assert.equal(check(rows({ nc1End: 0.9 })).items[1].pass, false);
  assert.equal(check(rows({ nc1Start: 0.8 })).items[2].pass, false);
  assert.notEqual(check(rows({ ncMin: 0.98 })).verdict, "REPRODUCED");
});

Deno.test("invariant check: an invariant whose drift does not shrink with the step fails", () => {
  const r = check(rows({ drift: { exp: [5e-4, 4.9e-4, 4.8e-4], linear: [2e-4, 1e-4, 5e-5] } }));
  assert.equal(r.items[3].pass, false);
  assert.equal(r.items[4].pass, true);
  const big = check(rows({ drift: { exp: [0.5, 0.25, 0.125], linear: [2e-4, 1e-4, 5e-5] } }));
  assert.equal(big.items[3].pass, false);
});

Deno.test("invariant check: random X is reported but not core; NaN never passes", () => {
  const r = check(rows({ randomMin: 0.8 }));
  assert.equal(r.verdict, "PARTIAL");
  const nan = check(rows({ ncMin: NaN, nc1End: NaN }));
  assert.equal(nan.items[0].pass, false);
  assert.equal(nan.items[1].pass, false);
});

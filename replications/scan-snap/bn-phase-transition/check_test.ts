import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { bExact, bScan, bSnap, check, t0Of } from "./replication.ts";

/** Rows of the right panel whose B is the exact solution (Eqn. 129): the paper's assertion. */
function exactRows(transform: (b: number, t: number, etaZ: number) => number = (b) => b): Row[] {
  const M = 10000;
  const rows: Row[] = [];
  for (const etaZ of [0.5, 1, 2, 4, 8]) {
    const etaY = etaZ;
    const t0 = t0Of(M, etaY);
    const ts = [0, ...Array.from({ length: 160 }, (_, i) => 0.05 * 1000 ** (i / 159)), t0]
      .filter((t) => t <= 50 || t === t0).sort((a, b) => a - b);
    for (const t of ts) {
      const b = bExact(M, etaZ, etaY, t);
      rows.push({
        panel: "M=10000,nu=1",
        M,
        eta_z: etaZ,
        eta_y: etaY,
        t,
        B: transform(b, t, etaZ),
        B_exact: b,
        B_scan: bScan(M, etaZ, etaY, t),
        B_snap: bSnap(M, etaZ, etaY, t),
        t0,
      });
    }
  }
  return rows;
}

Deno.test("bn-phase-transition: the exact solution passes every item", () => {
  const r = check(exactRows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items.filter((i) => !i.pass)));
});

Deno.test("bn-phase-transition: a B that keeps growing like ln t after t0 fails the snap item", () => {
  // no snap: past t0 the curve continues with the scanning slope ½ ln t
  const r = check(
    exactRows((
      b,
      t,
      etaZ,
    ) => (t > t0Of(10000, etaZ) ? b + 0.5 * Math.log(t / t0Of(10000, etaZ)) : b)),
  );
  assert.notEqual(r.verdict, "REPRODUCED");
  assert.ok(r.items.some((i) => !i.pass && /snapping phase/.test(i.name)));
  assert.ok(r.items.some((i) => !i.pass && /RK4 integration equals/.test(i.name)));
});

Deno.test("bn-phase-transition: curves not ordered by η, or NaN, do not pass", () => {
  const swapped = check(exactRows((b, _t, etaZ) => (etaZ === 8 ? b * 0.5 : b)));
  assert.ok(swapped.items.some((i) => !i.pass && /ordered by η/.test(i.name)));
  const nan = check(exactRows((b, t) => (t > 10 ? NaN : b)));
  assert.notEqual(nan.verdict, "REPRODUCED");
});

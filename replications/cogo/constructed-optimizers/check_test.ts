import assert from "node:assert/strict";
import { polar } from "../../../lib/science/math/complex.ts";
import {
  frequencyBlock,
  product,
  scaleElement,
  sum,
  yK,
  zSyn,
} from "../../../lib/science/modadd/algebra.ts";
import { cases, check, measure } from "./replication.ts";

const ONE = { re: 1, im: 0 };

Deno.test("constructed-optimizers: the check passes on the constructions and fails on broken ones", () => {
  const d = 7;
  const good = cases(d, 0);
  const rows = good.map((c) => measure(c, d));
  assert.equal(check(rows).verdict, "REPRODUCED");

  // z_F6 with the z_ν sign error (ν, +ν, −ν⁻²) instead of (ν, −ν, −ν⁻²)
  const nu = polar(1, 0.4), nuInv2 = polar(1, -0.8);
  const broken = scaleElement(
    sum(
      ...[1, 2, 3].map((k) =>
        product(
          zSyn(d, k),
          frequencyBlock(d, k, [[ONE, ONE, ONE], [nu, nu, { re: -nuInv2.re, im: -nuInv2.im }]]),
          yK(d, k),
        )
      ),
    ),
    Math.cbrt(1 / 6),
  );
  const bad = good.map((c) => (c.construction === "z_F6" ? { ...c, z: broken } : c));
  const res = check(bad.map((c) => measure(c, d)));
  assert.notEqual(res.verdict, "REPRODUCED");
  assert.equal(res.items[0].pass, false);

  // the order-4-only counter-example presented as an optimizer fails the optimizer item
  const swapped = good.map((c) =>
    c.construction === "z_F4/6" ? { ...c, z: good.find((x) => x.role === "counter-example")!.z } : c
  );
  assert.notEqual(check(swapped.map((c) => measure(c, d))).verdict, "REPRODUCED");

  // a NaN loss (e.g. an overflow in the synthesis) must not pass
  const nan = rows.map((r) => (r.construction === "z_M" ? { ...r, loss: NaN } : r));
  const res2 = check(nan);
  assert.notEqual(res2.verdict, "REPRODUCED");
  assert.equal(res2.items.find((i) => i.name.startsWith("z_M"))!.pass, false);
  const nanR = rows.map((r) => (r.construction === "z_F6" ? { ...r, rn_max: NaN } : r));
  assert.equal(check(nanR).items.find((i) => i.name.startsWith("r-space"))!.pass, false);
});

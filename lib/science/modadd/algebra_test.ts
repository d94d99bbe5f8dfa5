import assert from "node:assert/strict";
import { abs, type Complex, polar } from "../math/complex.ts";
import { Rng } from "../math/rng.ts";
import {
  centredSquaredError,
  coef,
  evaluateFullData,
  forward,
  frequencyBlock,
  fromNetwork,
  lossFromR,
  product,
  r3,
  randomElement as randomElementLib,
  rnResidual,
  rp,
  rTable,
  scaleElement,
  setCoef,
  sum,
  toNetwork,
  unit,
  yK,
  zF46,
  zF4Only,
  zF6,
  zM,
  zNu,
  zSyn,
} from "./algebra.ts";

const randomElement = (rng: Rng, d: number, q: number) =>
  randomElementLib(rng, d, q, { sigma: 1 / 2 });

Deno.test("modadd_algebra: zero output gives loss 1 − 1/d; forward matches the full-data loop", () => {
  const d = 7;
  assert.ok(Math.abs(centredSquaredError(new Float64Array(d), 3) - (1 - 1 / d)) < 1e-15);
  const rng = new Rng(1);
  const { net } = toNetwork(randomElement(rng, d, 5));
  let s = 0, ok = 0;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      const o = forward(net, a, b);
      s += centredSquaredError(o, (a + b) % d);
      if (o.indexOf(Math.max(...o)) === (a + b) % d) ok++;
    }
  }
  const ev = evaluateFullData(net);
  assert.ok(Math.abs(ev.loss - s / (d * d)) <= 1e-12 * s);
  assert.equal(ev.accuracy, ok / (d * d));
});

Deno.test("modadd_algebra: toNetwork and fromNetwork are inverse; weights are real", () => {
  const rng = new Rng(2);
  const z = randomElement(rng, 11, 4);
  const { net, maxImag } = toNetwork(z);
  assert.ok(maxImag < 1e-14);
  const back = fromNetwork(net);
  for (let i = 0; i < z.q * z.d; i++) {
    assert.ok(
      Math.abs(back.a.re[i] - z.a.re[i]) < 1e-13 && Math.abs(back.c.im[i] - z.c.im[i]) < 1e-13,
    );
  }
});

Deno.test("modadd_algebra: r-quantities are ring homomorphisms; unit maps to 1", () => {
  const rng = new Rng(3);
  const d = 7, z1 = randomElement(rng, d, 3), z2 = randomElement(rng, d, 4);
  const s = sum(z1, z2), p = product(z1, z2);
  assert.equal(s.q, 7);
  assert.equal(p.q, 12);
  for (const [k1, k2, k] of [[1, 2, 3], [3, 3, 3], [6, 1, 2], [0, 5, 5]]) {
    const a = r3(s, k1, k2, k), b1 = r3(z1, k1, k2, k), b2 = r3(z2, k1, k2, k);
    assert.ok(abs({ re: a.re - b1.re - b2.re, im: a.im - b1.im - b2.im }) < 1e-12);
    const m = r3(p, k1, k2, k);
    const want = { re: b1.re * b2.re - b1.im * b2.im, im: b1.re * b2.im + b1.im * b2.re };
    assert.ok(abs({ re: m.re - want.re, im: m.im - want.im }) < 1e-12);
    const ra = rp(p, "a", k1, k2, k), ra1 = rp(z1, "a", k1, k2, k), ra2 = rp(z2, "a", k1, k2, k);
    const wa = { re: ra1.re * ra2.re - ra1.im * ra2.im, im: ra1.re * ra2.im + ra1.im * ra2.re };
    assert.ok(abs({ re: ra.re - wa.re, im: ra.im - wa.im }) < 1e-12);
  }
  const one = r3(unit(d), 2, 4, 5);
  assert.deepEqual(one, { re: 1, im: 0 });
  // the table agrees with the pointwise sum
  const t = rTable(z1), v = r3(z1, 2, 5, 6), i = (2 * d + 5) * d + 6;
  assert.ok(Math.abs(t.re[i] - v.re) < 1e-14 && Math.abs(t.im[i] - v.im) < 1e-14);
  // scaling by s scales every r by s³
  const sc = r3(scaleElement(z1, 0.5), 1, 2, 3), base = r3(z1, 1, 2, 3);
  assert.ok(Math.abs(sc.re - base.re / 8) < 1e-15);
});

Deno.test("modadd_algebra: loss decomposition equals the real-space MSE without input DC", () => {
  const rng = new Rng(4);
  for (const d of [5, 7, 11]) {
    const z = product(randomElement(rng, d, 3), randomElement(rng, d, 2));
    const real = evaluateFullData(toNetwork(z).net).loss;
    const fromR = lossFromR(z).loss;
    assert.ok(Math.abs(real - fromR) <= 1e-11 * real, `d=${d}: ${real} vs ${fromR}`);
  }
});

Deno.test("modadd_algebra: the decomposition check can fail (input DC breaks it)", () => {
  const rng = new Rng(5);
  const d = 7, z = randomElement(rng, d, 3);
  setCoef(z, "a", 0, 0, { re: 0.8, im: 0 });
  setCoef(z, "b", 0, 0, { re: -0.6, im: 0 });
  const real = evaluateFullData(toNetwork(z).net).loss;
  assert.ok(Math.abs(real - lossFromR(z).loss) > 1e-3 * real);
});

Deno.test("modadd_algebra: block identities of research A11", () => {
  const d = 11, k = 2, w3 = polar(1, 0.9);
  const syn = zSyn(d, k), nu = zNu(d, k, w3);
  const near0 = (c: Complex) => abs(c) < 1e-13;
  assert.ok(Math.abs(r3(syn, k, k, k).re - 3) < 1e-13);
  assert.ok(near0(r3(syn, -k, k, k)) && near0(r3(syn, k, -k, k)) && near0(r3(syn, -k, -k, k)));
  assert.ok(Math.abs(rp(syn, "a", k, k, k).re - 3) < 1e-13); // z_syn does not kill a²c
  assert.ok(near0(rp(nu, "a", k, k, k)) && near0(rp(nu, "b", k, k, k)));
  const f = product(syn, nu, yK(d, k));
  assert.ok(Math.abs(r3(f, k, k, k).re - 6) < 1e-13 && near0(rnResidual(f, k)));
  // a frequency block is Hermitian
  const blk = frequencyBlock(d, 3, [[polar(1, 0.2), polar(2, 1), polar(0.5, -1)]]);
  assert.ok(Math.abs(coef(blk, "b", -3, 0).im + coef(blk, "b", 3, 0).im) < 1e-15);
});

Deno.test("modadd_algebra: constructions are exact optimizers; order-4 alone is not", () => {
  for (const d of [7, 11]) {
    for (
      const z of [
        zF6(d, polar(1, 0.4)),
        zF46(d, { k0: 2, nu: polar(1, -1.1), xi: polar(1, 0.7) }),
        zM(d),
      ]
    ) {
      const ev = evaluateFullData(toNetwork(z).net);
      assert.ok(ev.loss < 1e-25, `loss ${ev.loss}`);
      assert.equal(ev.accuracy, 1);
    }
    assert.equal(zF6(d, polar(1, 0.4)).q, 3 * (d - 1));
    assert.equal(zF46(d, { k0: 1, nu: polar(1, 0), xi: polar(1, 0) }).q, 2 * d);
    assert.equal(zM(d).q, d * d);
    const l4 = evaluateFullData(toNetwork(zF4Only(d, polar(1, 0.3))).net).loss;
    assert.ok(Math.abs(l4 - 2 * (1 - 1 / d)) < 1e-12);
    const l46 = evaluateFullData(
      toNetwork(zF46(d, { k0: 1, nu: polar(1, 0), xi: polar(1, 0.3), donors: false })).net,
    ).loss;
    assert.ok(Math.abs(l46 - 2 * (1 - 3 / d)) < 1e-12);
  }
});

Deno.test("modadd_algebra: a broken construction is caught (wrong sign, |ν| ≠ 1 donors)", () => {
  const d = 7;
  // z_F6 with the second z_ν node's b-sign flipped: (ν, +ν, −ν⁻²)
  const nu = polar(1, 0.4);
  const bad = scaleElement(
    sum(
      ...[1, 2, 3].map((k) =>
        product(
          zSyn(d, k),
          frequencyBlock(d, k, [[{ re: 1, im: 0 }, { re: 1, im: 0 }, { re: 1, im: 0 }], [
            nu,
            nu,
            { re: -Math.cos(-0.8), im: -Math.sin(-0.8) },
          ]]),
          yK(d, k),
        )
      ),
    ),
    Math.cbrt(1 / 6),
  );
  assert.ok(evaluateFullData(toNetwork(bad).net).loss > 1e-3);
  // donors need |ν| = 1
  const off = zF46(d, { k0: 1, nu: polar(1.5, 0.3), xi: polar(1, 0.7) });
  assert.ok(evaluateFullData(toNetwork(off).net).loss > 1e-3);
});

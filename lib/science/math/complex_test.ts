import assert from "node:assert/strict";
import {
  abs,
  add,
  arg,
  cbrt,
  complex,
  conj,
  div,
  exp,
  format,
  I,
  log,
  mul,
  near,
  neg,
  polar,
  powInt,
  scale,
  sub,
} from "./complex.ts";

const close = (x: { re: number; im: number }, re: number, im: number, tol = 1e-14) =>
  assert.ok(
    Math.abs(x.re - re) <= tol && Math.abs(x.im - im) <= tol,
    `${format(x)} vs ${re}+${im}i`,
  );

Deno.test("complex: field operations", () => {
  const x = complex(1, 2), y = complex(3, -1);
  close(add(x, y), 4, 1);
  close(sub(x, y), -2, 3);
  close(mul(x, y), 5, 5);
  close(div(mul(x, y), y), 1, 2);
  close(div(complex(1), complex(0, 2)), 0, -0.5);
  close(conj(x), 1, -2);
  close(neg(x), -1, -2);
  close(scale(x, 2), 2, 4);
  assert.equal(abs(complex(3, 4)), 5);
  close(mul(I, I), -1, 0);
  close(powInt(I, 7), 0, -1);
  close(powInt(complex(2), -2), 0.25, 0);
});

Deno.test("complex: exp, log, arg branch (−π, π]", () => {
  close(exp(complex(0, Math.PI)), -1, 0, 1e-15);
  assert.equal(arg(complex(-1, 0)), Math.PI);
  assert.equal(arg(complex(-1, -0)), Math.PI);
  assert.equal(arg(complex(0, 0)), 0);
  const z = complex(-0.3, 0.7);
  const back = exp(log(z));
  close(back, z.re, z.im);
});

Deno.test("complex: principal cube root exp(log z / 3)", () => {
  // cbrt(−8) is the principal root 2·e^{iπ/3} = 1 + i√3, not the real root −2.
  close(cbrt(complex(-8)), 1, Math.sqrt(3), 1e-14);
  close(cbrt(complex(27)), 3, 0);
  close(cbrt(complex(0)), 0, 0);
  // the argument lands in (−π/3, π/3]
  for (const t of [-3, -2, -1, 0, 1, 2, 3, Math.PI]) {
    const r = cbrt(polar(2, t));
    assert.ok(arg(r) > -Math.PI / 3 - 1e-15 && arg(r) <= Math.PI / 3 + 1e-15);
    const cube = mul(mul(r, r), r);
    assert.ok(near(cube, polar(2, t), 1e-14));
  }
});

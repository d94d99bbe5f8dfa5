/**
 * Complex numbers in Float64: a plain `{ re, im }` value type and pure functions on it.
 *
 * Every function returns a new object and never mutates its arguments. The branch cuts are
 * the principal ones: {@link arg} and {@link log} take arg ∈ (−π, π], and {@link cbrt} is
 * the principal cube root exp(log z / 3) (the convention the CoGO analysis code uses when it
 * normalises factor columns; another root would change its classifications).
 *
 * ```ts
 * import { add, complex, mul, polar } from "./complex.ts";
 * const w = polar(1, (2 * Math.PI) / 3); // ω₃ = e^{2πi/3}
 * const z = add(mul(w, w), complex(1)); // 1 + ω₃² = −ω₃
 * ```
 *
 * @module
 */

/** A complex number re + i·im. */
export interface Complex {
  /** Real part. */
  re: number;
  /** Imaginary part. */
  im: number;
}

/** The complex number re + i·im (im defaults to 0). */
export function complex(re: number, im = 0): Complex {
  return { re, im };
}

/** r·e^{iθ}. */
export function polar(r: number, theta: number): Complex {
  return { re: r * Math.cos(theta), im: r * Math.sin(theta) };
}

/** 0. */
export const ZERO: Readonly<Complex> = Object.freeze({ re: 0, im: 0 });
/** 1. */
export const ONE: Readonly<Complex> = Object.freeze({ re: 1, im: 0 });
/** The imaginary unit i. */
export const I: Readonly<Complex> = Object.freeze({ re: 0, im: 1 });

/** x + y. */
export function add(x: Complex, y: Complex): Complex {
  return { re: x.re + y.re, im: x.im + y.im };
}

/** x − y. */
export function sub(x: Complex, y: Complex): Complex {
  return { re: x.re - y.re, im: x.im - y.im };
}

/** −x. */
export function neg(x: Complex): Complex {
  return { re: -x.re, im: -x.im };
}

/** x · y. */
export function mul(x: Complex, y: Complex): Complex {
  return { re: x.re * y.re - x.im * y.im, im: x.re * y.im + x.im * y.re };
}

/** x / y (Smith's algorithm, robust to over/underflow; y = 0 gives non-finite parts). */
export function div(x: Complex, y: Complex): Complex {
  if (Math.abs(y.re) >= Math.abs(y.im)) {
    const r = y.im / y.re, den = y.re + y.im * r;
    return { re: (x.re + x.im * r) / den, im: (x.im - x.re * r) / den };
  }
  const r = y.re / y.im, den = y.re * r + y.im;
  return { re: (x.re * r + x.im) / den, im: (x.im * r - x.re) / den };
}

/** Complex conjugate x̄. */
export function conj(x: Complex): Complex {
  return { re: x.re, im: -x.im };
}

/** s · x for a real scalar s. */
export function scale(x: Complex, s: number): Complex {
  return { re: s * x.re, im: s * x.im };
}

/** Modulus |x| (hypot, no overflow). */
export function abs(x: Complex): number {
  return Math.hypot(x.re, x.im);
}

/** Squared modulus |x|² = x·x̄. */
export function abs2(x: Complex): number {
  return x.re * x.re + x.im * x.im;
}

/** Principal argument, in (−π, π] (atan2; arg(0) = 0, arg(−1) = π). */
export function arg(x: Complex): number {
  // atan2(−0, −1) = −π; map the negative-zero case onto the (−π, π] convention.
  const a = Math.atan2(x.im, x.re);
  return a === -Math.PI ? Math.PI : a;
}

/** e^x. */
export function exp(x: Complex): Complex {
  const r = Math.exp(x.re);
  return { re: r * Math.cos(x.im), im: r * Math.sin(x.im) };
}

/** Principal logarithm ln|x| + i·arg(x), arg ∈ (−π, π] (log 0 = −∞ + 0i). */
export function log(x: Complex): Complex {
  return { re: Math.log(abs(x)), im: arg(x) };
}

/**
 * Principal cube root exp(log(x) / 3): modulus |x|^{1/3}, argument arg(x)/3 ∈ (−π/3, π/3].
 * cbrt(0) = 0; cbrt(−8) = 1 + i√3 (not −2).
 */
export function cbrt(x: Complex): Complex {
  const r = abs(x);
  if (r === 0) return { re: 0, im: 0 };
  return polar(Math.cbrt(r), arg(x) / 3);
}

/** x^n for an integer n (repeated squaring; n < 0 inverts). */
export function powInt(x: Complex, n: number): Complex {
  if (!Number.isInteger(n)) throw new RangeError(`powInt needs an integer exponent, got ${n}`);
  let base = n < 0 ? div(ONE, x) : x;
  let e = Math.abs(n);
  let out: Complex = { re: 1, im: 0 };
  while (e > 0) {
    if (e & 1) out = mul(out, base);
    base = mul(base, base);
    e >>= 1;
  }
  return out;
}

/** Whether |x − y| ≤ tol. */
export function near(x: Complex, y: Complex, tol: number): boolean {
  return abs(sub(x, y)) <= tol;
}

/** Human-readable "a+bi" with `digits` significant digits. */
export function format(x: Complex, digits = 6): string {
  const sign = x.im < 0 || Object.is(x.im, -0) ? "-" : "+";
  return `${x.re.toPrecision(digits)}${sign}${Math.abs(x.im).toPrecision(digits)}i`;
}

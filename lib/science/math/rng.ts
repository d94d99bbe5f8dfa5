/**
 * A small, fast, seedable PRNG (sfc32 seeded through splitmix32) with the samplers the
 * replications need. Same seed → same stream on every platform and backend.
 *
 * @module
 */

/** Seedable pseudo-random number generator. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | null = null;

  /**
   * Create a generator from an integer seed. Every safe integer gives its own stream: seeds
   * in [−2³¹, 2³²) are taken as 32-bit words (as always), larger magnitudes also mix in their
   * high word, so derived seeds such as `seed · 100 + i` never collide by wrapping.
   */
  constructor(seed: number) {
    let s = (seed >>> 0) ^ 0x9e3779b9;
    if (seed >= 2 ** 32 || seed < -(2 ** 31)) {
      let h = Math.floor(seed / 2 ** 32) >>> 0;
      h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
      h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
      s = (s ^ h ^ (h >>> 16)) >>> 0;
    }
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 53 bits of randomness. */
  uniform(): number {
    const hi = this.uint32() >>> 5;
    const lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new RangeError(`int(n) needs n > 0, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller, caching the second value). */
  normal(): number {
    if (this.#spare !== null) {
      const v = this.#spare;
      this.#spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A Float64Array of `n` draws from `sample`. */
  fill(n: number, sample: (r: Rng) => number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = sample(this);
    return out;
  }

  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }
}

/**
 * Sampler of a fixed categorical distribution by inverse CDF over cumulative weights.
 * Weights need not be normalised; they must be non-negative with a positive sum.
 */
export class Categorical {
  readonly #cdf: Float64Array;

  /** Build from unnormalised weights. */
  constructor(weights: ArrayLike<number>) {
    this.#cdf = new Float64Array(weights.length);
    let acc = 0;
    for (let i = 0; i < weights.length; i++) {
      if (!(weights[i] >= 0)) throw new RangeError(`weight ${i} is ${weights[i]}`);
      acc += weights[i];
      this.#cdf[i] = acc;
    }
    if (!(acc > 0)) throw new RangeError("weights sum to zero");
    for (let i = 0; i < this.#cdf.length; i++) this.#cdf[i] /= acc;
  }

  /** Draw one index. */
  sample(rng: Rng): number {
    const u = rng.uniform();
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

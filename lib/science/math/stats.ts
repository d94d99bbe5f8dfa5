/**
 * Small statistics used by claim checks: moments, correlations, least squares.
 *
 * @module
 */

/** Arithmetic mean (NaN for an empty list). */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}

/** Sample standard deviation (ddof = 1; 0 for a single value). */
export function std(xs: ArrayLike<number>): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Pearson correlation of two equal-length lists. */
export function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  if (xs.length !== ys.length) throw new RangeError("pearson: lengths differ");
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks with ties averaged (1-based). */
export function ranks(xs: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const r = new Float64Array(xs.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1]] === xs[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation (Pearson on tie-averaged ranks). */
export function spearman(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  return pearson(ranks(xs), ranks(ys));
}

/** Result of a least-squares line fit y ≈ intercept + slope·x. */
export interface LineFit {
  /** Slope. */
  slope: number;
  /** Intercept. */
  intercept: number;
  /** Coefficient of determination. */
  r2: number;
}

/** Ordinary least squares fit of a line. */
export function fitLine(xs: ArrayLike<number>, ys: ArrayLike<number>): LineFit {
  if (xs.length !== ys.length || xs.length < 2) throw new RangeError("fitLine: need ≥ 2 pairs");
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < xs.length; i++) sse += (ys[i] - intercept - slope * xs[i]) ** 2;
  return { slope, intercept, r2: syy > 0 ? 1 - sse / syy : 1 };
}

/** Least squares fit through the origin y ≈ c·x; returns c and R² (about the mean of y). */
export function fitProportional(xs: ArrayLike<number>, ys: ArrayLike<number>): {
  c: number;
  r2: number;
} {
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += xs[i] * ys[i];
    sxx += xs[i] * xs[i];
  }
  const c = sxy / sxx;
  const my = mean(ys);
  let sse = 0, sst = 0;
  for (let i = 0; i < xs.length; i++) {
    sse += (ys[i] - c * xs[i]) ** 2;
    sst += (ys[i] - my) ** 2;
  }
  return { c, r2: sst > 0 ? 1 - sse / sst : 1 };
}

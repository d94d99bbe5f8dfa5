/**
 * Float64 ODE integration: classic fixed-step RK4 with output at requested times.
 *
 * @module
 */

/** Right-hand side dy/dt = f(t, y), writing into `dy`. */
export type Rhs = (t: number, y: Float64Array, dy: Float64Array) => void;

/** Options of {@link integrateRk4}. */
export interface Rk4Options {
  /** Step size (the last step before each output time is shortened to land on it). */
  dt: number;
}

/**
 * Integrate from (t0, y0) with RK4 and return the state at each of `times` (ascending,
 * each ≥ t0). Steps are shortened to land exactly on every output time.
 */
export function integrateRk4(
  f: Rhs,
  t0: number,
  y0: ArrayLike<number>,
  times: number[],
  opts: Rk4Options,
): Float64Array[] {
  if (!(opts.dt > 0)) throw new RangeError(`dt must be > 0, got ${opts.dt}`);
  const n = y0.length;
  const y = Float64Array.from(y0);
  const k1 = new Float64Array(n), k2 = new Float64Array(n);
  const k3 = new Float64Array(n), k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  const out: Float64Array[] = [];
  let t = t0;
  for (const target of times) {
    if (target < t - 1e-12) throw new RangeError(`output times must ascend from t0 (${target})`);
    while (t < target - 1e-12) {
      const h = Math.min(opts.dt, target - t);
      f(t, y, k1);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * h * k1[i];
      f(t + 0.5 * h, tmp, k2);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * h * k2[i];
      f(t + 0.5 * h, tmp, k3);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + h * k3[i];
      f(t + h, tmp, k4);
      for (let i = 0; i < n; i++) y[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      t += h;
    }
    t = target;
    out.push(Float64Array.from(y));
  }
  return out;
}

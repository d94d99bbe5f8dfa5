/**
 * What a replication author imports: the contract ({@link defineReplication}), the check
 * helpers, seeded randomness and the tfjs types. Model families and numerics are imported
 * from `lib/science/<family>/` directly; the harness (runner, cache, golden, report, cli)
 * is not part of this API.
 *
 * @example
 * ```ts
 * import { atMost, defineReplication, Rng, verdictOf } from "./mod.ts";
 *
 * export default defineReplication({
 *   title: "The sample mean of U(0, 1) is near 1/2",
 *   claim: {
 *     statement: "E[U] = 1/2 for U ~ U(0, 1)",
 *     source: "any probability text",
 *     paperValue: "0.5",
 *     scale: { quick: "10⁴ draws per seed", full: "10⁶ draws per seed" },
 *     deviations: [],
 *   },
 *   grid: ({ profile, seed }) =>
 *     [1, 2, 3].map((i) => ({ seed: seed + i, n: profile === "quick" ? 1e4 : 1e6 })),
 *   cell: ({ seed, n }) => {
 *     const rng = new Rng(seed);
 *     let s = 0;
 *     for (let i = 0; i < n; i++) s += rng.uniform();
 *     return [{ seed, mean: s / n }];
 *   },
 *   check: (rows) => {
 *     const worst = Math.max(...rows.map((r) => Math.abs(Number(r.mean) - 0.5)));
 *     return verdictOf([atMost("largest |mean − 1/2| over seeds", worst, 0.02)], `${worst}`);
 *   },
 *   tolerances: { keys: ["seed"], default: { atol: 0, why: "Rng is exact; Float64 sum" } },
 * });
 * ```
 *
 * @module
 */

export {
  type CellContext,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  type GridContext,
  type Json,
  type Params,
  type Profile,
  PROFILES,
  type RecordedVerdict,
  type ReplicationSpec,
  type Row,
  type ToleranceRule,
  type Tolerances,
  type Value,
  type Verdict,
  verdictOf,
} from "./lib/harness/contract.ts";
export {
  above,
  atLeast,
  atMost,
  below,
  between,
  fmt,
  type FormatOptions,
  groupBy,
  holds,
  num,
  ordered,
  type OrderedOptions,
  where,
  within,
} from "./lib/harness/check.ts";
export { Categorical, Rng } from "./lib/science/math/rng.ts";
export type { Tensor, TfModule } from "./lib/tf.ts";

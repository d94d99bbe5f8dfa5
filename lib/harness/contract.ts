/**
 * The replication contract: what every `replications/<paper>/<claim>/replication.ts`
 * default-exports, built with {@link defineReplication}.
 *
 * A replication is a paper's claim made executable, read top to bottom like the paper:
 * the {@link Claim} (what, where, the paper's value, the scale of each profile, deviations),
 * the `grid` of independent cells (small JSON objects: one training run, one ODE
 * integration, ...), the `cell` function that computes one cell's tidy rows, the `check`
 * that encodes the paper's assertion over all cells' rows, and the golden `tolerances`.
 *
 * The harness owns the loop: it expands the grid, runs cells on a pool of workers, caches
 * each finished cell, shards cells over machines, then writes the CSV, runs the check,
 * diffs the golden and renders the chart. The id (`<paper>/<claim>`), the chart template
 * (`chart.vl.json`) and the notes (`NOTES.md`) come from the replication's folder.
 *
 * @module
 */

import type { TfModule } from "../tf.ts";

/** Run size: `quick` is CI-sized (the default), `full` uses the paper's settings. */
export type Profile = "quick" | "full";

/** All profiles, in the order the CLI lists them. */
export const PROFILES: readonly Profile[] = ["quick", "full"];

/** The outcome of a claim check. */
export type Verdict = "REPRODUCED" | "PARTIAL" | "NOT REPRODUCED";

/** One CSV value: numbers are written with round-trip precision, strings verbatim. */
export type Value = number | string;

/** One tidy CSV row: column name → value. */
export type Row = Record<string, Value>;

/** A JSON value, the stuff cell parameters are made of. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The parameters of one cell of a replication's grid: a small JSON object. */
export type Params = { [key: string]: Json };

/** The claim, where it is in the paper, and how we run it. */
export interface Claim {
  /** The paper's assertion, in our words. */
  statement: string;
  /** Paper and location: arXiv id, theorem/figure/table. */
  source: string;
  /** The paper's number(s) or qualitative statement, as the paper gives it. */
  paperValue: string;
  /** The scale each profile runs at: paper scale, or reduced and why. */
  scale: Record<Profile, string>;
  /** Every deviation from the authors' setting, and why. */
  deviations: string[];
}

/** One sub-assertion of a claim check, with what was measured. */
export interface CheckItem {
  /** What is asserted, e.g. "late-phase agreement with the closed form". */
  name: string;
  /** Whether the measured value satisfies the assertion. */
  pass: boolean;
  /** What we measured, human-readable (numbers included). */
  measured: string;
  /** The threshold or relation the paper implies. */
  expected: string;
}

/** The verdict of a claim check with the measured numbers behind it. */
export interface CheckResult {
  /** REPRODUCED when every item passes, NOT REPRODUCED when none (or no core one) does. */
  verdict: Verdict;
  /** One line: our value(s), to set beside the paper's in the report. */
  ourValue: string;
  /** Each sub-assertion. */
  items: CheckItem[];
}

/** What `grid` receives: the profile and the base seed of the run. */
export interface GridContext {
  /** The profile being run. */
  profile: Profile;
  /** Base seed (default 0; goldens are made with 0). Cells derive their seeds from it. */
  seed: number;
}

/** What a cell function receives from the harness. */
export interface CellContext extends GridContext {
  /** tfjs on the run's backend, loaded on first call (cells that never call it stay tf-free). */
  tf(): Promise<TfModule>;
  /** Report progress within the cell (e.g. steps done of total); feeds the ETA. */
  progress(done: number, total: number): void;
  /** Log one line (to stderr, prefixed with the replication id). */
  log(message: string): void;
}

/** A golden tolerance for one column: |obtained − expected| ≤ atol + rtol·|expected|. */
export interface ToleranceRule {
  /** Absolute tolerance (default 0). */
  atol?: number;
  /** Relative tolerance, relative to the golden value (default 0). */
  rtol?: number;
  /** Why this tolerance: one line, shown in the report. */
  why: string;
}

/** The golden comparison of a replication: key columns and per-column tolerances. */
export interface Tolerances {
  /** Columns whose values identify a row (matched exactly). */
  keys: string[];
  /** Per-column tolerances; every other numeric column uses `default`. */
  columns?: Record<string, ToleranceRule>;
  /** Tolerance of the columns not named in `columns` (default: exact). */
  default?: ToleranceRule;
}

/** A verdict that a replication has established and documented, e.g. an honest NOT REPRODUCED. */
export interface RecordedVerdict {
  /** The verdict the check is expected to return. */
  verdict: Verdict;
  /** Why: the evidence, in one or two sentences. */
  why: string;
}

/** What a replication module declares (its folder supplies the id, chart and notes). */
export interface ReplicationSpec<P extends Params = Params> {
  /** Short human title. */
  title: string;
  /** The claim and its provenance. */
  claim: Claim;
  /** The cells of a run, in the order their rows go into the CSV. */
  grid(ctx: GridContext): P[];
  /** Compute one cell's tidy rows. Deterministic for given params, profile, seed and backend. */
  cell(params: P, ctx: CellContext): Row[] | Promise<Row[]>;
  /** Relative cost of a cell (default 1): balances shards and weighs the ETA. */
  cost?(params: P, profile: Profile): number;
  /**
   * Rows derived from all cells' rows together (e.g. a boundary located over a sweep of
   * cells), appended after them in the CSV. Keep it cheap: it runs on every run, cached or not.
   */
  summarize?(rows: Row[], profile: Profile): Row[];
  /** The claim check: the paper's assertion as a predicate over all cells' rows. */
  check(rows: Row[], profile: Profile): CheckResult;
  /** Golden keys and per-column tolerances. */
  tolerances: Tolerances;
  /** Value written for a column a row does not have (e.g. NaN); without it that is an error. */
  fill?: number;
  /**
   * Verdicts other than REPRODUCED that have been established and explained, per profile.
   * The run passes when the check returns exactly the recorded verdict; any other
   * non-REPRODUCED verdict fails it.
   */
  recorded?: Partial<Record<Profile, RecordedVerdict>>;
}

/** The fields every spec must have, with the type each must be. */
const SPEC_FIELDS: [keyof ReplicationSpec, string][] = [
  ["title", "string"],
  ["claim", "object"],
  ["grid", "function"],
  ["cell", "function"],
  ["check", "function"],
  ["tolerances", "object"],
];

/**
 * Declare a replication: validates the shape and returns the spec, typed by its params.
 *
 * @example
 * ```ts
 * import { defineReplication, verdictOf } from "./contract.ts";
 * import { atMost } from "./check.ts";
 * export default defineReplication({
 *   title: "x² has a minimum at 0",
 *   claim: {
 *     statement: "min x² = 0", source: "calculus", paperValue: "0",
 *     scale: { quick: "3 points", full: "3 points" }, deviations: [],
 *   },
 *   grid: () => [{ x: -1 }, { x: 0 }, { x: 1 }],
 *   cell: ({ x }) => [{ x, y: x * x }],
 *   check: (rows) => {
 *     const min = Math.min(...rows.map((r) => Number(r.y)));
 *     return verdictOf([atMost("smallest value", min, 0)], `min ${min}`);
 *   },
 *   tolerances: { keys: ["x"], default: { atol: 0, why: "exact arithmetic" } },
 * });
 * ```
 */
export function defineReplication<P extends Params>(spec: ReplicationSpec<P>): ReplicationSpec<P> {
  for (const [field, type] of SPEC_FIELDS) {
    if (typeof spec[field] !== type || spec[field] === null) {
      throw new TypeError(`defineReplication: "${field}" must be a ${type}`);
    }
  }
  for (const field of ["cost", "summarize"] as const) {
    if (spec[field] !== undefined && typeof spec[field] !== "function") {
      throw new TypeError(`defineReplication: "${field}" must be a function`);
    }
  }
  const keys = spec.tolerances.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== "string")) {
    throw new TypeError(`defineReplication: tolerances.keys must be a non-empty list of columns`);
  }
  for (const [column, rule] of Object.entries(spec.tolerances.columns ?? {})) {
    validateRule(rule, `tolerances.columns.${column}`);
    if (keys.includes(column)) {
      throw new TypeError(`defineReplication: key column "${column}" cannot have a tolerance`);
    }
  }
  if (spec.tolerances.default) validateRule(spec.tolerances.default, "tolerances.default");
  for (const [profile, r] of Object.entries(spec.recorded ?? {})) {
    if (!PROFILES.includes(profile as Profile) || !r || typeof r.why !== "string") {
      throw new TypeError(`defineReplication: recorded.${profile} must be {verdict, why}`);
    }
  }
  return spec;
}

function validateRule(rule: ToleranceRule, where: string): void {
  for (const k of ["atol", "rtol"] as const) {
    const v = rule[k];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && v >= 0)) {
      throw new TypeError(`defineReplication: ${where}.${k} must be a finite number ≥ 0`);
    }
  }
  if (typeof rule.why !== "string" || rule.why.trim() === "") {
    throw new TypeError(`defineReplication: ${where} needs a one-line "why"`);
  }
}

/**
 * Combine check items into a verdict: every item passes → REPRODUCED; every `core` item
 * (by index; default: all items) fails → NOT REPRODUCED; otherwise PARTIAL.
 *
 * @example
 * ```ts
 * import { verdictOf } from "./contract.ts";
 * import assert from "node:assert/strict";
 * const r = verdictOf([{ name: "a", pass: true, measured: "1", expected: "> 0" }], "1");
 * assert.ok(r.verdict === "REPRODUCED");
 * ```
 */
export function verdictOf(items: CheckItem[], ourValue: string, core?: number[]): CheckResult {
  if (items.length === 0) throw new Error("a claim check needs at least one item");
  const coreItems = core ? core.map((k) => items[k]) : items;
  if (coreItems.some((i) => i === undefined)) throw new Error("core index out of range");
  const verdict: Verdict = items.every((i) => i.pass)
    ? "REPRODUCED"
    : coreItems.every((i) => !i.pass)
    ? "NOT REPRODUCED"
    : "PARTIAL";
  return { verdict, ourValue, items };
}

/**
 * Whether a check result lets the run pass, given the replication's recorded verdict.
 *
 * @example
 * ```ts
 * import { verdictAccepted, verdictOf } from "./contract.ts";
 * import assert from "node:assert/strict";
 * const partial = verdictOf([
 *   { name: "a", pass: true, measured: "", expected: "" },
 *   { name: "b", pass: false, measured: "", expected: "" },
 * ], "");
 * assert.ok(verdictAccepted(partial, { verdict: "PARTIAL", why: "known" }));
 * assert.ok(!verdictAccepted(partial));
 * ```
 */
export function verdictAccepted(result: CheckResult, recorded?: RecordedVerdict): boolean {
  if (result.verdict === "REPRODUCED") return true;
  return recorded !== undefined && recorded.verdict === result.verdict;
}

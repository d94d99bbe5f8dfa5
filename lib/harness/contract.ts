/**
 * The replication contract: what every folder under `replications/` exports.
 *
 * A replication is a paper's claim made executable. It carries the claim's text and
 * provenance ({@link Claim}), a `run` that produces tidy (long-format) CSV rows, a
 * `check` that encodes the paper's assertion as a predicate over those rows, and a
 * Vega-Lite chart template. Goldens and their tolerance specs live under
 * `golden/<id>.*` and are handled by the harness, not by the replication.
 *
 * @module
 */

import type { Progress } from "./progress.ts";
import type { TfModule } from "../tf.ts";

/** Run size: `quick` is CI-sized (the default), `full` uses the paper's settings. */
export type Profile = "quick" | "full";

/** All profiles, in the order the CLI lists them. */
export const PROFILES: readonly Profile[] = ["quick", "full"];

/** The outcome of a claim check. */
export type Verdict = "REPRODUCED" | "PARTIAL" | "NOT REPRODUCED";

/** One CSV cell: numbers are written with round-trip precision, strings verbatim. */
export type Cell = number | string;

/** One tidy CSV row: column name → cell. */
export type Row = Record<string, Cell>;

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
  /** Why the golden tolerances are what they are. */
  tolerances: string;
  /** Optional longer notes (derivations, caveats), Markdown. */
  notes?: string;
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
  /** REPRODUCED when every item passes, NOT REPRODUCED when none (or a core one) does. */
  verdict: Verdict;
  /** One line: our value(s), to set beside the paper's in the report. */
  ourValue: string;
  /** Each sub-assertion. */
  items: CheckItem[];
}

/** What a replication's `run` receives from the harness. */
export interface RunContext {
  /** The profile being run. */
  profile: Profile;
  /** Base seed; replications derive per-run seeds from it (seed, seed+1, ...). */
  seed: number;
  /** The tfjs module on the chosen backend, or null when the replication does not use tfjs. */
  tf: TfModule | null;
  /** Progress reporting (bar with ETA on a terminal, plain lines otherwise). */
  progress: Progress;
  /** Log one line (to stderr, prefixed with the replication id). */
  log(message: string): void;
}

/** A verdict that a replication has established and documented, e.g. an honest NOT REPRODUCED. */
export interface RecordedVerdict {
  /** The verdict the check is expected to return. */
  verdict: Verdict;
  /** Why: the evidence, in one or two sentences. */
  why: string;
}

/** The contract every replication module exports as its default export. */
export interface Replication {
  /** Stable id `<paper>/<claim>`, equal to its folder under `replications/`. */
  id: string;
  /** Short human title. */
  title: string;
  /** The claim and its provenance. */
  claim: Claim;
  /** Whether `run` needs tfjs (the harness then loads it on the chosen backend). */
  usesTf: boolean;
  /** Produce tidy CSV rows. Must be deterministic for a given seed, profile and backend. */
  run(ctx: RunContext): Promise<Row[]>;
  /** The claim check: the paper's assertion as a predicate over the rows. */
  check(rows: Row[], profile: Profile): CheckResult;
  /** URL of the Vega-Lite template (`chart.vl.json`); data named "rows" is filled with the CSV. */
  chart: URL;
  /**
   * A verdict other than REPRODUCED that has been established and explained.
   * The run passes when the check returns exactly this verdict; any other non-REPRODUCED
   * verdict fails it.
   */
  recorded?: RecordedVerdict;
}

/**
 * Combine check items into a verdict: every item passes → REPRODUCED; every `core` item
 * (by index; default: all items) fails → NOT REPRODUCED; otherwise PARTIAL.
 *
 * @example
 * ```ts
 * const r = verdictOf([{ name: "a", pass: true, measured: "1", expected: ">0" }], "1");
 * // r.verdict === "REPRODUCED"
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

/** Whether a check result lets the run pass, given the replication's recorded verdict. */
export function verdictAccepted(result: CheckResult, recorded?: RecordedVerdict): boolean {
  if (result.verdict === "REPRODUCED") return true;
  return recorded !== undefined && recorded.verdict === result.verdict;
}

/** Numeric value of a cell, or an error naming the column. */
export function num(row: Row, column: string): number {
  const v = row[column];
  if (typeof v !== "number") {
    throw new Error(`column "${column}" is not numeric (got ${JSON.stringify(v)})`);
  }
  return v;
}

/**
 * Group rows by the value of one column, in order of first appearance.
 *
 * @example
 * ```ts
 * const byPanel = groupBy([{ p: "a", x: 1 }, { p: "b", x: 2 }, { p: "a", x: 3 }], "p");
 * // Map { "a" => [row0, row2], "b" => [row1] }
 * ```
 */
export function groupBy(rows: Row[], column: string): Map<Cell, Row[]> {
  const groups = new Map<Cell, Row[]>();
  for (const r of rows) {
    const k = r[column];
    if (k === undefined) throw new Error(`row has no column "${column}"`);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}

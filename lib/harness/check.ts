/**
 * Check helpers: each builds one {@link CheckItem} (name, measured, expected, pass) from a
 * measured value and one threshold, so a threshold is written once and its text follows
 * from it. A NaN measurement never passes. Plus the row accessors claim checks use.
 *
 * @example
 * ```ts
 * import { atLeast, atMost, ordered, within } from "./check.ts";
 * import assert from "node:assert/strict";
 * const items = [
 *   atLeast("NC at the last iteration", 0.9966, 0.99),
 *   atMost("relative error", 3e-4, 1e-3),
 *   within("fitted slope", 0.47, 0.5, 0.1),
 *   ordered("entropy falls with η", [1.2, 0.9, 0.4], "decreasing"),
 * ];
 * assert.ok(items.every((i) => i.pass));
 * ```
 *
 * @module
 */

import type { CheckItem, Row, Value } from "./contract.ts";

/** How a number is printed in `measured`/`expected`. */
export interface FormatOptions {
  /** Significant digits (default 4). */
  digits?: number;
  /** Unit appended after the number, e.g. "%" or " s". */
  unit?: string;
}

/**
 * A number for humans: `digits` significant digits, exponent notation for very small or
 * large magnitudes, integers as they are.
 *
 * @example
 * ```ts
 * import { fmt } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.ok(fmt(0.123456) === "0.1235");
 * assert.ok(fmt(3e-9) === "3.000e-9");
 * assert.ok(fmt(12) === "12");
 * ```
 */
export function fmt(x: number, opts: FormatOptions = {}): string {
  const unit = opts.unit ?? "";
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return (x > 0 ? "∞" : "−∞") + unit;
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x) + unit;
  const d = opts.digits ?? 4;
  const a = Math.abs(x);
  const s = a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(d - 1) : x.toPrecision(d);
  return s + unit;
}

/**
 * `measured ≤ max`.
 *
 * @example
 * ```ts
 * import { atMost } from "./check.ts";
 * import assert from "node:assert/strict";
 * const i = atMost("max error", 2e-10, 1e-9);
 * assert.ok(i.pass && i.expected === "≤ 1.000e-9");
 * ```
 */
export function atMost(name: string, measured: number, max: number, f?: FormatOptions): CheckItem {
  return { name, pass: measured <= max, measured: fmt(measured, f), expected: `≤ ${fmt(max, f)}` };
}

/**
 * `measured ≥ min`.
 *
 * @example
 * ```ts
 * import { atLeast } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.ok(!atLeast("accuracy", NaN, 0.9).pass);
 * ```
 */
export function atLeast(
  name: string,
  measured: number,
  min: number,
  f?: FormatOptions,
): CheckItem {
  return { name, pass: measured >= min, measured: fmt(measured, f), expected: `≥ ${fmt(min, f)}` };
}

/**
 * `measured < max` (strict).
 *
 * @example
 * ```ts
 * import { below } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.ok(!below("p", 0.01, 0.01).pass);
 * ```
 */
export function below(name: string, measured: number, max: number, f?: FormatOptions): CheckItem {
  return { name, pass: measured < max, measured: fmt(measured, f), expected: `< ${fmt(max, f)}` };
}

/**
 * `measured > min` (strict).
 *
 * @example
 * ```ts
 * import { above } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.ok(above("gap", 0.3, 0).pass);
 * ```
 */
export function above(name: string, measured: number, min: number, f?: FormatOptions): CheckItem {
  return { name, pass: measured > min, measured: fmt(measured, f), expected: `> ${fmt(min, f)}` };
}

/**
 * `|measured − target| ≤ tol`.
 *
 * @example
 * ```ts
 * import { within } from "./check.ts";
 * import assert from "node:assert/strict";
 * const i = within("B(t0)", 1.3817, 1.38, 0.01);
 * assert.ok(i.pass && i.expected === "1.380 ± 0.01000");
 * ```
 */
export function within(
  name: string,
  measured: number,
  target: number,
  tol: number,
  f?: FormatOptions,
): CheckItem {
  return {
    name,
    pass: Math.abs(measured - target) <= tol,
    measured: fmt(measured, f),
    expected: `${fmt(target, f)} ± ${fmt(tol, f)}`,
  };
}

/**
 * `lo ≤ measured ≤ hi`.
 *
 * @example
 * ```ts
 * import { between } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.ok(between("s = 0 correlation", 0.97, 0.94, 1).pass);
 * ```
 */
export function between(
  name: string,
  measured: number,
  lo: number,
  hi: number,
  f?: FormatOptions,
): CheckItem {
  return {
    name,
    pass: measured >= lo && measured <= hi,
    measured: fmt(measured, f),
    expected: `in [${fmt(lo, f)}, ${fmt(hi, f)}]`,
  };
}

/** Options of {@link ordered}. */
export interface OrderedOptions extends FormatOptions {
  /** Require strict inequalities (default true). */
  strict?: boolean;
  /** Labels of the values, shown in `measured` (default the values alone). */
  labels?: string[];
  /** Allowed violation per adjacent pair (default 0): a rise ≤ slack still counts as decreasing. */
  slack?: number;
}

/**
 * The values are ordered: each adjacent pair increases (or decreases), strictly by default.
 *
 * @example
 * ```ts
 * import { ordered } from "./check.ts";
 * import assert from "node:assert/strict";
 * const i = ordered("t* falls with η", [21.4, 10.7, 5.6], "decreasing", { labels: ["η=1", "η=2", "η=4"] });
 * assert.ok(i.pass && i.measured === "η=1: 21.40 > η=2: 10.70 > η=4: 5.600");
 * ```
 */
export function ordered(
  name: string,
  values: number[],
  direction: "increasing" | "decreasing",
  opts: OrderedOptions = {},
): CheckItem {
  const strict = opts.strict ?? true;
  const slack = opts.slack ?? 0;
  const sign = direction === "increasing" ? 1 : -1;
  const ok = values.length >= 2 && values.slice(1).every((v, i) => {
    const step = sign * (v - values[i]);
    return strict ? step > -slack : step >= -slack;
  });
  const rel = direction === "increasing" ? (strict ? " < " : " ≤ ") : (strict ? " > " : " ≥ ");
  const shown = values.map((v, i) => (opts.labels ? `${opts.labels[i]}: ` : "") + fmt(v, opts));
  return {
    name,
    pass: ok,
    measured: shown.join(rel),
    expected: `${strict ? "strictly " : ""}${direction}` +
      (slack > 0 ? ` (adjacent violations ≤ ${fmt(slack, opts)})` : ""),
  };
}

/**
 * A check item for a relation the helpers above do not cover: say what was measured and
 * what was expected in words.
 *
 * @example
 * ```ts
 * import { holds } from "./check.ts";
 * import assert from "node:assert/strict";
 * const i = holds("path always reaches the target", 10000 === 10000, "10000/10000", "all");
 * assert.ok(i.pass);
 * ```
 */
export function holds(name: string, pass: boolean, measured: string, expected: string): CheckItem {
  return { name, pass, measured, expected };
}

/**
 * Numeric value of a column, or an error naming the column.
 *
 * @example
 * ```ts
 * import { num } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.ok(num({ loss: 0.5 }, "loss") === 0.5);
 * ```
 */
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
 * import { groupBy } from "./check.ts";
 * import assert from "node:assert/strict";
 * const byPanel = groupBy([{ p: "a", x: 1 }, { p: "b", x: 2 }, { p: "a", x: 3 }], "p");
 * assert.ok(byPanel.get("a")!.length === 2);
 * ```
 */
export function groupBy(rows: Row[], column: string): Map<Value, Row[]> {
  const groups = new Map<Value, Row[]>();
  for (const r of rows) {
    const k = r[column];
    if (k === undefined) throw new Error(`row has no column "${column}"`);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}

/**
 * The rows whose columns equal the given values.
 *
 * @example
 * ```ts
 * import { where } from "./check.ts";
 * import assert from "node:assert/strict";
 * const rows = [{ s: "a", t: 1, v: 2 }, { s: "b", t: 1, v: 3 }];
 * assert.ok(where(rows, { s: "b" })[0].v === 3);
 * ```
 */
export function where(rows: Row[], match: Record<string, Value>): Row[] {
  const entries = Object.entries(match);
  return rows.filter((r) => entries.every(([k, v]) => r[k] === v));
}

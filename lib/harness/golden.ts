/**
 * Golden CSVs with per-column tolerances: parse a tolerance spec, diff an obtained table
 * against its golden (rows matched by key columns), format a readable failure report, and
 * the update policy (`--update-golden` rewrites failing or missing goldens,
 * `--update-golden=all` rewrites all; nothing is rewritten without the flag).
 *
 * Layout: `golden/<id>.<profile>.csv` and `golden/<id>.tolerance.json`.
 *
 * @module
 */

import { formatCsv, parseCsv, readCsv, type Table } from "./csv.ts";
import { exists, writeFileAtomic } from "./fs.ts";
import type { Cell, Profile, Row } from "./contract.ts";

/** Absolute and relative tolerance: |obtained − expected| ≤ atol + rtol·|expected|. */
export interface Tolerance {
  /** Absolute tolerance (≥ 0). */
  atol: number;
  /** Relative tolerance (≥ 0), relative to the expected value. */
  rtol: number;
}

/** A parsed tolerance spec. */
export interface ToleranceSpec {
  /** Columns whose values identify a row; matched exactly. */
  keys: string[];
  /** Tolerance for numeric columns not listed in `columns`. */
  default: Tolerance;
  /** Per-column tolerances. */
  columns: Record<string, Tolerance>;
  /** The seed the goldens were made with; runs with another seed skip the diff. */
  seed: number;
}

/** Raised for a tolerance spec that is not valid. */
export class ToleranceSpecError extends Error {
  /** @param source file name, @param message what is wrong */
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = "ToleranceSpecError";
  }
}

function parseTolerance(v: unknown, where: string, source: string): Tolerance {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ToleranceSpecError(source, `${where} must be an object {"atol": n, "rtol": n}`);
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!["atol", "rtol", "why"].includes(k)) {
      throw new ToleranceSpecError(source, `${where} has unknown field "${k}"`);
    }
  }
  const get = (k: "atol" | "rtol") => {
    const x = o[k] ?? 0;
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0) {
      throw new ToleranceSpecError(source, `${where}.${k} must be a finite number ≥ 0`);
    }
    return x;
  };
  return { atol: get("atol"), rtol: get("rtol") };
}

/**
 * Parse and validate a tolerance spec (JSON text). Fields: `keys` (non-empty array of
 * column names), optional `default` and `columns` (`{col: {atol, rtol, why?}}`), optional
 * `seed` (integer, default 0) and free-text `note`.
 */
export function parseToleranceSpec(text: string, source = "tolerance spec"): ToleranceSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ToleranceSpecError(source, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ToleranceSpecError(source, "must be a JSON object");
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!["keys", "default", "columns", "seed", "note"].includes(k)) {
      throw new ToleranceSpecError(source, `unknown field "${k}"`);
    }
  }
  const keys = o.keys;
  if (
    !Array.isArray(keys) || keys.length === 0 ||
    !keys.every((k) => typeof k === "string" && k.length > 0)
  ) {
    throw new ToleranceSpecError(source, `"keys" must be a non-empty array of column names`);
  }
  if (new Set(keys).size !== keys.length) {
    throw new ToleranceSpecError(source, `"keys" repeats a column`);
  }
  const def = o.default === undefined
    ? { atol: 0, rtol: 0 }
    : parseTolerance(o.default, "default", source);
  const columns: Record<string, Tolerance> = {};
  if (o.columns !== undefined) {
    if (typeof o.columns !== "object" || o.columns === null || Array.isArray(o.columns)) {
      throw new ToleranceSpecError(source, `"columns" must be an object`);
    }
    for (const [c, t] of Object.entries(o.columns)) {
      if (keys.includes(c)) {
        throw new ToleranceSpecError(source, `key column "${c}" cannot have a tolerance`);
      }
      columns[c] = parseTolerance(t, `columns.${c}`, source);
    }
  }
  const seed = o.seed ?? 0;
  if (typeof seed !== "number" || !Number.isInteger(seed)) {
    throw new ToleranceSpecError(source, `"seed" must be an integer`);
  }
  return { keys: keys as string[], default: def, columns, seed };
}

/** One cell that differs beyond tolerance. */
export interface Mismatch {
  /** The row's key, e.g. `eta=1, t=5`. */
  key: string;
  /** Column name. */
  column: string;
  /** Obtained cell. */
  obtained: Cell;
  /** Expected (golden) cell. */
  expected: Cell;
  /** |obtained − expected| (NaN for non-numeric or NaN-vs-number). */
  absError: number;
  /** absError / |expected|. */
  relError: number;
  /** atol + rtol·|expected|. */
  allowed: number;
}

/** Per-column error statistics over the matched rows. */
export interface ColumnStats {
  /** Column name. */
  column: string;
  /** Cells compared. */
  compared: number;
  /** Cells outside tolerance. */
  failed: number;
  /** Largest absolute error among numeric cells. */
  maxAbs: number;
  /** Largest relative error among numeric cells with expected ≠ 0. */
  maxRel: number;
}

/** The outcome of a golden diff. */
export interface DiffResult {
  /** True when nothing is missing, extra, or outside tolerance. */
  ok: boolean;
  /** Structural problems: missing/extra columns and rows, duplicate keys. */
  problems: string[];
  /** Cells outside tolerance. */
  mismatches: Mismatch[];
  /** Statistics per compared column. */
  stats: ColumnStats[];
  /** Rows matched by key. */
  matchedRows: number;
}

/** Whether two cells agree within tolerance: NaN equals NaN, strings compare exactly. */
export function cellsClose(obtained: Cell, expected: Cell, tol: Tolerance): boolean {
  if (typeof obtained === "number" && typeof expected === "number") {
    if (Number.isNaN(obtained) || Number.isNaN(expected)) {
      return Number.isNaN(obtained) && Number.isNaN(expected);
    }
    if (!Number.isFinite(obtained) || !Number.isFinite(expected)) return obtained === expected;
    return Math.abs(obtained - expected) <= tol.atol + tol.rtol * Math.abs(expected);
  }
  return obtained === expected;
}

function keyOf(row: Row, keys: string[]): string {
  return keys.map((k) => `${k}=${String(row[k])}`).join(", ");
}

function indexRows(rows: Row[], keys: string[], what: string, problems: string[]) {
  const map = new Map<string, Row>();
  for (const r of rows) {
    const k = keyOf(r, keys);
    if (map.has(k)) problems.push(`${what} has two rows with key (${k})`);
    map.set(k, r);
  }
  return map;
}

/** Diff an obtained table against the golden table under a tolerance spec. */
export function diffTables(obtained: Table, expected: Table, spec: ToleranceSpec): DiffResult {
  const problems: string[] = [];
  for (const k of spec.keys) {
    if (!expected.columns.includes(k)) problems.push(`key column "${k}" is not in the golden`);
    if (!obtained.columns.includes(k)) problems.push(`key column "${k}" is not in the output`);
  }
  if (problems.length > 0) {
    return { ok: false, problems, mismatches: [], stats: [], matchedRows: 0 };
  }
  for (const c of expected.columns) {
    if (!obtained.columns.includes(c)) {
      problems.push(`column "${c}" is in the golden, missing from the output`);
    }
  }
  for (const c of obtained.columns) {
    if (!expected.columns.includes(c)) {
      problems.push(`column "${c}" is in the output, not in the golden`);
    }
  }
  const exp = indexRows(expected.rows, spec.keys, "the golden", problems);
  const obt = indexRows(obtained.rows, spec.keys, "the output", problems);
  const valueCols = expected.columns.filter((c) =>
    !spec.keys.includes(c) && obtained.columns.includes(c)
  );
  const stats = new Map<string, ColumnStats>(
    valueCols.map((c) => [c, { column: c, compared: 0, failed: 0, maxAbs: 0, maxRel: 0 }]),
  );
  const mismatches: Mismatch[] = [];
  const missing: string[] = [];
  let matchedRows = 0;
  for (const [k, e] of exp) {
    const o = obt.get(k);
    if (!o) {
      missing.push(k);
      continue;
    }
    matchedRows++;
    for (const c of valueCols) {
      const tol = spec.columns[c] ?? spec.default;
      const s = stats.get(c)!;
      s.compared++;
      const ov = o[c];
      const ev = e[c];
      let abs = NaN;
      let rel = NaN;
      if (typeof ov === "number" && typeof ev === "number" && Number.isFinite(ov - ev)) {
        abs = Math.abs(ov - ev);
        rel = ev !== 0 ? abs / Math.abs(ev) : (abs === 0 ? 0 : Infinity);
        s.maxAbs = Math.max(s.maxAbs, abs);
        if (Number.isFinite(rel)) s.maxRel = Math.max(s.maxRel, rel);
      }
      if (!cellsClose(ov, ev, tol)) {
        s.failed++;
        const allowed = typeof ev === "number" ? tol.atol + tol.rtol * Math.abs(ev) : 0;
        mismatches.push({
          key: k,
          column: c,
          obtained: ov,
          expected: ev,
          absError: abs,
          relError: rel,
          allowed,
        });
      }
    }
  }
  if (missing.length > 0) {
    problems.push(
      `${missing.length} golden row(s) missing from the output: ${summarizeKeys(missing)}`,
    );
  }
  const extra = [...obt.keys()].filter((k) => !exp.has(k));
  if (extra.length > 0) {
    problems.push(`${extra.length} extra row(s) in the output: ${summarizeKeys(extra)}`);
  }
  return {
    ok: problems.length === 0 && mismatches.length === 0,
    problems,
    mismatches,
    stats: [...stats.values()],
    matchedRows,
  };
}

function summarizeKeys(keys: string[]): string {
  const shown = keys.slice(0, 5).map((k) => `(${k})`).join(" ");
  return keys.length > 5 ? `${shown} … and ${keys.length - 5} more` : shown;
}

function fmt(v: Cell | number): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v) || v === 0) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? v.toPrecision(8) : v.toExponential(6);
}

/** A readable report of a failed diff: problems, per-column counts and errors, worst cells. */
export function formatDiff(result: DiffResult, worst = 10): string {
  const lines: string[] = [];
  for (const p of result.problems) lines.push(`  - ${p}`);
  const failing = result.stats.filter((s) => s.failed > 0);
  if (failing.length > 0) {
    lines.push(`  columns outside tolerance (of ${result.matchedRows} matched rows):`);
    for (const s of failing) {
      lines.push(
        `    ${s.column}: ${s.failed}/${s.compared} cells (${
          (100 * s.failed / s.compared).toFixed(1)
        }%), max abs error ${fmt(s.maxAbs)}, max rel error ${fmt(s.maxRel)}`,
      );
    }
    const sorted = [...result.mismatches].sort((a, b) => severity(b) - severity(a));
    lines.push(`  worst ${Math.min(worst, sorted.length)} cell(s):`);
    const header = ["row key", "column", "obtained", "expected", "|diff|", "allowed"];
    const table = sorted.slice(0, worst).map((m) => [
      m.key,
      m.column,
      fmt(m.obtained),
      fmt(m.expected),
      fmt(m.absError),
      fmt(m.allowed),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
    const line = (r: string[]) => "    " + r.map((c, i) => c.padEnd(widths[i])).join("  ");
    lines.push(line(header));
    for (const r of table) lines.push(line(r));
  }
  return lines.join("\n");
}

function severity(m: Mismatch): number {
  if (!Number.isFinite(m.absError)) return Infinity;
  return m.allowed > 0 ? m.absError / m.allowed : Infinity;
}

/** How `--update-golden` was given: not at all, bare (failing/missing only), or `=all`. */
export type UpdateMode = "none" | "failing" | "all";

/** The status of a golden comparison. */
export type GoldenStatus =
  | "match"
  | "drift"
  | "missing"
  | "updated"
  | "created"
  | "skipped"
  | "error";

/** The outcome of comparing one replication's output with its golden. */
export interface GoldenOutcome {
  /** What happened. */
  status: GoldenStatus;
  /** Whether this status lets the run pass. */
  ok: boolean;
  /** Human-readable detail (diff report, command to create, reason for skipping). */
  detail: string;
  /** The diff, when one was computed. */
  diff?: DiffResult;
}

/** Paths of a replication's golden CSV (per profile) and tolerance spec. */
export function goldenPaths(goldenDir: string, id: string, profile: Profile) {
  return {
    csv: `${goldenDir}/${id}.${profile}.csv`,
    tolerance: `${goldenDir}/${id}.tolerance.json`,
  };
}

/** Options of {@link compareWithGolden}. */
export interface CompareOptions {
  /** Root of the goldens (`golden`). */
  goldenDir: string;
  /** Replication id. */
  id: string;
  /** Profile run. */
  profile: Profile;
  /** The seed the run used. */
  seed: number;
  /** The obtained CSV text, exactly as written to data.csv. */
  obtainedCsv: string;
  /** Where to write `<id>.obtained.csv` on failure. */
  obtainedPath: string;
  /** The update policy. */
  update: UpdateMode;
}

/**
 * Compare an obtained CSV with its golden and apply the update policy. A missing golden
 * fails (with the command that creates it) unless updating; a drift writes the obtained
 * CSV beside the output; goldens are written atomically and only under an update mode.
 */
export async function compareWithGolden(opts: CompareOptions): Promise<GoldenOutcome> {
  const paths = goldenPaths(opts.goldenDir, opts.id, opts.profile);
  const createCmd = `deno task replicate ${opts.id} --profile ${opts.profile} --update-golden`;
  if (!(await exists(paths.tolerance))) {
    return {
      status: "error",
      ok: false,
      detail: `no tolerance spec at ${paths.tolerance}: write one ` +
        `({"keys": [...], "default": {"atol": a, "rtol": r}, "columns": {...}}) ` +
        `and justify it in the claim, then run: ${createCmd}`,
    };
  }
  const spec = parseToleranceSpec(await Deno.readTextFile(paths.tolerance), paths.tolerance);
  if (opts.seed !== spec.seed) {
    return {
      status: "skipped",
      ok: true,
      detail: `the golden is for seed ${spec.seed}; this run used seed ${opts.seed}`,
    };
  }
  const obtained = parseCsv(opts.obtainedCsv, "output");
  if (!(await exists(paths.csv))) {
    if (opts.update !== "none") {
      await writeFileAtomic(paths.csv, opts.obtainedCsv);
      return { status: "created", ok: true, detail: `created ${paths.csv}` };
    }
    return {
      status: "missing",
      ok: false,
      detail: `no golden at ${paths.csv}; create it with: ${createCmd}`,
    };
  }
  const expected = await readCsv(paths.csv);
  const diff = diffTables(obtained, expected, spec);
  if (diff.ok && opts.update !== "all") {
    return { status: "match", ok: true, detail: summaryLine(diff), diff };
  }
  if (opts.update !== "none") {
    await writeFileAtomic(paths.csv, opts.obtainedCsv);
    return {
      status: "updated",
      ok: true,
      detail: diff.ok
        ? `rewrote ${paths.csv} (it matched: ${summaryLine(diff)})`
        : `rewrote ${paths.csv}; it differed:\n${formatDiff(diff)}`,
      diff,
    };
  }
  await writeFileAtomic(opts.obtainedPath, opts.obtainedCsv);
  return {
    status: "drift",
    ok: false,
    detail: `output differs from ${paths.csv} (obtained written to ${opts.obtainedPath}; ` +
      `accept it with: deno task replicate ${opts.id} --profile ${opts.profile} ` +
      `--update-golden):\n${formatDiff(diff)}`,
    diff,
  };
}

function summaryLine(d: DiffResult): string {
  const worst = d.stats.reduce((m, s) => Math.max(m, s.maxRel), 0);
  return `${d.matchedRows} rows within tolerance (max rel error ${fmt(worst)})`;
}

/** Re-export for callers that format goldens themselves. */
export { formatCsv };

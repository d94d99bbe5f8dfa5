/**
 * Goldens: a replication's own earlier output, `golden/<id>.<profile>.csv`, with its
 * provenance beside it (`golden/<id>.<profile>.json`: commit, backend, adapter, CPU,
 * date, wall time, seed). The output is diffed against it under the tolerances the
 * replication declares next to its check (rows matched by key columns), with a readable
 * report of what differs. Nothing is rewritten without `--update-golden` (failing or
 * missing goldens; `=all` rewrites every one), and never from a run whose claim check was
 * not accepted.
 *
 * @module
 */

import { parseCsv, type Table } from "./csv.ts";
import { exists, writeFileAtomic } from "./fs.ts";
import type { Profile, Row, Tolerances, Value } from "./contract.ts";
import { formatTable } from "./table.ts";

/** Absolute and relative tolerance: |obtained − expected| ≤ atol + rtol·|expected|. */
export interface Tolerance {
  /** Absolute tolerance (≥ 0). */
  atol: number;
  /** Relative tolerance (≥ 0), relative to the expected value. */
  rtol: number;
}

/** Tolerances resolved for diffing: keys, a default and per-column values. */
export interface ToleranceSpec {
  /** Columns whose values identify a row; matched exactly. */
  keys: string[];
  /** Tolerance for numeric columns not listed in `columns`. */
  default: Tolerance;
  /** Per-column tolerances. */
  columns: Record<string, Tolerance>;
}

/**
 * Resolve a replication's declared {@link Tolerances} (atol/rtol default to 0).
 *
 * @example
 * ```ts
 * import { resolveTolerances } from "./golden.ts";
 * import assert from "node:assert/strict";
 * const t = resolveTolerances({ keys: ["k"], columns: { x: { atol: 0.1, why: "float32" } } });
 * assert.ok(t.columns.x.rtol === 0 && t.default.atol === 0);
 * ```
 */
export function resolveTolerances(t: Tolerances): ToleranceSpec {
  const tol = (r?: { atol?: number; rtol?: number }): Tolerance => ({
    atol: r?.atol ?? 0,
    rtol: r?.rtol ?? 0,
  });
  const columns: Record<string, Tolerance> = {};
  for (const [c, r] of Object.entries(t.columns ?? {})) columns[c] = tol(r);
  return { keys: [...t.keys], default: tol(t.default), columns };
}

/**
 * Mistakes in the tolerances themselves, against the output's columns: a key or a
 * tolerance naming a column the output does not have. These are not drift: no golden
 * update can fix them.
 *
 * @example
 * ```ts
 * import { toleranceProblems } from "./golden.ts";
 * import assert from "node:assert/strict";
 * const p = toleranceProblems({ keys: ["k"], default: { atol: 0, rtol: 0 }, columns: { z: { atol: 1, rtol: 0 } } }, ["k", "x"]);
 * assert.ok(p.length === 1 && p[0].includes('"z"'));
 * ```
 */
export function toleranceProblems(spec: ToleranceSpec, outputColumns: string[]): string[] {
  const problems: string[] = [];
  for (const k of spec.keys) {
    if (!outputColumns.includes(k)) {
      problems.push(`tolerances.keys names "${k}", which the output does not have`);
    }
  }
  for (const c of Object.keys(spec.columns)) {
    if (!outputColumns.includes(c)) {
      problems.push(`tolerances.columns names "${c}", which the output does not have`);
    }
  }
  return problems;
}

/** One cell that differs beyond tolerance. */
export interface Mismatch {
  /** The row's key, e.g. `eta=1, t=5`. */
  key: string;
  /** Column name. */
  column: string;
  /** Obtained cell. */
  obtained: Value;
  /** Expected (golden) cell. */
  expected: Value;
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
  /** Values compared. */
  compared: number;
  /** Values outside tolerance. */
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
  /** Values outside tolerance. */
  mismatches: Mismatch[];
  /** Statistics per compared column. */
  stats: ColumnStats[];
  /** Rows matched by key. */
  matchedRows: number;
}

/** Whether two cells agree within tolerance: NaN equals NaN, strings compare exactly. */
export function cellsClose(obtained: Value, expected: Value, tol: Tolerance): boolean {
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

function fmt(v: Value | number): string {
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
        `    ${s.column}: ${s.failed}/${s.compared} values (${
          (100 * s.failed / s.compared).toFixed(1)
        }%), max abs error ${fmt(s.maxAbs)}, max rel error ${fmt(s.maxRel)}`,
      );
    }
    const sorted = [...result.mismatches].sort((a, b) => severity(b) - severity(a));
    lines.push(`  worst ${Math.min(worst, sorted.length)} value(s):`);
    const table = sorted.slice(0, worst).map((m) => [
      m.key,
      m.column,
      fmt(m.obtained),
      fmt(m.expected),
      fmt(m.absError),
      fmt(m.allowed),
    ]);
    lines.push(
      formatTable(
        ["row key", "column", "obtained", "expected", "|diff|", "allowed"],
        table,
        "    ",
      ),
    );
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

/** Where a golden came from: stored beside it as `<id>.<profile>.json`. */
export interface GoldenProvenance {
  /** Format tag. */
  format: "replicate-golden/1";
  /** Replication id. */
  id: string;
  /** Profile. */
  profile: Profile;
  /** Seed of the run that made it. */
  seed: number;
  /** git commit of that run. */
  commit: string;
  /** tfjs backend (or "none"). */
  backend: string;
  /** WebGPU adapter description. */
  adapter: string;
  /** CPU model × cores. */
  cpu: string;
  /** Deno version. */
  deno: string;
  /** tfjs version, when loaded. */
  tfjs: string | null;
  /** ISO date the golden was written. */
  date: string;
  /** Wall time of the run, seconds. */
  wallSeconds: number;
  /** Summed compute time of its cells, seconds. */
  cellSeconds: number;
  /** Number of cells. */
  cells: number;
}

/** Paths of a replication's golden CSV and its provenance (per profile). */
export function goldenPaths(goldenDir: string, id: string, profile: Profile) {
  return {
    csv: `${goldenDir}/${id}.${profile}.csv`,
    provenance: `${goldenDir}/${id}.${profile}.json`,
  };
}

/**
 * Read a golden's provenance; null when there is none or it cannot be read (the reason is
 * then in `problem`).
 */
export async function readGoldenProvenance(
  goldenDir: string,
  id: string,
  profile: Profile,
): Promise<{ provenance: GoldenProvenance | null; problem: string | null }> {
  const path = goldenPaths(goldenDir, id, profile).provenance;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { provenance: null, problem: null };
    return { provenance: null, problem: `${path}: ${(e as Error).message}` };
  }
  try {
    const p = JSON.parse(text) as GoldenProvenance;
    if (p?.format !== "replicate-golden/1" || typeof p.seed !== "number") {
      return { provenance: null, problem: `${path}: not a golden provenance file` };
    }
    return { provenance: p, problem: null };
  } catch (e) {
    return { provenance: null, problem: `${path}: not valid JSON (${(e as Error).message})` };
  }
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
  /** The replication's tolerances. */
  tolerances: Tolerances;
  /** The obtained CSV text, exactly as written to data.csv. */
  obtainedCsv: string;
  /** Where to write `<id>.obtained.csv` on drift (and remove it on a match). */
  obtainedPath: string;
  /** The update policy. */
  update: UpdateMode;
  /**
   * Why the golden may not be written even under an update mode (the claim check was not
   * accepted, or the run errored); null when it may.
   */
  refuseUpdate: string | null;
  /** Provenance to store beside a golden that is written. */
  provenance: Omit<GoldenProvenance, "format" | "id" | "profile" | "seed" | "date">;
}

/**
 * Compare an obtained CSV with its golden and apply the update policy. A missing golden
 * fails (with the command that creates it) unless updating; a drift writes the obtained
 * CSV beside the output (a later match removes it); a golden that cannot be parsed is
 * repaired under an update mode; mistakes in the tolerances are errors no update can fix.
 * Goldens are written atomically, with their provenance, and only under an update mode.
 */
export async function compareWithGolden(opts: CompareOptions): Promise<GoldenOutcome> {
  const paths = goldenPaths(opts.goldenDir, opts.id, opts.profile);
  const createCmd = `deno task replicate ${opts.id} --profile ${opts.profile} --update-golden`;
  const spec = resolveTolerances(opts.tolerances);
  const obtained = parseCsv(opts.obtainedCsv, "output");
  const specProblems = toleranceProblems(spec, obtained.columns);
  if (specProblems.length > 0) {
    return {
      status: "error",
      ok: false,
      detail: `the tolerances in replications/${opts.id}/replication.ts do not fit the output ` +
        `(fix them there; --update-golden cannot):\n${
          specProblems.map((p) => `  - ${p}`).join("\n")
        }`,
    };
  }
  const { provenance: prov, problem: provProblem } = await readGoldenProvenance(
    opts.goldenDir,
    opts.id,
    opts.profile,
  );
  const goldenSeed = prov?.seed ?? 0;
  if (opts.seed !== goldenSeed) {
    return {
      status: "skipped",
      ok: true,
      detail: `the golden is for seed ${goldenSeed}; this run used seed ${opts.seed}`,
    };
  }
  const write = async (what: string): Promise<GoldenOutcome | null> => {
    if (opts.update === "none") return null;
    if (opts.refuseUpdate) {
      return {
        status: "error",
        ok: false,
        detail: `${what}; not written because ${opts.refuseUpdate}`,
      };
    }
    await writeFileAtomic(paths.csv, opts.obtainedCsv);
    const p: GoldenProvenance = {
      format: "replicate-golden/1",
      id: opts.id,
      profile: opts.profile,
      seed: opts.seed,
      date: new Date().toISOString(),
      ...opts.provenance,
    };
    await writeFileAtomic(paths.provenance, JSON.stringify(p, null, 2) + "\n");
    await Deno.remove(opts.obtainedPath).catch(() => {});
    return null;
  };
  if (!(await exists(paths.csv))) {
    const refused = await write(`no golden at ${paths.csv}`);
    if (refused) return refused;
    if (opts.update !== "none") {
      return { status: "created", ok: true, detail: `created ${paths.csv}` };
    }
    return {
      status: "missing",
      ok: false,
      detail: `no golden at ${paths.csv}; create it with: ${createCmd}`,
    };
  }
  let expected: Table;
  try {
    expected = parseCsv(await Deno.readTextFile(paths.csv), paths.csv);
  } catch (e) {
    const why = `the golden cannot be read (${(e as Error).message})`;
    const refused = await write(why);
    if (refused) return refused;
    if (opts.update !== "none") {
      return { status: "updated", ok: true, detail: `${why}; rewrote it from this run` };
    }
    return {
      status: "error",
      ok: false,
      detail: `${why}; repair it with: ${createCmd}`,
    };
  }
  const diff = diffTables(obtained, expected, spec);
  if (diff.ok && opts.update !== "all") {
    await Deno.remove(opts.obtainedPath).catch(() => {});
    const note = provProblem ? ` (provenance unreadable: ${provProblem})` : "";
    return { status: "match", ok: true, detail: summaryLine(diff) + note, diff };
  }
  const refused = await write(diff.ok ? "it matched" : `it differed:\n${formatDiff(diff)}`);
  if (refused) return { ...refused, diff };
  if (opts.update !== "none") {
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
      `accept it with: ${createCmd}):\n${formatDiff(diff)}`,
    diff,
  };
}

function summaryLine(d: DiffResult): string {
  const worst = d.stats.reduce((m, s) => Math.max(m, s.maxRel), 0);
  return `${d.matchedRows} rows within tolerance (max rel error ${fmt(worst)})`;
}

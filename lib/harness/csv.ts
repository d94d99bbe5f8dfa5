/**
 * Tidy CSV in and out, with `d3-dsv` doing the quoting. Numbers are written with
 * round-trip precision (JavaScript's shortest representation that parses back to the
 * same double, the analogue of `%.17g`), `NaN` and `±Infinity` literally; a cell that reads
 * as a number is parsed as one.
 *
 * @module
 */

import { csvFormatRows, csvParseRows } from "d3-dsv";
import type { Row, Value } from "./contract.ts";
import { writeFileAtomic } from "./fs.ts";

/** A parsed table: its column names in file order and its rows. */
export interface Table {
  /** Column names, in order. */
  columns: string[];
  /** Rows keyed by column name. */
  rows: Row[];
}

/** Raised for a CSV that cannot be read as a tidy table. */
export class CsvError extends Error {
  /** @param source file name or description, @param message what is wrong */
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = "CsvError";
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parse one cell: a number where the text is one (incl. NaN, ±Infinity), else the string. */
export function parseCell(text: string): Value {
  if (NUMBER.test(text)) return Number(text);
  if (text === "NaN") return NaN;
  if (text === "Infinity" || text === "+Infinity") return Infinity;
  if (text === "-Infinity") return -Infinity;
  return text;
}

/** Format one cell with round-trip precision. */
export function formatCell(v: Value): string {
  if (typeof v === "number") return Object.is(v, -0) ? "0" : String(v);
  if (typeof v === "string") return v;
  throw new TypeError(`cell ${JSON.stringify(v)} is neither number nor string`);
}

/**
 * Parse CSV text into a table. Fails on an empty file, a missing/duplicate/empty column
 * name, or a row whose field count differs from the header's.
 */
export function parseCsv(text: string, source = "csv"): Table {
  const raw = csvParseRows(text.replace(/^\uFEFF/, ""));
  while (raw.length > 0 && raw[raw.length - 1].length === 1 && raw[raw.length - 1][0] === "") {
    raw.pop();
  }
  if (raw.length === 0) throw new CsvError(source, "empty file (no header row)");
  const columns = raw[0];
  const seen = new Set<string>();
  for (const c of columns) {
    if (c.trim() === "") throw new CsvError(source, "header has an empty column name");
    if (seen.has(c)) throw new CsvError(source, `header repeats column "${c}"`);
    seen.add(c);
  }
  const rows: Row[] = [];
  for (let i = 1; i < raw.length; i++) {
    const fields = raw[i];
    if (fields.length !== columns.length) {
      throw new CsvError(
        source,
        `line ${i + 1} has ${fields.length} fields, the header has ${columns.length}`,
      );
    }
    const row: Row = {};
    columns.forEach((c: string, k: number) => (row[c] = parseCell(fields[k])));
    rows.push(row);
  }
  return { columns, rows };
}

/** Column names of rows: the first row's keys, then any new keys of later rows, in order. */
export function columnsOf(rows: Row[]): string[] {
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        cols.push(k);
      }
    }
  }
  return cols;
}

/** Options of {@link formatCsv}. */
export interface FormatCsvOptions {
  /** Column order (default: {@link columnsOf} the rows). */
  columns?: string[];
  /** Value written where a row lacks a column (default: a missing value is an error). */
  fill?: Value;
}

/**
 * Format rows as CSV text (header + rows, trailing newline). A row that lacks a column is
 * an error unless `fill` is given (rows of different shapes in one table).
 *
 * @example
 * ```ts
 * import { formatCsv } from "./csv.ts";
 * import assert from "node:assert/strict";
 * const text = formatCsv([{ a: 1, b: 0.5 }, { a: 2 }], { fill: NaN });
 * assert.ok(text === "a,b\n1,0.5\n2,NaN\n");
 * ```
 */
export function formatCsv(rows: Row[], opts: FormatCsvOptions = {}): string {
  const columns = opts.columns ?? columnsOf(rows);
  if (columns.length === 0) throw new TypeError("cannot write a CSV with no columns");
  const body = rows.map((r, i) =>
    columns.map((c) => {
      if (c in r) return formatCell(r[c]);
      if (opts.fill !== undefined) return formatCell(opts.fill);
      throw new TypeError(`row ${i} has no value for column "${c}"`);
    })
  );
  return csvFormatRows([columns, ...body]) + "\n";
}

/** Read and parse a CSV file. */
export async function readCsv(path: string): Promise<Table> {
  return parseCsv(await Deno.readTextFile(path), path);
}

/** Write rows to a CSV file atomically. */
export async function writeCsv(path: string, rows: Row[], opts?: FormatCsvOptions): Promise<void> {
  await writeFileAtomic(path, formatCsv(rows, opts));
}

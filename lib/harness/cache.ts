/**
 * The cell cache: every finished cell is stored atomically as one JSON file, keyed by a
 * content hash of what determines its rows — the replication id, the cell's parameters,
 * profile and seed, the source text of the replication and every local module it imports
 * (transitively), and the locked dependency versions. The backend enters through the file
 * name: a cell that never loaded tfjs is stored as `<key>.none.json` and serves every
 * backend; one that did is `<key>.<backend>.json`.
 *
 * Layout: `<cache>/<paper>/<claim>/<key>.<backend>.json`. The same format holds the cells a
 * shard hands to `merge` (`<out>/cells/…`).
 *
 * A corrupt, truncated or foreign entry is never trusted: {@link readEntry} names the file
 * and why, and the cell is computed again (its entry then overwritten).
 *
 * @module
 */

import type { Json, Params, Profile, Row, Value } from "./contract.ts";
import { writeFileAtomic } from "./fs.ts";
import { sha256 } from "./sources.ts";

/** Format tag of a cache entry; bump it when the entry layout changes. */
export const CELL_FORMAT = "replicate-cell/1";

/** What determines a cell's rows (besides the backend). */
export interface CellIdentity {
  /** Replication id. */
  id: string;
  /** The cell's parameters. */
  params: Params;
  /** Profile. */
  profile: Profile;
  /** Base seed. */
  seed: number;
  /** {@link sourceHash} of the replication module. */
  source: string;
  /** {@link lockHash} of the dependencies. */
  lock: string;
}

/** A backend a cell's rows depend on: a tfjs backend, or none. */
export type CellBackend = "none" | "wasm" | "webgpu" | "cpu";

/** A stored cell. */
export interface CellEntry {
  /** {@link CELL_FORMAT}. */
  format: string;
  /** Cache key ({@link cellKey}). */
  key: string;
  /** Replication id. */
  id: string;
  /** The cell's parameters. */
  params: Params;
  /** Profile. */
  profile: Profile;
  /** Base seed. */
  seed: number;
  /** The tfjs backend the rows were computed on, or "none". */
  backend: CellBackend;
  /** The WebGPU adapter (when backend is webgpu), else "". */
  adapter: string;
  /** The cell's rows. */
  rows: Row[];
  /** Seconds the cell took to compute. */
  seconds: number;
  /** ISO time it finished. */
  computedAt: string;
  /** Commit, CPU, Deno and tfjs versions of the process that computed it. */
  origin: { commit: string; cpu: string; deno: string; tfjs: string | null };
}

/**
 * JSON with keys sorted at every level: equal objects give equal text.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "./cache.ts";
 * import assert from "node:assert/strict";
 * assert.ok(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) === '{"a":[2,{"c":4,"d":3}],"b":1}');
 * ```
 */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Whether `value` is plain JSON that survives a round trip (no NaN, Infinity, undefined,
 * functions, class instances or typed arrays): cell parameters must be.
 *
 * @example
 * ```ts
 * import { isPlainJson } from "./cache.ts";
 * import assert from "node:assert/strict";
 * assert.ok(isPlainJson({ d: 23, wds: [1e-5, 5e-4], name: "a" }));
 * assert.ok(!isPlainJson({ x: NaN }));
 * ```
 */
export function isPlainJson(value: unknown): value is Json {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value as object).every(isPlainJson);
  }
  return false;
}

/**
 * The cache key of a cell: SHA-256 (first 32 hex digits) of its canonical identity.
 *
 * @example
 * ```ts
 * import { cellKey } from "./cache.ts";
 * import assert from "node:assert/strict";
 * const k = await cellKey({ id: "a/b", params: { x: 1 }, profile: "quick", seed: 0, source: "s", lock: "l" });
 * assert.ok(k.length === 32);
 * ```
 */
export async function cellKey(c: CellIdentity): Promise<string> {
  const text = canonicalJson({
    format: CELL_FORMAT,
    id: c.id,
    params: c.params,
    profile: c.profile,
    seed: c.seed,
    source: c.source,
    lock: c.lock,
  });
  return (await sha256(text)).slice(0, 32);
}

/** Numbers JSON cannot hold (NaN, ±Infinity, −0) are written as `{"$n": "NaN"}` and back. */
function encodeValue(_k: string, v: unknown): unknown {
  if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) {
    return { $n: Object.is(v, -0) ? "-0" : String(v) };
  }
  return v;
}

function decodeValue(_k: string, v: unknown): unknown {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === "$n" && typeof o.$n === "string") {
      return o.$n === "-0" ? -0 : Number(o.$n);
    }
  }
  return v;
}

/**
 * Rows through the cache's encoding and back: exactly what a cached cell gives, so fresh
 * and cached runs write byte-identical CSV. Fails on a value that is not a number or string.
 *
 * @example
 * ```ts
 * import { roundTripRows } from "./cache.ts";
 * import assert from "node:assert/strict";
 * const [r] = roundTripRows([{ a: NaN, b: -0, c: "x", d: 1e-300 }]);
 * assert.ok(Number.isNaN(r.a) && Object.is(r.b, -0) && r.c === "x" && r.d === 1e-300);
 * ```
 */
export function roundTripRows(rows: Row[]): Row[] {
  return decodeRows(encodeRows(rows));
}

/** Rows from JSON text in the cache's encoding ({@link encodeRows}). */
export function decodeRows(json: string): Row[] {
  return JSON.parse(json, decodeValue) as Row[];
}

/** The rows as JSON text in the cache's encoding. Fails on a non number/string value. */
export function encodeRows(rows: Row[]): string {
  if (!Array.isArray(rows)) throw new TypeError(`a cell must return an array of rows`);
  rows.forEach((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new TypeError(`row ${i} is not an object`);
    }
    for (const [k, v] of Object.entries(r) as [string, Value][]) {
      if (typeof v !== "number" && typeof v !== "string") {
        throw new TypeError(
          `row ${i} column "${k}" is ${JSON.stringify(v) ?? typeof v}, not a number or string`,
        );
      }
    }
  });
  return JSON.stringify(rows, encodeValue);
}

/** Path of a cell's entry under a cache root. */
export function entryPath(root: string, id: string, key: string, backend: CellBackend): string {
  return `${root}/${id}/${key}.${backend}.json`;
}

/** Write an entry atomically (a kill leaves the old entry or the new one, never half). */
export async function writeEntry(root: string, entry: CellEntry): Promise<string> {
  const path = entryPath(root, entry.id, entry.key, entry.backend);
  await writeFileAtomic(path, JSON.stringify(entry, encodeValue) + "\n");
  return path;
}

/** What reading an entry gave. */
export type ReadResult =
  | { status: "hit"; entry: CellEntry; path: string }
  | { status: "miss" }
  | { status: "bad"; path: string; reason: string };

/**
 * Read and validate one entry file: a missing file is a miss; unreadable JSON, another
 * format version, or a key/id that does not match is `bad` with the reason.
 */
export async function readEntryFile(path: string, expect?: { id: string; key: string }): Promise<
  ReadResult
> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { status: "miss" };
    return { status: "bad", path, reason: (e as Error).message };
  }
  let entry: CellEntry;
  try {
    entry = JSON.parse(text, decodeValue) as CellEntry;
  } catch (e) {
    return { status: "bad", path, reason: `not valid JSON (${(e as Error).message})` };
  }
  if (entry === null || typeof entry !== "object") {
    return { status: "bad", path, reason: "not a cache entry" };
  }
  if (entry.format !== CELL_FORMAT) {
    return {
      status: "bad",
      path,
      reason: `written by another version (format ${JSON.stringify(entry.format)}, ` +
        `this one reads ${CELL_FORMAT})`,
    };
  }
  if (expect && (entry.key !== expect.key || entry.id !== expect.id)) {
    return {
      status: "bad",
      path,
      reason: `holds ${entry.id} cell ${entry.key}, not ${expect.key}`,
    };
  }
  if (!Array.isArray(entry.rows) || typeof entry.backend !== "string") {
    return { status: "bad", path, reason: "has no rows" };
  }
  return { status: "hit", entry, path };
}

/**
 * Look a cell up: its tf-free entry first, then the one for `backend`. A bad entry is
 * reported (and then recomputed by the caller); a miss means compute.
 */
export async function readEntry(
  root: string,
  id: string,
  key: string,
  backend: CellBackend,
): Promise<ReadResult> {
  const bad: ReadResult[] = [];
  for (const b of backend === "none" ? ["none"] as const : ["none", backend] as const) {
    const r = await readEntryFile(entryPath(root, id, key, b), { id, key });
    if (r.status === "hit") return r;
    if (r.status === "bad") bad.push(r);
  }
  return bad[0] ?? { status: "miss" };
}

/** Every entry file under a root (for merging shard outputs), as paths. */
export async function listEntries(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [];
      for await (const e of Deno.readDir(dir)) entries.push(e);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for (const e of entries) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.isFile && /^[0-9a-f]{32}\.(none|wasm|webgpu|cpu)\.json$/.test(e.name)) out.push(p);
    }
  };
  await walk(root);
  return out.sort();
}

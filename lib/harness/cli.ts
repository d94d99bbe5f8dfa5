/**
 * Command-line parsing and replication selection for `deno task replicate`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { BACKEND_REQUESTS, type BackendRequest } from "../tf.ts";
import type { UpdateMode } from "./golden.ts";
import { type Profile, PROFILES } from "./contract.ts";

/** A usage error: the message is meant for the user as-is. */
export class CliError extends Error {
  /** @param message what is wrong and what would be right */
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** Parsed `replicate` options. */
export interface CliOptions {
  /** Ids, globs, family names or `all`. */
  patterns: string[];
  /** `--list`: print the ids and exit. */
  list: boolean;
  /** `--profile`. */
  profile: Profile;
  /** `--backend`. */
  backend: BackendRequest;
  /** `--seed`. */
  seed: number;
  /** `--update-golden[=all]`. */
  update: UpdateMode;
  /** `--shard i/n`, 1-based. */
  shard: { index: number; count: number } | null;
  /** `--out`. */
  outDir: string;
  /** `--golden` (root of goldens). */
  goldenDir: string;
  /** `--report-only`: rebuild out/index.html from the results already in --out. */
  reportOnly: boolean;
  /** `--help`. */
  help: boolean;
}

/** The usage text. */
export const USAGE = `usage: deno task replicate (all | <id>... | <glob>...) [options]

  <id>                 a replication id, e.g. scan-snap/bn-phase-transition
  <glob>               * matches within one path segment, ** across; a paper name (scan-snap)
                       selects all of its replications
options:
  --list               list the replication ids (after selection and sharding) and exit
  --profile P          quick (default, CI-sized) | full (the paper's settings)
  --backend B          auto (default) | webgpu | wasm | cpu
  --seed N             base seed (default 0; goldens are made with seed 0)
  --update-golden      rewrite goldens that are missing or differ
  --update-golden=all  rewrite every selected golden
  --shard i/n          run only the i-th of n deterministic parts (1-based)
  --out DIR            output folder (default out)
  --golden DIR         golden folder (default golden)
  --report-only        rebuild DIR/index.html from results already there
  --help               this text`;

/** Parse `replicate`'s arguments; throws {@link CliError} on bad input. */
export function parseCli(args: string[]): CliOptions {
  // `--update-golden` takes an optional value; normalise it before parseArgs sees it.
  let update: UpdateMode = "none";
  const rest: string[] = [];
  for (const a of args) {
    if (a === "--update-golden") update = "failing";
    else if (a.startsWith("--update-golden=")) {
      const v = a.slice("--update-golden=".length);
      if (v === "all") update = "all";
      else if (v === "failing") update = "failing";
      else throw new CliError(`--update-golden takes no value or =all, got "${v}"`);
    } else rest.push(a);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        list: { type: "boolean", default: false },
        profile: { type: "string", default: "quick" },
        backend: { type: "string", default: "auto" },
        seed: { type: "string", default: "0" },
        shard: { type: "string" },
        out: { type: "string", default: "out" },
        golden: { type: "string", default: "golden" },
        "report-only": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (!PROFILES.includes(v.profile as Profile)) {
    throw new CliError(`unknown profile "${v.profile}"; use one of: ${PROFILES.join(", ")}`);
  }
  if (!BACKEND_REQUESTS.includes(v.backend as BackendRequest)) {
    throw new CliError(
      `unknown backend "${v.backend}"; use one of: ${BACKEND_REQUESTS.join(", ")}`,
    );
  }
  if (!/^-?\d+$/.test(v.seed!)) throw new CliError(`--seed must be an integer, got "${v.seed}"`);
  let shard: CliOptions["shard"] = null;
  if (v.shard !== undefined) {
    const m = v.shard.match(/^(\d+)\/(\d+)$/);
    const index = m ? Number(m[1]) : NaN;
    const count = m ? Number(m[2]) : NaN;
    if (!m || count < 1 || index < 1 || index > count) {
      throw new CliError(`--shard must be i/n with 1 ≤ i ≤ n, got "${v.shard}"`);
    }
    shard = { index, count };
  }
  const patterns = parsed.positionals;
  if (patterns.length === 0 && !v.list && !v.help && !v["report-only"]) {
    throw new CliError(`name what to run: all, an id, or a glob\n\n${USAGE}`);
  }
  return {
    patterns,
    list: v.list!,
    profile: v.profile as Profile,
    backend: v.backend as BackendRequest,
    seed: Number(v.seed),
    update,
    shard,
    outDir: v.out!,
    goldenDir: v.golden!,
    reportOnly: v["report-only"]!,
    help: v.help!,
  };
}

/** A glob over ids as a RegExp: `**` crosses `/`, `*` does not, `?` is one character. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * Select ids by patterns: `all` (or no pattern) is everything; an exact id; a glob; a paper
 * name selects `paper/*`. A pattern matching nothing is an error that lists the known ids.
 * The result keeps the registry's order and has no duplicates.
 */
export function selectIds(known: string[], patterns: string[]): string[] {
  if (patterns.length === 0 || patterns.includes("all")) return [...known];
  const chosen = new Set<string>();
  for (const p of patterns) {
    const re = globToRegExp(p);
    const hits = known.filter((id) => id === p || re.test(id) || id.startsWith(`${p}/`));
    if (hits.length === 0) {
      throw new CliError(
        `unknown replication "${p}". Known ids:\n${known.map((k) => `  ${k}`).join("\n")}`,
      );
    }
    hits.forEach((h) => chosen.add(h));
  }
  return known.filter((k) => chosen.has(k));
}

/** FNV-1a 32-bit hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The ids of shard `index` of `count`: ids sorted by hash, then cut into `count` contiguous
 * slices whose sizes differ by at most one. Deterministic, independent of argument order;
 * adding an id moves only ids near slice boundaries. Every id lands in exactly one shard.
 */
export function shardIds(ids: string[], index: number, count: number): string[] {
  const sorted = [...ids].sort((a, b) => fnv1a(a) - fnv1a(b) || (a < b ? -1 : 1));
  const base = Math.floor(sorted.length / count);
  const extra = sorted.length % count;
  const start = (index - 1) * base + Math.min(index - 1, extra);
  const size = base + (index - 1 < extra ? 1 : 0);
  const mine = new Set(sorted.slice(start, start + size));
  return ids.filter((id) => mine.has(id));
}

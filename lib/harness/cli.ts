/**
 * Command-line parsing and replication selection for `deno task replicate`. Every argument
 * is validated here, before anything is computed; a mistake is a {@link CliError} whose
 * message says what is wrong and what would be right (exit 2).
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

/** The largest accepted `--seed` (exclusive): replications derive per-cell seeds from it. */
export const SEED_LIMIT = 2 ** 31;

/** Parsed `replicate` options. */
export interface CliOptions {
  /** `replicate …` runs, `replicate merge DIR…` merges shard outputs. */
  command: "run" | "merge";
  /** Ids, globs, paper names or `all` (run); shard output folders (merge). */
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
  /** `--shard i/n` (1-based) or `--shard slurm` (resolved from the environment). */
  shard: { index: number; count: number } | null;
  /** `--jobs`: worker count. */
  jobs: number;
  /** `--cache DIR`, or null with `--no-cache`. */
  cacheDir: string | null;
  /** `--out`. */
  outDir: string;
  /** `--golden` (root of goldens). */
  goldenDir: string;
  /** `--report-only`: rebuild out/index.html from the results already in --out. */
  reportOnly: boolean;
  /** `--check-golden`: run the claim check on the committed golden of --profile. */
  checkGolden: boolean;
  /** `--help`. */
  help: boolean;
}

/** The usage text. */
export const USAGE = `usage: deno task replicate (all | <id>... | <glob>...) [options]
       deno task replicate merge <shard-out>... --out DIR [options]

  <id>                 a replication id, e.g. scan-snap/bn-phase-transition
  <glob>               * matches within one path segment, ** across; a paper name (scan-snap)
                       selects all of its replications
  merge                union the cells of shard runs (their --out folders), then check,
                       diff goldens, chart and report as one run; fails naming missing cells
options:
  --list               list the replication ids (after selection) and exit
  --profile P          quick (default, CI-sized) | full (the paper's settings)
  --backend B          auto (default) | webgpu | wasm | cpu
  --seed N             base seed, 0 ≤ N < 2^31 (default 0; goldens are made with seed 0)
  --jobs N             worker processes (default: the number of cores)
  --cache DIR          cell cache (default .cache); --no-cache neither reads nor writes it
  --update-golden      rewrite goldens that are missing or differ (only from accepted runs)
  --update-golden=all  rewrite every selected golden (only from accepted runs)
  --shard i/n          compute only the i-th of n cost-balanced shares of the cells (1-based)
  --shard slurm        i and n from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT
  --out DIR            output folder (default out)
  --golden DIR         golden folder (default golden)
  --report-only        rebuild DIR/index.html from results already there
  --check-golden       run the claim check on the committed golden of --profile (no training)
  --help               this text`;

/**
 * `--shard slurm`: the 1-based index and count of this array task, from SLURM's
 * environment (`SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN`).
 *
 * @example
 * ```ts
 * import { slurmShard } from "./cli.ts";
 * import assert from "node:assert/strict";
 * const env = { SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "4", SLURM_ARRAY_TASK_MIN: "1" };
 * assert.ok(JSON.stringify(slurmShard((k) => env[k as keyof typeof env])) === '{"index":2,"count":4}');
 * ```
 */
export function slurmShard(
  env: (name: string) => string | undefined,
): { index: number; count: number } {
  const id = env("SLURM_ARRAY_TASK_ID");
  const count = env("SLURM_ARRAY_TASK_COUNT");
  const min = env("SLURM_ARRAY_TASK_MIN") ?? "1";
  if (id === undefined || count === undefined) {
    throw new CliError(
      "--shard slurm needs SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (run it inside " +
        "an sbatch --array job, e.g. via scripts/slurm.ts)",
    );
  }
  const [i, n, m] = [id, count, min].map(Number);
  const index = i - m + 1;
  if (![i, n, m].every(Number.isInteger) || index < 1 || index > n) {
    throw new CliError(
      `SLURM array task ${id} (min ${min}) of ${count} does not give a shard 1 ≤ i ≤ n`,
    );
  }
  return { index, count: n };
}

function positiveInt(flag: string, v: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) {
    throw new CliError(`${flag} must be an integer from 1 to ${max}, got "${v}"`);
  }
  return Number(v);
}

/** Parse `replicate`'s arguments; throws {@link CliError} on bad input. */
export function parseCli(
  args: string[],
  env: (name: string) => string | undefined = (k) => Deno.env.get(k),
): CliOptions {
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
        jobs: { type: "string" },
        cache: { type: "string" },
        "no-cache": { type: "boolean", default: false },
        shard: { type: "string" },
        out: { type: "string" },
        golden: { type: "string", default: "golden" },
        "report-only": { type: "boolean", default: false },
        "check-golden": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) return { ...defaults(), help: true };
  if (!PROFILES.includes(v.profile as Profile)) {
    throw new CliError(`unknown profile "${v.profile}"; use one of: ${PROFILES.join(", ")}`);
  }
  if (!BACKEND_REQUESTS.includes(v.backend as BackendRequest)) {
    throw new CliError(
      `unknown backend "${v.backend}"; use one of: ${BACKEND_REQUESTS.join(", ")}`,
    );
  }
  if (!/^\d+$/.test(v.seed!) || !(Number(v.seed) < SEED_LIMIT)) {
    throw new CliError(`--seed must be an integer from 0 to ${SEED_LIMIT - 1}, got "${v.seed}"`);
  }
  let shard: CliOptions["shard"] = null;
  if (v.shard === "slurm") shard = slurmShard(env);
  else if (v.shard !== undefined) {
    const m = v.shard.match(/^(\d+)\/(\d+)$/);
    const index = m ? Number(m[1]) : NaN;
    const count = m ? Number(m[2]) : NaN;
    if (!m || count < 1 || index < 1 || index > count) {
      throw new CliError(`--shard must be i/n with 1 ≤ i ≤ n, or slurm; got "${v.shard}"`);
    }
    shard = { index, count };
  }
  const cores = navigator.hardwareConcurrency ?? 1;
  const jobs = v.jobs === undefined ? cores : positiveInt("--jobs", v.jobs, 256);
  if (v["no-cache"] && v.cache !== undefined) {
    throw new CliError("--cache and --no-cache contradict each other; give one");
  }
  for (const [flag, dir] of [["--out", v.out], ["--cache", v.cache], ["--golden", v.golden]]) {
    if (dir !== undefined && dir.trim() === "") {
      throw new CliError(`${flag} is empty (an unset variable?); name a folder`);
    }
  }
  let command: CliOptions["command"] = "run";
  let patterns = parsed.positionals;
  if (patterns[0] === "merge") {
    command = "merge";
    patterns = patterns.slice(1);
    if (patterns.length === 0) {
      throw new CliError(`merge needs the shard output folders: merge DIR... --out DIR`);
    }
    if (v.out === undefined) throw new CliError(`merge needs --out DIR for the merged result`);
    if (shard) throw new CliError(`merge takes no --shard`);
  }
  if (v["check-golden"] && (shard || v["report-only"] || command === "merge")) {
    throw new CliError(`--check-golden runs no cells; it takes no --shard, merge or --report-only`);
  }
  if (patterns.length === 0 && !v.list && !v["report-only"]) {
    throw new CliError(`name what to run: all, an id, or a glob\n\n${USAGE}`);
  }
  return {
    command,
    patterns,
    list: v.list!,
    profile: v.profile as Profile,
    backend: v.backend as BackendRequest,
    seed: Number(v.seed),
    update,
    shard,
    jobs,
    cacheDir: v["no-cache"] ? null : v.cache ?? ".cache",
    outDir: v.out ?? "out",
    goldenDir: v.golden!,
    reportOnly: v["report-only"]!,
    checkGolden: v["check-golden"]!,
    help: false,
  };
}

function defaults(): CliOptions {
  return {
    command: "run",
    patterns: [],
    list: false,
    profile: "quick",
    backend: "auto",
    seed: 0,
    update: "none",
    shard: null,
    jobs: 1,
    cacheDir: ".cache",
    outDir: "out",
    goldenDir: "golden",
    reportOnly: false,
    checkGolden: false,
    help: false,
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
 *
 * @example
 * ```ts
 * import { selectIds } from "./cli.ts";
 * import assert from "node:assert/strict";
 * assert.ok(selectIds(["a/x", "a/y", "b/z"], ["a"]).join() === "a/x,a/y");
 * ```
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

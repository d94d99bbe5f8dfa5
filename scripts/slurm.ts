/**
 * `deno task slurm <selection>... [options]` — run a sweep on a SLURM cluster: an array job
 * with one task per shard (`replicate … --shard slurm`, each task computing a cost-balanced
 * share of the cells), then a dependent job that merges the shards (`replicate merge`), which
 * checks the claims, diffs the goldens and writes the report. The job scripts are written to
 * `<out>/slurm/` so they can be read, edited and resubmitted by hand.
 *
 *   deno task slurm cogo li2 --profile full --shards 16 --out results --time 04:00:00
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CliError, selectIds } from "../lib/harness/cli.ts";
import { writeFileAtomic } from "../lib/harness/fs.ts";
import { discoverIds, ROOT } from "../lib/harness/registry.ts";
import { resolve } from "node:path";

/** The usage text. */
export const USAGE = `usage: deno task slurm (all | <id>... | <glob>...) [options]

  Submits an array job (one task per shard) and a merge job that runs after it.
options:
  --shards N           array tasks (default 4)
  --profile P          quick | full (default full)
  --seed N             base seed (default 0)
  --out DIR            results folder (default slurm-out): shard-<i>/, merged/, slurm/
  --cache DIR          cell cache shared by the tasks (default .cache)
  --cpus-per-task C    cores (and workers) per task (default 2)
  --time T             time limit per task, e.g. 04:00:00 (default: the partition's)
  --partition P        partition (default: the cluster's)
  --mem M              memory per task, e.g. 8G (default: the partition's)
  --backend B          auto | webgpu | wasm | cpu (default auto)
  --wait               wait for the merge job and exit with its status
  --dry-run            write the job scripts and print the sbatch commands; submit nothing
  --help               this text`;

/** The job scripts for a sweep. */
export interface SlurmPlan {
  /** The array job's script. */
  array: string;
  /** The merge job's script. */
  merge: string;
  /** Folder of the scripts and logs. */
  dir: string;
}

/** Options of {@link slurmPlan}. */
export interface SlurmOptions {
  /** Selection patterns. */
  patterns: string[];
  /** Array tasks. */
  shards: number;
  /** Profile. */
  profile: string;
  /** Seed. */
  seed: number;
  /** Absolute results folder. */
  out: string;
  /** Absolute cache folder. */
  cache: string;
  /** Cores per task. */
  cpus: number;
  /** Backend request. */
  backend: string;
  /** Extra `#SBATCH` lines (time, partition, mem). */
  extra: string[];
  /** The deno binary. */
  deno: string;
  /** The project root. */
  root: string;
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The array and merge job scripts (bash, `#SBATCH` headers).
 *
 * @example
 * ```ts
 * import { slurmPlan } from "./slurm.ts";
 * import assert from "node:assert/strict";
 * const p = slurmPlan({
 *   patterns: ["scan-snap"], shards: 2, profile: "quick", seed: 0, out: "/r", cache: "/c",
 *   cpus: 1, backend: "auto", extra: [], deno: "/usr/bin/deno", root: "/p",
 * });
 * assert.ok(p.array.includes("#SBATCH --array=1-2") && p.merge.includes("merge '/r/shard-1' '/r/shard-2'"));
 * ```
 */
export function slurmPlan(o: SlurmOptions): SlurmPlan {
  const dir = `${o.out}/slurm`;
  const common = `--profile ${o.profile} --seed ${o.seed} --backend ${o.backend} --cache ${
    q(o.cache)
  }`;
  const header = (name: string, log: string, more: string[] = []) =>
    [
      "#!/bin/bash",
      `#SBATCH --job-name=${name}`,
      ...more,
      `#SBATCH --output=${dir}/${log}`,
      `#SBATCH --cpus-per-task=${o.cpus}`,
      ...o.extra.map((e) => `#SBATCH ${e}`),
      "set -euo pipefail",
      `cd ${q(o.root)}`,
      "export NO_COLOR=1",
    ].join("\n");
  const array = `${header("replicate", "shard-%a.log", [`#SBATCH --array=1-${o.shards}`])}
exec ${q(o.deno)} run -A scripts/replicate.ts ${o.patterns.map(q).join(" ")} ${common} \\
  --shard slurm --jobs ${o.cpus} --out ${q(o.out)}/shard-"$SLURM_ARRAY_TASK_ID"
`;
  const shardDirs = Array.from({ length: o.shards }, (_, i) => `${o.out}/shard-${i + 1}`);
  const merge = `${header("replicate-merge", "merge.log")}
exec ${q(o.deno)} run -A scripts/replicate.ts merge ${shardDirs.map(q).join(" ")} \\
  --cache ${q(o.cache)} --out ${q(o.out)}/merged
`;
  return { array, merge, dir };
}

async function sbatch(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let r;
  try {
    r = await new Deno.Command("sbatch", { args, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError("sbatch is not on PATH: run this on a SLURM login node");
    }
    throw e;
  }
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout).trim(), err: dec.decode(r.stderr).trim() };
}

async function main(args: string[]): Promise<number> {
  const { values: v, positionals } = (() => {
    try {
      return parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          shards: { type: "string", default: "4" },
          profile: { type: "string", default: "full" },
          seed: { type: "string", default: "0" },
          out: { type: "string", default: "slurm-out" },
          cache: { type: "string", default: ".cache" },
          "cpus-per-task": { type: "string", default: "2" },
          time: { type: "string" },
          partition: { type: "string" },
          mem: { type: "string" },
          backend: { type: "string", default: "auto" },
          wait: { type: "boolean", default: false },
          "dry-run": { type: "boolean", default: false },
          help: { type: "boolean", default: false },
        },
      });
    } catch (e) {
      throw new CliError(`${(e as Error).message}\n\n${USAGE}`);
    }
  })();
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const int = (flag: string, s: string, lo: number, hi: number) => {
    if (!/^\d+$/.test(s) || Number(s) < lo || Number(s) > hi) {
      throw new CliError(`--${flag} must be an integer from ${lo} to ${hi}, got "${s}"`);
    }
    return Number(s);
  };
  if (positionals.length === 0) throw new CliError(`name what to run\n\n${USAGE}`);
  selectIds(discoverIds(), positionals); // unknown ids fail here, before anything is submitted
  if (!["quick", "full"].includes(v.profile!)) {
    throw new CliError(`unknown profile "${v.profile}"; use quick or full`);
  }
  for (const [flag, dir] of [["out", v.out!], ["cache", v.cache!]]) {
    if (dir.trim() === "") throw new CliError(`--${flag} is empty; name a folder`);
  }
  const extra: string[] = [];
  if (v.time) extra.push(`--time=${v.time}`);
  if (v.partition) extra.push(`--partition=${v.partition}`);
  if (v.mem) extra.push(`--mem=${v.mem}`);
  const plan = slurmPlan({
    patterns: positionals,
    shards: int("shards", v.shards!, 1, 10000),
    profile: v.profile!,
    seed: int("seed", v.seed!, 0, 2 ** 31 - 1),
    out: resolve(v.out!),
    cache: resolve(v.cache!),
    cpus: int("cpus-per-task", v["cpus-per-task"]!, 1, 256),
    backend: v.backend!,
    extra,
    deno: Deno.execPath(),
    root: ROOT.pathname.replace(/\/$/, ""),
  });
  await writeFileAtomic(`${plan.dir}/array.sbatch`, plan.array);
  await writeFileAtomic(`${plan.dir}/merge.sbatch`, plan.merge);
  if (v["dry-run"]) {
    console.log(`wrote ${plan.dir}/array.sbatch and ${plan.dir}/merge.sbatch`);
    console.log(`sbatch --parsable ${plan.dir}/array.sbatch`);
    console.log(`sbatch --parsable --dependency=afterany:<array job> ${plan.dir}/merge.sbatch`);
    return 0;
  }
  const a = await sbatch(["--parsable", `${plan.dir}/array.sbatch`]);
  if (a.code !== 0) throw new CliError(`sbatch of the array job failed: ${a.err || a.out}`);
  const arrayId = a.out.split(";")[0];
  // afterany: the merge runs even when a shard failed, and then names the missing cells
  const mergeArgs = ["--parsable", `--dependency=afterany:${arrayId}`];
  if (v.wait) mergeArgs.push("--wait");
  console.log(`submitted array job ${arrayId} (${plan.dir}/shard-*.log)`);
  const m = await sbatch([...mergeArgs, `${plan.dir}/merge.sbatch`]);
  if (!v.wait) {
    if (m.code !== 0) throw new CliError(`sbatch of the merge job failed: ${m.err || m.out}`);
    console.log(`submitted merge job ${m.out.split(";")[0]} after it (${plan.dir}/merge.log)`);
    console.log(`the merged report will be ${resolve(v.out!)}/merged/index.html`);
    return 0;
  }
  console.log(
    `merge job finished with exit ${m.code}; report ${resolve(v.out!)}/merged/index.html`,
  );
  return m.code === 0 ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    throw e;
  }
}

/**
 * `deno task replicate all | <id>... | <glob>` — run replications as grids of cells on a
 * pool of workers (cached, resumable, shardable), check their claims, diff them against
 * goldens, render charts and the HTML report, print a summary table. Also
 * `replicate merge DIR... --out DIR` (shard outputs), `--report-only` and
 * `--check-golden`. Exits 1 when any claim check is not accepted, any golden drifts or is
 * missing, a cell or run fails, or cells are missing from a merge; 2 on a usage error; 130
 * when interrupted (finished cells are cached: the same command resumes).
 *
 * @module
 */

import { CliError, type CliOptions, parseCli, selectIds, USAGE } from "../lib/harness/cli.ts";
import { FolderError, prepareOutputDir, sweepTemp } from "../lib/harness/fs.ts";
import { MergeError, readShards, writeManifest } from "../lib/harness/merge.ts";
import { defaultProgressMode, formatDuration } from "../lib/harness/progress.ts";
import { gitCommit } from "../lib/harness/provenance.ts";
import {
  discoverIds,
  type LoadedReplication,
  loadReplication,
  ROOT,
} from "../lib/harness/registry.ts";
import { writeReport } from "../lib/harness/report.ts";
import {
  checkGolden,
  errorMessage,
  loadFailure,
  planCells,
  type ReplicationResult,
  resolveBackend,
  resultOk,
  runPlanned,
  verdictLabel,
} from "../lib/harness/runner.ts";
import { formatTable } from "../lib/harness/table.ts";
import { writeEntry } from "../lib/harness/cache.ts";
import { BackendError } from "../lib/tf.ts";

/** The summary table printed at the end of a run. */
export function summaryTable(results: ReplicationResult[]): string {
  return formatTable(
    ["id", "claim verdict", "golden", "cells", "time", ""],
    results.map((r) => [
      r.id,
      verdictLabel(r),
      r.golden.status,
      `${r.cells.total}${r.cells.cached ? ` (${r.cells.cached} cached)` : ""}`,
      formatDuration(r.provenance.seconds),
      resultOk(r) ? "ok" : "FAIL",
    ]),
  );
}

async function loadSelected(ids: string[], opts: CliOptions) {
  const reps: LoadedReplication[] = [];
  const failures: ReplicationResult[] = [];
  for (const id of ids) {
    try {
      reps.push(await loadReplication(id));
    } catch (e) {
      console.error(`[${id}] failed to load: ${errorMessage(e)}`);
      failures.push(await loadFailure(id, e, opts));
    }
  }
  return { reps, failures };
}

function printOutcome(results: ReplicationResult[]): void {
  for (const r of results) {
    const verdict = r.error ? `ERROR ${r.error}` : r.check!.verdict;
    console.error(`${r.id}: ${verdict}; golden ${r.golden.status}`);
    if (!r.golden.ok || r.golden.status === "updated" || r.golden.status === "created") {
      console.error(r.golden.detail);
    }
    if (r.check && !r.claimOk) {
      for (const i of r.check.items.filter((i) => !i.pass)) {
        console.error(`  ✘ ${i.name}: measured ${i.measured}; expected ${i.expected}`);
      }
    }
  }
}

async function checkGoldenCommand(ids: string[], opts: CliOptions): Promise<number> {
  let bad = 0;
  for (const id of ids) {
    const rep = await loadReplication(id);
    const g = await checkGolden(rep, opts.goldenDir, opts.profile);
    if (!g) {
      console.log(
        `${id}: no committed ${opts.profile} golden (${opts.goldenDir}/${id}.${opts.profile}.csv)`,
      );
      bad++;
      continue;
    }
    const p = g.provenance as Record<string, unknown> | null;
    const label = g.error || !g.check ? `ERROR ${g.error}` : g.check.verdict +
      (g.check.verdict !== "REPRODUCED" && g.accepted ? " (recorded)" : "");
    console.log(`${id} [${opts.profile} golden]: ${label}; ${g.check?.ourValue ?? ""}`);
    console.log(
      p
        ? `  golden: ${p.date}, commit ${p.commit}, ${p.backend} (${p.adapter}), ${p.cpu}, ` +
          `${p.cells} cells, ${formatDuration(Number(p.cellSeconds))} of compute, seed ${p.seed}`
        : `  golden without provenance`,
    );
    for (const i of g.check?.items ?? []) {
      console.log(
        `  ${i.pass ? "✔" : "✘"} ${i.name}: measured ${i.measured}; expected ${i.expected}`,
      );
    }
    if (!g.accepted) bad++;
  }
  return bad > 0 ? 1 : 0;
}

async function main(args: string[]): Promise<number> {
  const opts = parseCli(args);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const root = ROOT.pathname;
  if (opts.reportOnly) {
    try {
      const info = await Deno.stat(opts.outDir);
      if (!info.isDirectory) throw new CliError(`--out ${opts.outDir} is a file, not a folder`);
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`--report-only: no results folder ${opts.outDir} (run replicate first)`);
    }
    const rep = await writeReport(opts.outDir);
    for (const s of rep.skipped) console.error(`skipped ${s}`);
    if (rep.found.length === 0) {
      console.error(`--report-only: no results in ${opts.outDir}`);
      return 1;
    }
    const failed = rep.found.filter((f) => !resultOk(f.result)).length;
    console.log(summaryTable(rep.found.map((f) => f.result)));
    console.log(`\n${rep.found.length - failed} passed, ${failed} failed; report: ${rep.path}`);
    return failed > 0 || rep.skipped.length > 0 ? 1 : 0;
  }
  const known = discoverIds();
  let merged = null;
  let ids: string[];
  if (opts.command === "merge") {
    merged = await readShards(opts.patterns);
    ids = merged.manifests[0].manifest.ids;
    const m0 = merged.manifests[0].manifest;
    opts.profile = m0.profile;
    opts.seed = m0.seed;
    const unknown = ids.filter((id) => !known.includes(id));
    if (unknown.length > 0) {
      throw new CliError(`the shards ran replications this checkout lacks: ${unknown.join(", ")}`);
    }
  } else ids = selectIds(known, opts.patterns);
  if (opts.list) {
    for (const id of ids) {
      const r = await loadReplication(id);
      console.log(`${id.padEnd(40)} ${r.spec.title}`);
    }
    return 0;
  }
  if (opts.checkGolden) return await checkGoldenCommand(ids, opts);

  // validate every folder before any computation
  const outDir = await prepareOutputDir("--out", opts.outDir, root);
  if (opts.cacheDir) opts.cacheDir = await prepareOutputDir("--cache", opts.cacheDir, root);
  if (opts.update !== "none") await sweepTemp(opts.goldenDir);
  const backend = await resolveBackend(opts.backend);
  if (merged && merged.manifests[0].manifest.backend !== backend) {
    console.error(
      `note: the shards ran on ${
        merged.manifests[0].manifest.backend
      }; this machine would use ${backend}`,
    );
  }
  const t0 = performance.now();
  const { reps, failures } = await loadSelected(ids, opts);
  const planned = await planCells(reps, opts.profile, opts.seed);
  if (merged) {
    for (const p of planned) {
      const theirs = merged.manifests[0].manifest.sources[p.rep.id];
      if (theirs !== undefined && theirs !== p.source) {
        throw new MergeError(
          `replications/${p.rep.id} (or a module it imports) differs from the code the shards ` +
            `ran (commit ${
              merged.manifests[0].manifest.commit
            }; this checkout is ${await gitCommit()})`,
        );
      }
    }
    if (opts.cacheDir) {
      for (const e of merged.cells.values()) await writeEntry(opts.cacheDir, e);
    }
  }
  console.error(
    `${ids.length} replication(s), profile ${opts.profile}, seed ${opts.seed}, backend ${backend}` +
      `${opts.shard ? `, shard ${opts.shard.index}/${opts.shard.count}` : ""}` +
      `${merged ? `, merging ${merged.manifests.length} shard(s)` : ""}, ${opts.jobs} worker(s)`,
  );
  const outcome = await runPlanned(planned, {
    profile: opts.profile,
    seed: opts.seed,
    backend: opts.backend,
    outDir,
    goldenDir: opts.goldenDir,
    cacheDir: opts.cacheDir,
    update: opts.update,
    jobs: opts.jobs,
    progress: defaultProgressMode(),
    shard: opts.shard,
    cellSource: merged?.cells ?? null,
  });
  const c = outcome.cells;
  const cellLine = `cells: ${c.total} (${c.cached} cached, ${c.run} computed, ${c.failed} failed)`;
  if (outcome.interrupted) {
    console.error(
      `\ninterrupted after ${formatDuration((performance.now() - t0) / 1000)}; ${cellLine}. ` +
        `Run the same command again to compute only the missing cells.`,
    );
    return 130;
  }
  if (opts.shard) {
    await writeManifest(outDir, {
      format: "replicate-shard/1",
      shard: opts.shard,
      patterns: opts.patterns,
      ids,
      profile: opts.profile,
      seed: opts.seed,
      backend,
      commit: await gitCommit(),
      sources: Object.fromEntries(planned.map((p) => [p.rep.id, p.source])),
      cells: outcome.shardCells.map((x) => ({ id: x.id, index: x.index, key: x.key })),
      failed: Object.fromEntries(outcome.failed),
      date: new Date().toISOString(),
    });
    const bad = planned.filter((p) => p.error).map((p) => `${p.rep.id}: ${p.error}`);
    for (const b of bad) console.error(b);
    console.log(
      `shard ${opts.shard.index}/${opts.shard.count}: ${cellLine} in ${
        formatDuration((performance.now() - t0) / 1000)
      }; merge the shard folders with: deno task replicate merge DIR... --out DIR`,
    );
    return c.failed > 0 || bad.length > 0 || failures.length > 0 ? 1 : 0;
  }
  const results = [...failures, ...outcome.results].sort((a, b) => (a.id < b.id ? -1 : 1));
  printOutcome(outcome.results);
  const report = await writeReport(outDir);
  for (const s of report.skipped) console.error(`report: skipped ${s}`);
  const failed = results.filter((r) => !resultOk(r)).length;
  console.log("\n" + summaryTable(results));
  const tfBackend = results.find((r) => r.provenance.backend.backend !== "none")?.provenance
    .backend.backend;
  console.log(
    `\n${results.length - failed} passed, ${failed} failed in ${
      formatDuration((performance.now() - t0) / 1000)
    }; ${cellLine}; backend ${tfBackend ?? "none (no cell loaded tfjs)"}; report: ${report.path}`,
  );
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (
      e instanceof CliError || e instanceof BackendError || e instanceof FolderError ||
      e instanceof MergeError
    ) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    throw e;
  }
}

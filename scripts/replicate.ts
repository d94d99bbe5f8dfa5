/**
 * `deno task replicate all | <id>... | <glob>` — run replications, check their claims,
 * diff them against goldens, render charts and the HTML report, print a summary table.
 * Exits 1 when any claim check is not accepted, any golden drifts or is missing, or a run
 * fails; 2 on a usage error.
 *
 * @module
 */

import { CliError, parseCli, selectIds, shardIds, USAGE } from "../lib/harness/cli.ts";
import { BackendError } from "../lib/tf.ts";
import { defaultProgressMode, formatDuration } from "../lib/harness/progress.ts";
import { writeReport } from "../lib/harness/report.ts";
import {
  loadFailure,
  type ReplicationResult,
  resultOk,
  type RunOptions,
  runReplication,
  verdictLabel,
} from "../lib/harness/runner.ts";
import { discoverIds, loadReplication } from "../lib/harness/registry.ts";

/** The summary table printed at the end of a run. */
export function summaryTable(results: ReplicationResult[]): string {
  const rows = results.map((r) => [
    r.id,
    verdictLabel(r),
    r.golden.status,
    formatDuration(r.provenance.seconds),
    resultOk(r) ? "ok" : "FAIL",
  ]);
  const header = ["id", "claim verdict", "golden", "time", ""];
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd();
  return [line(header), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

async function main(args: string[]): Promise<number> {
  const opts = parseCli(args);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.reportOnly) {
    console.log(`report: ${await writeReport(opts.outDir)}`);
    return 0;
  }
  const known = discoverIds();
  let ids = selectIds(known, opts.patterns);
  if (opts.shard) ids = shardIds(ids, opts.shard.index, opts.shard.count);
  if (opts.list) {
    for (const id of ids) {
      const r = await loadReplication(id);
      console.log(`${id.padEnd(40)} ${r.title}`);
    }
    return 0;
  }
  const mode = defaultProgressMode();
  const results: ReplicationResult[] = [];
  const t0 = performance.now();
  const runOpts: RunOptions = {
    profile: opts.profile,
    seed: opts.seed,
    backend: opts.backend,
    outDir: opts.outDir,
    goldenDir: opts.goldenDir,
    update: opts.update,
    progress: mode,
  };
  for (const [k, id] of ids.entries()) {
    console.error(`[${k + 1}/${ids.length}] ${id} (profile ${opts.profile}, seed ${opts.seed})`);
    let r: ReplicationResult;
    try {
      r = await runReplication(await loadReplication(id), runOpts);
    } catch (e) {
      r = await loadFailure(id, e, runOpts);
    }
    results.push(r);
    const verdict = r.error ? `ERROR ${r.error}` : r.check!.verdict;
    console.error(`[${k + 1}/${ids.length}] ${id}: ${verdict}; golden ${r.golden.status}`);
    if (!r.golden.ok || r.golden.status === "updated" || r.golden.status === "created") {
      console.error(r.golden.detail);
    }
    if (r.check && !r.claimOk) {
      for (const i of r.check.items.filter((i) => !i.pass)) {
        console.error(`  ✘ ${i.name}: measured ${i.measured}; expected ${i.expected}`);
      }
    }
  }
  const report = await writeReport(opts.outDir);
  const failed = results.filter((r) => !resultOk(r)).length;
  console.log("\n" + summaryTable(results));
  console.log(
    `\n${results.length - failed} passed, ${failed} failed in ${
      formatDuration((performance.now() - t0) / 1000)
    }; backend ${
      results.find((r) => r.provenance.backend.backend !== "none")?.provenance.backend.backend ??
        "none (no tfjs replication selected)"
    }; report: ${report}`,
  );
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof CliError || e instanceof BackendError) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    throw e;
  }
}

/**
 * `deno task bench:quick [ids…] [--profile P] [--backend B] [--jobs N] [--json FILE]` — the
 * whole-run cost of each replication: one fresh `deno task replicate <id> --no-cache` process
 * per replication (tfjs start-up, every cell and every step counted), run one after another.
 * Per replication it prints the wall time, the summed compute time of its cells (each cell
 * timed inside its worker), that sum divided by the worker count, and the ratio of wall time
 * to it (1 = the cores were kept busy); then per-paper totals and the grand total, with the
 * CPU model. `--warm` instead times `replicate <ids>` twice over one cache and reports the
 * second, warm run (every cell cached). Timings never go into tests.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { selectIds } from "../lib/harness/cli.ts";
import { formatDuration } from "../lib/harness/progress.ts";
import { cpuModel } from "../lib/harness/provenance.ts";
import { discoverIds } from "../lib/harness/registry.ts";
import type { ReplicationResult } from "../lib/harness/runner.ts";
import { formatTable } from "../lib/harness/table.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    profile: { type: "string", default: "quick" },
    backend: { type: "string", default: "auto" },
    jobs: { type: "string", default: String(navigator.hardwareConcurrency) },
    json: { type: "string" },
    warm: { type: "boolean", default: false },
  },
});
const ids = selectIds(discoverIds(), positionals.length ? positionals : ["all"]);
const jobs = Number(values.jobs);
const root = new URL("../", import.meta.url).pathname;
const tmp = await Deno.makeTempDir({ prefix: "bench-quick-" });

async function replicate(args: string[]): Promise<{ seconds: number; ok: boolean }> {
  const t0 = performance.now();
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "scripts/replicate.ts",
      ...args,
      "--profile",
      values.profile!,
      "--backend",
      values.backend!,
      "--jobs",
      String(jobs),
    ],
    cwd: root,
    stdout: "null",
    stderr: "null",
  }).output();
  return { seconds: (performance.now() - t0) / 1000, ok: r.code === 0 };
}

if (values.warm) {
  const cache = `${tmp}/cache`;
  const cold = await replicate([...ids, "--out", `${tmp}/out`, "--cache", cache]);
  const warm = await replicate([...ids, "--out", `${tmp}/out`, "--cache", cache]);
  console.log(
    `${ids.length} replications: cold ${formatDuration(cold.seconds)}${
      cold.ok ? "" : " (FAILED)"
    }, ` +
      `warm re-run ${formatDuration(warm.seconds)}${warm.ok ? "" : " (FAILED)"} (${cpuModel()})`,
  );
} else {
  const results: {
    id: string;
    wall: number;
    cellSeconds: number;
    cells: number;
    ok: boolean;
  }[] = [];
  for (const id of ids) {
    const out = `${tmp}/${id.replace("/", "_")}`;
    const r = await replicate([id, "--out", out, "--no-cache"]);
    let cellSeconds = NaN, cells = 0;
    try {
      const v = JSON.parse(
        await Deno.readTextFile(`${out}/${id}/verdict.json`),
      ) as ReplicationResult;
      cellSeconds = v.provenance.cellSeconds;
      cells = v.cells.total;
    } catch { /* failed before a verdict */ }
    results.push({ id, wall: r.seconds, cellSeconds, cells, ok: r.ok });
    const x = results[results.length - 1];
    console.error(`${id}: ${formatDuration(x.wall)}${x.ok ? "" : " (FAILED)"}`);
  }
  const row = (label: string, rs: typeof results) => {
    const wall = rs.reduce((s, r) => s + r.wall, 0);
    const cell = rs.reduce((s, r) => s + r.cellSeconds, 0);
    const ideal = rs.reduce((s, r) => s + r.cellSeconds / Math.min(jobs, Math.max(1, r.cells)), 0);
    return [
      label,
      String(rs.reduce((s, r) => s + r.cells, 0)),
      formatDuration(wall),
      formatDuration(cell),
      formatDuration(cell / jobs),
      (wall / (cell / jobs)).toFixed(2),
      formatDuration(ideal),
      rs.every((r) => r.ok) ? "" : "FAILED",
    ];
  };
  const papers = [...new Set(ids.map((id) => id.split("/")[0]))];
  console.log(formatTable(
    [
      "replication",
      "cells",
      "wall",
      "Σ cell time",
      "Σ/cores",
      "wall ÷ (Σ/cores)",
      "best possible",
      "",
    ],
    [
      ...results.map((r) => row(r.id, [r])),
      ...papers.map((p) => row(`total ${p}`, results.filter((r) => r.id.startsWith(`${p}/`)))),
      row("total", results),
    ],
  ));
  console.log(
    `profile ${values.profile}, backend ${values.backend}, ${jobs} workers, ${cpuModel()}; ` +
      `"best possible" is Σ cell time / min(cores, cells): a replication with fewer cells than ` +
      `cores cannot use them all on its own`,
  );
  if (values.json) {
    await Deno.writeTextFile(
      values.json,
      JSON.stringify({ profile: values.profile, cpu: cpuModel(), jobs, results }, null, 2),
    );
  }
}
await Deno.remove(tmp, { recursive: true });

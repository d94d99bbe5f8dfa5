/**
 * `deno task bench:quick [ids…] [--profile P] [--backend B] [--repeat N] [--json FILE]` —
 * wall time of each replication's run, one fresh `deno run` process per replication (so
 * tfjs start-up is counted), run sequentially; prints a table, per-paper totals and the
 * grand total. This is how the "quick profile under N minutes on 2 cores" budgets are
 * measured; timings never go into tests.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { selectIds } from "../lib/harness/cli.ts";
import { formatDuration } from "../lib/harness/progress.ts";
import { discoverIds } from "../lib/harness/registry.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    profile: { type: "string", default: "quick" },
    backend: { type: "string", default: "auto" },
    repeat: { type: "string", default: "1" },
    json: { type: "string" },
  },
});
const ids = selectIds(discoverIds(), positionals.length ? positionals : ["all"]);
const out = await Deno.makeTempDir({ prefix: "bench-quick-" });
const results: { id: string; seconds: number[]; ok: boolean }[] = [];
for (const id of ids) {
  const seconds: number[] = [];
  let ok = true;
  for (let k = 0; k < Number(values.repeat); k++) {
    const t0 = performance.now();
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "scripts/replicate.ts",
        id,
        "--profile",
        values.profile!,
        "--backend",
        values.backend!,
        "--out",
        out,
      ],
      cwd: new URL("../", import.meta.url).pathname,
      stdout: "null",
      stderr: "null",
    }).output();
    seconds.push((performance.now() - t0) / 1000);
    ok &&= r.code === 0;
  }
  results.push({ id, seconds, ok });
  const best = Math.min(...seconds);
  console.log(`${id.padEnd(40)} ${formatDuration(best).padStart(8)}${ok ? "" : "  (FAILED)"}`);
}
const total = results.reduce((s, r) => s + Math.min(...r.seconds), 0);
const papers = [...new Set(ids.map((id) => id.split("/")[0]))];
for (const p of papers) {
  const t = results.filter((r) => r.id.startsWith(`${p}/`)).reduce(
    (s, r) => s + Math.min(...r.seconds),
    0,
  );
  console.log(`${`total ${p}`.padEnd(40)} ${formatDuration(t).padStart(8)}`);
}
console.log(
  `${"total".padEnd(40)} ${formatDuration(total).padStart(8)} (profile ${values.profile}, ` +
    `backend ${values.backend}, ${navigator.hardwareConcurrency} cores, min of ${values.repeat})`,
);
if (values.json) {
  await Deno.writeTextFile(
    values.json,
    JSON.stringify({ profile: values.profile, results }, null, 2),
  );
}
await Deno.remove(out, { recursive: true });

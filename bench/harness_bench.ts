/**
 * Hot paths of the harness and the Scan & Snap numerics: `deno task bench`.
 */
import { formatCsv, parseCsv } from "../lib/harness/csv.ts";
import { diffTables, resolveTolerances } from "../lib/harness/golden.ts";
import { loadTf } from "../lib/tf.ts";
import { trainBatched } from "../lib/science/scansnap/model.ts";
import type { Row } from "../lib/harness/contract.ts";
import bn from "../replications/scan-snap/bn-phase-transition/replication.ts";
import type { GridContext } from "../lib/harness/contract.ts";

const rows: Row[] = Array.from({ length: 20000 }, (_, i) => ({
  seed: i % 10,
  step: Math.floor(i / 10),
  measure: "z",
  value: Math.sin(i) / 3,
}));
const csv = formatCsv(rows);
const table = parseCsv(csv);
const spec = resolveTolerances({
  keys: ["seed", "step", "measure"],
  default: { atol: 1e-9, why: "bench" },
});

Deno.bench("csv: format 20k rows", { group: "csv" }, () => {
  formatCsv(rows);
});
Deno.bench("csv: parse 20k rows", { group: "csv" }, () => {
  parseCsv(csv);
});
Deno.bench("golden: diff 20k rows by key", () => {
  diffTables(table, table, spec);
});
Deno.bench("scan-snap/bn-phase-transition: every quick cell (5 RK4 curves)", async () => {
  const g: GridContext = { profile: "quick", seed: 0 };
  const ctx = {
    ...g,
    tf: () => Promise.reject(new Error("no tf")),
    progress: () => {},
    log: () => {},
  };
  for (const c of bn.grid(g)) await bn.cell(c, ctx);
});

const { tf, info } = await loadTf("auto");
for (
  const [label, numLast, runs] of [["Fig. 4 (M=34), 5 runs", 2, 5], [
    "Fig. 6 quick (M=79), 80 runs",
    3,
    80,
  ]] as const
) {
  Deno.bench(`scan-snap training: 5 SGD steps, ${label}, ${info.backend}`, async () => {
    await trainBatched(tf, {
      data: { numLast, nextPerLast: numLast === 2 ? 1 : 2, contextLength: 127 },
      runs: Array.from({ length: runs }, (_, i) => ({ etaZ: 1, etaY: 1, seed: i % 5 })),
      steps: 5,
      batchSize: 128,
      momentum: 0.9,
      init: "uniform",
      snapshotSteps: [],
    });
  });
}

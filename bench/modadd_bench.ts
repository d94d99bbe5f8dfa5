/**
 * The CoGO / Li² modular-addition trainer (lib/science/modadd/train.ts, d = 23, q = 512,
 * lr 0.01, wd 5e-5) on the backend named by MODADD_BACKEND (default wasm): one step, and a
 * WHOLE run — every step of the longest quick-profile cell (9,900 steps) — with the
 * subnormal flush on (as the replications run) and off. A step benchmark alone never reaches
 * the regime where dead units decay into float32 subnormals (after ~2,000 steps), which made
 * tfjs-wasm ~16× slower per elementwise op on Intel CPUs; only the whole run shows it.
 *
 *   deno bench -A bench/modadd_bench.ts                 # one step + whole runs (minutes)
 *   MODADD_BACKEND=cpu deno bench -A bench/modadd_bench.ts --filter step
 *
 * @module
 */

import { loadTf } from "../lib/tf.ts";
import { trainModAdd } from "../lib/science/modadd/train.ts";

const backend = (Deno.env.get("MODADD_BACKEND") ?? "wasm") as "cpu" | "wasm" | "webgpu";
const { tf } = await loadTf(backend);
const cfg = (steps: number, flushSubnormals = true) => ({
  d: 23,
  hidden: 512,
  lr: 0.01,
  steps,
  runs: [{ seed: 1, weightDecay: 5e-5 }],
  evalSteps: [steps],
  flushSubnormals,
});

Deno.bench(`modadd setup only (0 steps, ${backend})`, { group: "step" }, async () => {
  await trainModAdd(tf, cfg(0));
});
Deno.bench(`modadd 10 steps (${backend})`, { group: "step", baseline: true }, async () => {
  await trainModAdd(tf, cfg(10));
});
Deno.bench(
  `modadd whole run: 9,900 steps, subnormal flush on (${backend})`,
  { group: "whole run", baseline: true, n: 1, warmup: 0 },
  async () => {
    const r = await trainModAdd(tf, { ...cfg(9900), subnormalSteps: [9900] });
    if (r.subnormals[0].weights + r.subnormals[0].moments > 0) throw new Error("subnormals");
  },
);
Deno.bench(
  `modadd whole run: 9,900 steps, subnormal flush off (${backend})`,
  { group: "whole run", n: 1, warmup: 0 },
  async () => {
    await trainModAdd(tf, cfg(9900, false));
  },
);

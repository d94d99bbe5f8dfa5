/**
 * Deno.bench of the CoGO modular-addition training step (lib/modadd.ts, d = 23, q = 512) on
 * the backend named by MODADD_BACKEND (default wasm; a process holds one tfjs backend — use
 * scripts/bench_modadd_step.ts for the per-backend table). Each iteration trains 10 steps of
 * 1 run (and of 2 runs in one process), setup included; subtract the 0-step case for the
 * per-step cost.
 *
 * @module
 */

import { loadTf } from "../lib/tf.ts";
import { trainModAdd } from "../lib/science/modadd/train.ts";

const backend = (Deno.env.get("MODADD_BACKEND") ?? "wasm") as "cpu" | "wasm" | "webgpu";
const { tf } = await loadTf(backend);
const cfg = (steps: number, runs: number) => ({
  d: 23,
  hidden: 512,
  lr: 0.01,
  steps,
  runs: Array.from({ length: runs }, (_, i) => ({ seed: i + 1, weightDecay: 5e-5 })),
});

Deno.bench(`modadd setup only (0 steps, ${backend})`, { group: "modadd" }, async () => {
  await trainModAdd(tf, cfg(0, 1));
});
Deno.bench(`modadd 10 steps, 1 run (${backend})`, { group: "modadd", baseline: true }, async () => {
  await trainModAdd(tf, cfg(10, 1));
});
Deno.bench(`modadd 10 steps, 2 runs (${backend})`, { group: "modadd" }, async () => {
  await trainModAdd(tf, cfg(10, 2));
});

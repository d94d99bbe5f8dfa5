/**
 * `deno run -A scripts/bench_modadd_step.ts [--steps N] [--runs R] [--d D] [--backends cpu,wasm,webgpu]`
 * — time one full-batch training step of the CoGO modular-addition model (lib/modadd.ts;
 * d = 23, q = 512 by default) on each tfjs backend. A process can hold only one tfjs backend,
 * so each backend runs in its own child `deno run` (this script with `--child`); the parent
 * prints a table of median / 10th-percentile milliseconds per step and per run.
 *
 * @module
 */

import { loadTf } from "../lib/tf.ts";
import { trainModAdd } from "../lib/science/modadd/train.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

const steps = Number(arg("steps", "60"));
const runs = Number(arg("runs", "1"));
const d = Number(arg("d", "23"));

/** Child: measure on one backend and print one JSON line. */
async function child(backend: "cpu" | "wasm" | "webgpu"): Promise<void> {
  const { tf, info } = await loadTf(backend);
  const times: number[] = [];
  let last = 0;
  let first = 0;
  await trainModAdd(tf, {
    d,
    hidden: 512,
    lr: 0.01,
    steps,
    runs: Array.from({ length: runs }, (_, i) => ({ seed: i + 1, weightDecay: 5e-5 })),
    onStep: () => {
      const t = performance.now();
      if (last > 0) times.push(t - last);
      else first = t;
      last = t;
    },
  });
  // asynchronous backends (webgpu) return from a step before the GPU is done: the mean from
  // the first step's end to the final weights' read-back is the honest per-step figure
  const mean = (performance.now() - first) / (steps - 1) / runs;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] / runs;
  console.log(JSON.stringify({
    backend: info.backend,
    adapter: info.adapter,
    mean,
    median: q(0.5),
    p10: q(0.1),
    steps: times.length,
  }));
}

if (Deno.args.includes("--child")) {
  await child(arg("child", "wasm") as "cpu" | "wasm" | "webgpu");
} else {
  const backends = arg("backends", "cpu,wasm,webgpu").split(",");
  const self = new URL(import.meta.url).pathname;
  console.log(
    `modadd training step, d = ${d}, q = 512, ${runs} run(s), ${steps} steps; ` +
      `load average ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
  );
  console.log("backend  ms/step/run: mean  median  p10     adapter");
  for (const b of backends) {
    const cmd = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        self,
        "--child",
        b,
        "--steps",
        String(steps),
        "--runs",
        String(runs),
        "--d",
        String(d),
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const out = await cmd.output();
    const line = new TextDecoder().decode(out.stdout).trim().split("\n").filter((l) =>
      l.startsWith("{")
    ).pop();
    if (!out.success || !line) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-2).join(" ");
      console.log(`${b.padEnd(8)} failed: ${err.slice(0, 160)}`);
      continue;
    }
    const r = JSON.parse(line);
    const f = (x: number) => x.toFixed(2).padStart(7);
    console.log(
      `${r.backend.padEnd(8)} ${f(r.mean).padStart(18)} ${f(r.median)} ${f(r.p10)}  ${r.adapter}`,
    );
  }
}

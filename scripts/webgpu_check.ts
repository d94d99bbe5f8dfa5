/**
 * A small training run of `scan-snap/token-composition` (one seed, a few steps) on one tfjs
 * backend, printed as JSON. The CI test runs it once on WebGPU (a software adapter on a
 * CPU-only machine) and once on wasm and checks that the two agree within that replication's
 * golden tolerance — the one place CI exercises the real WebGPU code path.
 *
 *   deno run -A scripts/webgpu_check.ts --backend webgpu --steps 8
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type BackendRequest, loadTf } from "../lib/tf.ts";
import { trainBatched } from "../lib/science/scansnap/model.ts";
import { DATA, TRAIN } from "../replications/scan-snap/token-composition/replication.ts";

/** What the check prints. */
export interface WebGpuCheckOutput {
  /** The backend tfjs ran on. */
  backend: string;
  /** The WebGPU adapter description. */
  adapter: string;
  /** Pre-update batch losses. */
  loss: number[];
  /** Z's query rows after the last step (row-major, 2 × M). */
  z: number[];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      backend: { type: "string", default: "webgpu" },
      steps: { type: "string", default: "8" },
    },
  });
  const { tf, info } = await loadTf(values.backend as BackendRequest);
  const steps = Number(values.steps);
  const res = await trainBatched(tf, {
    data: DATA,
    runs: [{ etaZ: TRAIN.etaZ, etaY: TRAIN.etaY, seed: 0 }],
    steps,
    batchSize: TRAIN.batchSize,
    momentum: TRAIN.momentum,
    init: "zero",
    snapshotSteps: [steps],
  });
  const M = res.vocab.M, q0 = res.vocab.query[0];
  const out: WebGpuCheckOutput = {
    backend: info.backend,
    adapter: info.adapter,
    loss: [...res.loss[0]],
    z: [...res.z[0][0].subarray(q0 * M, (q0 + DATA.numLast) * M)],
  };
  console.log(JSON.stringify(out));
}

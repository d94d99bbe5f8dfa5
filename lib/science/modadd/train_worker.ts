/**
 * Worker side of {@link trainModAddParallel} (lib/modadd.ts): loads tfjs on the backend the
 * parent names, trains its share of the runs with {@link trainModAdd} and posts the result.
 * Not for direct use.
 *
 * @module
 */

import { type BackendRequest, loadTf } from "../../tf.ts";
import { type ModAddConfig, trainModAdd } from "./train.ts";

/** Message from the parent: the backend and a config without callbacks. */
export interface WorkerRequest {
  /** tfjs backend to load (the parent's current backend). */
  backend: BackendRequest;
  /** The share of the runs to train; `onCheckpoint` / `onStep` are not sent. */
  config: Omit<ModAddConfig, "onCheckpoint" | "onStep">;
  /** Post a progress message every this many steps. */
  progressEvery: number;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(m: unknown): void;
};

scope.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  try {
    const { backend, config, progressEvery } = e.data;
    const { tf } = await loadTf(backend);
    const res = await trainModAdd(tf, {
      ...config,
      onStep: (s) => {
        if (s % progressEvery === 0 || s === config.steps) {
          scope.postMessage({ type: "step", step: s });
        }
      },
    });
    scope.postMessage({ type: "done", result: { ...res, checkpoints: [...res.checkpoints] } });
  } catch (err) {
    scope.postMessage({
      type: "error",
      message: err instanceof Error ? err.stack ?? err.message : String(err),
    });
  }
};

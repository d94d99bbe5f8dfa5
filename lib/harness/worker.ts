/**
 * The pool's worker (a Deno Worker, one per core): imports a replication module, runs one
 * cell at a time with its own tfjs (loaded on the cell's first `ctx.tf()`), and posts
 * progress, log lines and the rows back. Not for direct use; see {@link CellPool}.
 *
 * @module
 */

import type { CellContext, Profile, ReplicationSpec } from "./contract.ts";
import { encodeRows } from "./cache.ts";
import { type BackendInfo, type BackendName, loadTf } from "../tf.ts";

/** A cell to run. */
export interface WorkerJob {
  /** Job number (echoed in every reply). */
  job: number;
  /** file: URL of the replication module. */
  moduleUrl: string;
  /** The cell's parameters. */
  params: Record<string, unknown>;
  /** Profile. */
  profile: Profile;
  /** Base seed. */
  seed: number;
  /** The concrete tfjs backend to load when the cell asks for tfjs. */
  backend: BackendName;
}

/** What a worker posts back. */
export type WorkerReply =
  | { type: "progress"; job: number; done: number; total: number }
  | { type: "log"; job: number; message: string }
  | { type: "done"; job: number; rows: string; tf: BackendInfo | null; seconds: number }
  | { type: "error"; job: number; message: string; stack: string };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerJob>) => void) | null;
  postMessage(m: WorkerReply): void;
};

const modules = new Map<string, Promise<ReplicationSpec>>();

function load(url: string): Promise<ReplicationSpec> {
  let p = modules.get(url);
  if (!p) {
    p = import(url).then((m) => m.default as ReplicationSpec);
    modules.set(url, p);
  }
  return p;
}

scope.onmessage = async (e: MessageEvent<WorkerJob>) => {
  const { job, moduleUrl, params, profile, seed, backend } = e.data;
  const t0 = performance.now();
  let tfInfo: BackendInfo | null = null;
  let lastProgress = 0;
  try {
    const spec = await load(moduleUrl);
    const ctx: CellContext = {
      profile,
      seed,
      tf: async () => {
        const loaded = await loadTf(backend);
        tfInfo = loaded.info;
        return loaded.tf;
      },
      progress: (done, total) => {
        const now = performance.now();
        if (now - lastProgress < 250 && done < total) return;
        lastProgress = now;
        scope.postMessage({ type: "progress", job, done, total });
      },
      log: (message) => scope.postMessage({ type: "log", job, message }),
    };
    const rows = await spec.cell(params as never, ctx);
    const text = encodeRows(rows);
    scope.postMessage({
      type: "done",
      job,
      rows: text,
      tf: tfInfo,
      seconds: (performance.now() - t0) / 1000,
    });
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    scope.postMessage({
      type: "error",
      job,
      message: `${error.name}: ${error.message}`,
      stack: error.stack ?? "",
    });
  }
};

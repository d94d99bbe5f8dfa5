/**
 * A pool of Deno Workers that run cells: one cell per worker at a time, each worker with
 * its own tfjs, so a run uses every core and cells of different replications share the
 * pool. Jobs run in submission order (the runner submits the costliest first). A worker
 * that dies fails only its cell and is replaced.
 *
 * @module
 */

import type { Params, Profile } from "./contract.ts";
import type { WorkerJob, WorkerReply } from "./worker.ts";
import type { BackendInfo, BackendName } from "../tf.ts";

/** A cell for the pool. */
export interface PoolJob {
  /** file: URL of the replication module. */
  moduleUrl: string;
  /** The cell's parameters. */
  params: Params;
  /** Profile. */
  profile: Profile;
  /** Base seed. */
  seed: number;
  /** Concrete tfjs backend for cells that ask for tfjs. */
  backend: BackendName;
  /** Progress within the cell (done of total). */
  onProgress?: (done: number, total: number) => void;
  /** A log line from the cell. */
  onLog?: (message: string) => void;
}

/** What a finished cell gives. */
export interface PoolResult {
  /** The rows, in the cache's JSON encoding (see cache.ts). */
  rowsJson: string;
  /** The tfjs backend the cell loaded, or null when it never asked for tfjs. */
  tf: BackendInfo | null;
  /** Seconds the cell took inside its worker. */
  seconds: number;
}

/** Raised for a cell that threw (or whose worker died). */
export class CellError extends Error {
  /** The worker-side stack, when there is one. */
  readonly detail: string;
  /** @param message one line, @param detail the stack */
  constructor(message: string, detail = "") {
    super(message);
    this.name = "CellError";
    this.detail = detail;
  }
}

interface Pending {
  job: PoolJob;
  resolve: (r: PoolResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

/**
 * Run cells on `size` workers.
 *
 * @example
 * ```ts ignore
 * const pool = new CellPool(navigator.hardwareConcurrency);
 * const r = await pool.run({ moduleUrl, params: { seed: 1 }, profile: "quick", seed: 0, backend: "wasm" });
 * pool.close();
 * ```
 */
export class CellPool {
  readonly size: number;
  #slots: Slot[] = [];
  #queue: Pending[] = [];
  #nextJob = 1;
  #closed = false;

  /** @param size number of workers (≥ 1), started lazily */
  constructor(size: number) {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`pool size ${size}`);
    this.size = size;
  }

  /** Queue a cell; resolves with its rows, rejects with a {@link CellError}. */
  run(job: PoolJob): Promise<PoolResult> {
    if (this.#closed) return Promise.reject(new CellError("the pool is closed"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#pump();
    });
  }

  /** Cells queued or running. */
  get pending(): number {
    return this.#queue.length + this.#slots.filter((s) => s.busy).length;
  }

  /** Stop every worker; queued and running cells reject. */
  close(): void {
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new CellError("interrupted"));
    for (const s of this.#slots) {
      s.worker.terminate();
      s.busy?.reject(new CellError("interrupted"));
      s.busy = null;
    }
    this.#slots = [];
  }

  #spawn(): Slot {
    const slot: Slot = {
      worker: new Worker(new URL("./worker.ts", import.meta.url), { type: "module" }),
      busy: null,
    };
    slot.worker.onmessage = (e: MessageEvent<WorkerReply>) => this.#onReply(slot, e.data);
    slot.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#fail(slot, new CellError(`worker died: ${e.message}`));
    };
    this.#slots.push(slot);
    return slot;
  }

  #fail(slot: Slot, err: Error): void {
    const p = slot.busy;
    slot.worker.terminate();
    this.#slots = this.#slots.filter((s) => s !== slot);
    p?.reject(err);
    this.#pump();
  }

  #onReply(slot: Slot, m: WorkerReply): void {
    const p = slot.busy;
    if (!p) return;
    if (m.type === "progress") p.job.onProgress?.(m.done, m.total);
    else if (m.type === "log") p.job.onLog?.(m.message);
    else {
      slot.busy = null;
      if (m.type === "done") p.resolve({ rowsJson: m.rows, tf: m.tf, seconds: m.seconds });
      else p.reject(new CellError(m.message, m.stack));
      this.#pump();
    }
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let slot = this.#slots.find((s) => !s.busy);
      if (!slot && this.#slots.length < this.size) slot = this.#spawn();
      if (!slot) return;
      const p = this.#queue.shift()!;
      slot.busy = p;
      const msg: WorkerJob = {
        job: this.#nextJob++,
        moduleUrl: p.job.moduleUrl,
        params: p.job.params,
        profile: p.job.profile,
        seed: p.job.seed,
        backend: p.job.backend,
      };
      slot.worker.postMessage(msg);
    }
  }
}

/**
 * Progress of a run on stderr: cells done of total, the running cells, elapsed time and a
 * cost-weighted ETA; a redrawn line on a terminal, plain lines otherwise (CI logs), nothing
 * when silenced (tests).
 *
 * @module
 */

/** Where progress goes: a terminal gets a redrawn bar, anything else gets plain lines. */
export type ProgressMode = "bar" | "lines" | "silent";

/**
 * Format seconds as `1h02m`, `3m07s` or `12.3s`.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * import assert from "node:assert/strict";
 * assert.ok(formatDuration(187) === "3m07s");
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 59.95) return `${seconds.toFixed(1)}s`;
  const total = Math.round(seconds);
  const m = Math.floor(total / 60);
  if (m < 60) return `${m}m${String(total % 60).padStart(2, "0")}s`;
  const mins = Math.round(seconds / 60);
  return `${Math.floor(mins / 60)}h${String(mins % 60).padStart(2, "0")}m`;
}

/** What a run's progress starts from. */
export interface RunTotals {
  /** Cells in the run (its share, in a shard). */
  total: number;
  /** Cells already taken from the cache. */
  cached: number;
  /** Cost of each cell to compute, by key (the ETA weighs cells by it). */
  costs: Map<string, number>;
}

/**
 * The progress of a run of cells on stderr: cells done of total with the cached ones, the
 * running cells with their own progress, elapsed time and an ETA weighted by cell cost.
 * A terminal gets one redrawn line; anything else gets a line per finished cell and at
 * most one status line per 10 s.
 *
 * @example
 * ```ts
 * import { RunProgress } from "./progress.ts";
 * import assert from "node:assert/strict";
 * const p = new RunProgress("silent", { total: 2, cached: 0, costs: new Map([["a", 1], ["b", 3]]) });
 * p.cellProgress("b", "x/y#2", 0.5);
 * p.cellDone("a", "x/y#1", 1.2);
 * assert.ok(p.costFraction() === (1 + 1.5) / 4);
 * p.stop();
 * ```
 */
export class RunProgress {
  readonly #mode: ProgressMode;
  readonly #totals: RunTotals;
  readonly #totalCost: number;
  #doneCost = 0;
  #done = 0;
  #failed = 0;
  #running = new Map<string, { label: string; frac: number }>();
  #t0: number | null = null;
  #lastLine = 0;
  #lastDraw = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #enc = new TextEncoder();

  /** @param mode where to draw, @param totals the run's cells */
  constructor(mode: ProgressMode, totals: RunTotals) {
    this.#mode = mode;
    this.#totals = totals;
    this.#totalCost = [...totals.costs.values()].reduce((a, b) => a + b, 0);
    if (totals.costs.size > 0) this.#start();
    if (mode !== "silent" && totals.costs.size > 0) {
      this.#write(
        `cells: ${totals.total} (${totals.cached} cached, ${totals.costs.size} to compute)\n`,
      );
    }
  }

  /** Share of the cost to compute that is done, counting running cells by their progress. */
  costFraction(): number {
    if (this.#totalCost === 0) return 1;
    let c = this.#doneCost;
    for (const [k, r] of this.#running) c += (this.#totals.costs.get(k) ?? 0) * r.frac;
    return c / this.#totalCost;
  }

  /** A running cell reported `frac` of its work done. */
  cellProgress(key: string, label: string, frac: number): void {
    this.#start();
    this.#running.set(key, { label, frac: Math.max(0, Math.min(1, frac)) });
    this.#draw(false);
  }

  /** A cell finished. */
  cellDone(key: string, label: string, seconds: number): void {
    this.#start();
    this.#running.delete(key);
    this.#done++;
    this.#doneCost += this.#totals.costs.get(key) ?? 0;
    if (this.#mode === "lines") {
      this.#write(`${this.#status()} · done ${label} in ${formatDuration(seconds)}\n`);
    } else this.#draw(true);
  }

  /** A cell failed. */
  cellFailed(key: string, label: string, message: string): void {
    this.#running.delete(key);
    this.#failed++;
    this.log(`${label} FAILED: ${message}`);
  }

  /** Print one line above the status. */
  log(line: string): void {
    if (this.#mode === "silent") return;
    if (this.#mode === "bar") this.#write(`\r\x1b[2K${line}\n`);
    else this.#write(line + "\n");
    this.#draw(true);
  }

  /** End the display (clears the status line on a terminal). */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#mode === "bar" && this.#t0 !== null) this.#write(`\r\x1b[2K`);
  }

  #start(): void {
    if (this.#t0 !== null) return;
    this.#t0 = performance.now() / 1000;
    if (this.#mode === "bar") this.#timer = setInterval(() => this.#draw(true), 1000);
  }

  #status(): string {
    const elapsed = performance.now() / 1000 - (this.#t0 ?? performance.now() / 1000);
    const f = this.costFraction();
    const eta = f > 0 ? Math.max(0, elapsed * (1 - f)) / f : NaN;
    const done = this.#totals.cached + this.#done;
    const width = 20;
    const filled = Math.round(Math.min(1, f) * width);
    const running = [...this.#running.values()]
      .map((r) => `${r.label} ${(100 * r.frac).toFixed(0)}%`).join(", ");
    return `cells ${done}/${this.#totals.total} (${this.#totals.cached} cached` +
      `${this.#failed ? `, ${this.#failed} failed` : ""}) [${"#".repeat(filled)}${
        "-".repeat(width - filled)
      }] ${(100 * f).toFixed(0)}% elapsed ${formatDuration(elapsed)} ETA ${formatDuration(eta)}` +
      (running ? ` · ${running}` : "");
  }

  #draw(force: boolean): void {
    if (this.#mode === "silent" || this.#t0 === null) return;
    const now = performance.now() / 1000;
    if (this.#mode === "bar") {
      if (!force && now - this.#lastDraw < 0.1) return;
      this.#lastDraw = now;
      const cols = Deno.consoleSize?.().columns ?? 120;
      this.#write(`\r\x1b[2K${this.#status().slice(0, Math.max(20, cols - 1))}`);
    } else if (now - this.#lastLine >= 10) {
      this.#lastLine = now;
      this.#write(this.#status() + "\n");
    }
  }

  #write(s: string): void {
    Deno.stderr.writeSync(this.#enc.encode(s));
  }
}

/** The mode to use for stderr: a bar on a terminal, plain lines otherwise. */
export function defaultProgressMode(): ProgressMode {
  return Deno.stderr.isTerminal() ? "bar" : "lines";
}

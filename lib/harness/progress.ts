/**
 * Progress reporting for long runs: a bar with ETA on a terminal, plain lines otherwise
 * (CI logs), nothing at all when silenced (tests).
 *
 * @module
 */

/** A progress reporter a replication drives with `start` / `tick` / `done`. */
export interface Progress {
  /** Begin a phase of `total` units of work. */
  start(label: string, total: number): void;
  /** Record `n` (default 1) more units done. */
  tick(n?: number): void;
  /** End the current phase. */
  done(): void;
}

/** Where progress goes: a terminal gets a redrawn bar, anything else gets plain lines. */
export type ProgressMode = "bar" | "lines" | "silent";

/** Format seconds as `1h02m`, `3m07s` or `12.3s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds - 60 * m)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** The bar's text for `done` of `total` units after `elapsed` seconds. */
export function renderBar(label: string, done: number, total: number, elapsed: number): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const width = 24;
  const filled = Math.round(frac * width);
  const eta = done > 0 ? (elapsed * (total - done)) / done : NaN;
  return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ` +
    `${(frac * 100).toFixed(0)}% elapsed ${formatDuration(elapsed)} ETA ${formatDuration(eta)}`;
}

/**
 * Create a progress reporter writing to stderr.
 *
 * @param prefix shown before every label (the replication id)
 * @param mode `bar` redraws one line (use on a terminal), `lines` prints at most one line per
 *   ~10 % or 5 s, `silent` prints nothing
 */
export function createProgress(prefix: string, mode: ProgressMode): Progress {
  const enc = new TextEncoder();
  const write = (s: string) => Deno.stderr.writeSync(enc.encode(s));
  let label = "";
  let total = 0;
  let count = 0;
  let t0 = 0;
  let lastPrint = 0;
  let lastFrac = -1;
  const now = () => performance.now() / 1000;
  const print = (final: boolean) => {
    const text = renderBar(`${prefix} ${label}`, count, total, now() - t0);
    if (mode === "bar") write(`\r\x1b[2K${text}${final ? "\n" : ""}`);
    else if (mode === "lines") write(text + "\n");
  };
  return {
    start(l, n) {
      label = l;
      total = n;
      count = 0;
      t0 = now();
      lastPrint = 0;
      lastFrac = -1;
    },
    tick(n = 1) {
      count += n;
      if (mode === "silent") return;
      const t = now();
      const frac = total > 0 ? count / total : 1;
      if (mode === "bar" ? t - lastPrint > 0.1 : frac - lastFrac >= 0.1 || t - lastPrint > 5) {
        lastPrint = t;
        lastFrac = frac;
        print(false);
      }
    },
    done() {
      if (mode !== "silent" && total > 0) print(true);
      total = 0;
    },
  };
}

/** The mode to use for stderr: a bar on a terminal, plain lines otherwise. */
export function defaultProgressMode(): ProgressMode {
  return Deno.stderr.isTerminal() ? "bar" : "lines";
}

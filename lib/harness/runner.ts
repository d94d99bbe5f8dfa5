/**
 * The run loop, owned by the harness: expand every selected replication's grid into cells,
 * take the cached ones from the cache, run the rest on the worker pool (costliest first,
 * cells of all replications sharing the pool), store each finished cell atomically, and,
 * as soon as a replication has all its cells, write its tidy CSV, run its claim check, diff
 * its golden, render its chart and write `verdict.json`, every file atomically under
 * `out/<id>/`. A shard run (`--shard`) computes its share of the cells and hands them to
 * `merge`, which does the rest from the union of the shards' cells.
 *
 * @module
 */

import {
  type CellBackend,
  type CellEntry,
  cellKey,
  decodeRows,
  isPlainJson,
  readEntry,
  roundTripRows,
  writeEntry,
} from "./cache.ts";
import { fillTemplate, loadTemplate, renderSvg } from "./chart.ts";
import {
  type CheckResult,
  type Claim,
  type Params,
  type Profile,
  type RecordedVerdict,
  type Row,
  type Tolerances,
  verdictAccepted,
} from "./contract.ts";
import { formatCsv, parseCsv } from "./csv.ts";
import { writeFileAtomic } from "./fs.ts";
import {
  compareWithGolden,
  type GoldenOutcome,
  goldenPaths,
  readGoldenProvenance,
  type UpdateMode,
} from "./golden.ts";
import { CellError, CellPool } from "./pool.ts";
import { type ProgressMode, RunProgress } from "./progress.ts";
import { cpuModel, gitCommit, type Provenance, provenance } from "./provenance.ts";
import { type LoadedReplication, ROOT } from "./registry.ts";
import { assignShards } from "./shard.ts";
import { lockHash, sourceHash } from "./sources.ts";
import {
  BackendError,
  type BackendInfo,
  type BackendName,
  backendOrder,
  type BackendRequest,
  probeGpu,
} from "../tf.ts";

/** Options shared by every replication of one invocation. */
export interface RunOptions {
  /** Profile to run. */
  profile: Profile;
  /** Base seed. */
  seed: number;
  /** Requested tfjs backend. */
  backend: BackendRequest;
  /** Output root (`out`). */
  outDir: string;
  /** Golden root (`golden`). */
  goldenDir: string;
  /** Cell cache root (`.cache`), or null for `--no-cache` (neither read nor written). */
  cacheDir: string | null;
  /** Golden update policy. */
  update: UpdateMode;
  /** Worker count. */
  jobs: number;
  /** How progress is shown. */
  progress: ProgressMode;
  /** Compute only this deterministic share of the cells (and write them to `<out>/cells`). */
  shard?: { index: number; count: number } | null;
  /** Take cells only from these entries (a merge); nothing is computed. */
  cellSource?: Map<string, CellEntry> | null;
}

/** Cell counts of one replication's run. */
export interface CellCounts {
  /** Cells in the grid. */
  total: number;
  /** Taken from the cache (or, in a merge, from the shards). */
  cached: number;
  /** Computed by this run. */
  run: number;
}

/** The verdict of a claim check run on a committed golden (no training). */
export interface GoldenVerdict {
  /** The golden's profile. */
  profile: Profile;
  /** The check's result on the golden's rows, or null when the check threw. */
  check: CheckResult | null;
  /** Whether it is accepted (REPRODUCED or the recorded verdict of that profile). */
  accepted: boolean;
  /** The recorded verdict of that profile, if any. */
  recorded: RecordedVerdict | null;
  /** Where the golden came from (commit, backend, adapter, CPU, date, wall time), if stored. */
  provenance: Record<string, unknown> | null;
  /** Why the check could not be run, if it could not. */
  error: string | null;
}

/** Everything known about one replication's run; also what verdict.json holds. */
export interface ReplicationResult {
  /** Format tag of verdict.json. */
  format: "replicate-verdict/1";
  /** Replication id. */
  id: string;
  /** Short title. */
  title: string;
  /** The claim. */
  claim: Claim;
  /** The golden tolerances, with their reasons. */
  tolerances: Tolerances | null;
  /** NOTES.md, when the folder has one. */
  notes: string | null;
  /** The recorded (expected) non-REPRODUCED verdict of this profile, if any. */
  recorded: RecordedVerdict | null;
  /** The claim check's result, or null when the run failed. */
  check: CheckResult | null;
  /** Whether the verdict lets the run pass. */
  claimOk: boolean;
  /** Golden comparison. */
  golden: GoldenOutcome;
  /** The check run on the committed goldens of the other profiles (paper-scale verdicts). */
  goldenVerdicts: GoldenVerdict[];
  /** Error message when a cell, the check or the chart failed. */
  error: string | null;
  /** Rows written. */
  rows: number;
  /** Cell counts. */
  cells: CellCounts;
  /** Provenance. */
  provenance: Provenance;
}

/** Whether a result passes: claim accepted, golden ok, no error. */
export function resultOk(r: ReplicationResult): boolean {
  return r.error === null && r.claimOk && r.golden.ok;
}

/** The verdict as shown to users: ERROR, the check's verdict, "(recorded)" when accepted as such. */
export function verdictLabel(r: Pick<ReplicationResult, "error" | "check" | "claimOk">): string {
  if (r.error || !r.check) return "ERROR";
  return r.check.verdict + (r.check.verdict !== "REPRODUCED" && r.claimOk ? " (recorded)" : "");
}

/** One line for an error: name and message, no stack. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** The output files of a replication. */
export function outPaths(outDir: string, id: string) {
  const dir = `${outDir}/${id}`;
  return {
    dir,
    csv: `${dir}/data.csv`,
    spec: `${dir}/chart.vl.json`,
    svg: `${dir}/chart.svg`,
    verdict: `${dir}/verdict.json`,
    obtained: `${outDir}/${id}.obtained.csv`,
  };
}

/** The concrete backend a request resolves to on this machine (tfjs is not loaded). */
export async function resolveBackend(request: BackendRequest): Promise<BackendName> {
  const probe = await probeGpu();
  if (request === "webgpu" && !probe.available) {
    throw new BackendError(`--backend webgpu: no WebGPU adapter here (${probe.description})`);
  }
  return backendOrder(request, probe)[0];
}

/** One cell of a plan. */
export interface PlannedCell {
  /** Replication id. */
  id: string;
  /** Position in the replication's grid. */
  index: number;
  /** Parameters. */
  params: Params;
  /** Relative cost. */
  cost: number;
  /** Cache key. */
  key: string;
}

/** A replication's planned cells, or why it could not be planned. */
export interface PlannedReplication {
  /** The replication. */
  rep: LoadedReplication;
  /** Its cells in grid order. */
  cells: PlannedCell[];
  /** {@link sourceHash} of its module (empty when planning failed before it). */
  source: string;
  /** Why the grid could not be expanded (the replication is then an ERROR). */
  error: string | null;
}

/**
 * Expand every replication's grid into keyed cells. A grid that throws or yields params
 * that are not plain JSON makes that replication an error, not the run.
 */
export async function planCells(
  reps: LoadedReplication[],
  profile: Profile,
  seed: number,
): Promise<PlannedReplication[]> {
  const root = ROOT.pathname;
  const lock = await lockHash(root);
  const out: PlannedReplication[] = [];
  for (const rep of reps) {
    let source = "";
    try {
      source = await sourceHash(new URL(rep.moduleUrl).pathname, root);
      const grid = rep.spec.grid({ profile, seed });
      if (!Array.isArray(grid) || grid.length === 0) {
        throw new Error(`grid() returned no cells for profile ${profile}`);
      }
      const cells: PlannedCell[] = [];
      for (const [index, params] of grid.entries()) {
        if (!isPlainJson(params) || Array.isArray(params) || typeof params !== "object") {
          throw new Error(`grid cell ${index} is not a plain JSON object: ${String(params)}`);
        }
        const cost = rep.spec.cost?.(params, profile) ?? 1;
        if (!(Number.isFinite(cost) && cost > 0)) {
          throw new Error(`cost() of grid cell ${index} is ${cost}; it must be > 0`);
        }
        const key = await cellKey({ id: rep.id, params, profile, seed, source, lock });
        cells.push({ id: rep.id, index, params, cost, key });
      }
      const seen = new Set<string>();
      for (const c of cells) {
        if (seen.has(c.key)) {
          throw new Error(`grid has two identical cells: ${JSON.stringify(c.params)}`);
        }
        seen.add(c.key);
      }
      out.push({ rep, cells, source, error: null });
    } catch (e) {
      out.push({ rep, cells: [], source, error: `grid: ${errorMessage(e)}` });
    }
  }
  return out;
}

/** What a run produced. */
export interface RunOutcome {
  /** One result per finalised replication (none in a shard run). */
  results: ReplicationResult[];
  /** Whether a signal stopped the run (cells done so far are cached). */
  interrupted: boolean;
  /** Cells in the run's share, taken from the cache, computed, failed. */
  cells: { total: number; cached: number; run: number; failed: number };
  /** In a shard run: the cells of the share, as stored under `<out>/cells`. */
  shardCells: PlannedCell[];
  /** Cache entries that could not be read (named, then recomputed). */
  badEntries: string[];
  /** Cells that failed: key → message. */
  failed: Map<string, string>;
}

interface CellDone {
  rows: Row[];
  seconds: number;
  cached: boolean;
  backend: CellBackend;
  adapter: string;
  tfjs: string | null;
}

/**
 * Run the planned replications: cells from the cache (or a merge's shard cells), the rest on
 * the pool, then finalise each replication. Never throws for a replication's own failures.
 */
export async function runPlanned(
  planned: PlannedReplication[],
  opts: RunOptions,
  log: (line: string) => void = (l) => console.error(l),
): Promise<RunOutcome> {
  const t0 = performance.now();
  const backend = await resolveBackend(opts.backend);
  const probe = await probeGpu();
  const all = planned.flatMap((p) => p.cells);
  const mine = opts.shard ? assignShards(all, opts.shard.count)[opts.shard.index - 1] : all;
  const done = new Map<string, CellDone>();
  const failed = new Map<string, string>();
  const badEntries: string[] = [];
  const commit = await gitCommit();
  const cellsOut = opts.shard ? `${opts.outDir}/cells` : null;

  // 1. cached cells (or the merge's)
  const toRun: PlannedCell[] = [];
  for (const c of mine) {
    if (opts.cellSource) {
      const e = opts.cellSource.get(c.key);
      if (e) done.set(c.key, fromEntry(e, true));
      continue;
    }
    if (opts.cacheDir) {
      const r = await readEntry(opts.cacheDir, c.id, c.key, backend);
      if (r.status === "hit") {
        done.set(c.key, fromEntry(r.entry, true));
        if (cellsOut) await writeEntry(cellsOut, r.entry);
        continue;
      }
      if (r.status === "bad") {
        badEntries.push(`${r.path}: ${r.reason}`);
        log(`cache: ${r.path} ${r.reason}; computing the cell again`);
      }
    }
    toRun.push(c);
  }
  const cachedCount = done.size;

  // 2. finalisation as replications complete (one at a time, in completion order)
  const results: ReplicationResult[] = [];
  const startedAt = new Map<string, number>();
  const pendingFinal = new Set(opts.shard ? [] : planned.map((p) => p.rep.id));
  let chain = Promise.resolve();
  const maybeFinalise = (p: PlannedReplication) => {
    if (!pendingFinal.has(p.rep.id)) return;
    if (!p.cells.every((c) => done.has(c.key) || failed.has(c.key))) return;
    pendingFinal.delete(p.rep.id);
    chain = chain.then(async () => {
      const r = await finalise(p, done, failed, opts, {
        backendRequested: opts.backend,
        probe,
        wallSeconds: (performance.now() - (startedAt.get(p.rep.id) ?? t0)) / 1000,
      });
      results.push(r);
    });
  };

  // 3. the pool
  let interrupted = false;
  const progress = new RunProgress(opts.progress, {
    total: mine.length,
    cached: cachedCount,
    costs: new Map(toRun.map((c) => [c.key, c.cost])),
  });
  const byId = new Map(planned.map((p) => [p.rep.id, p]));
  if (opts.cellSource) {
    for (const c of mine) if (!done.has(c.key)) failed.set(c.key, "missing from the shards");
  }
  for (const p of planned) maybeFinalise(p);
  if (toRun.length > 0 && !opts.cellSource) {
    const pool = new CellPool(Math.max(1, Math.min(opts.jobs, toRun.length)));
    const onSignal = () => {
      if (interrupted) return;
      interrupted = true;
      progress.stop();
      log(`\ninterrupted: stopping the workers; finished cells are cached`);
      pool.close();
    };
    const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
    for (const s of signals) Deno.addSignalListener(s, onSignal);
    const order = [...toRun].sort((a, b) => b.cost - a.cost);
    try {
      await Promise.all(order.map(async (c) => {
        const label = `${c.id}#${c.index + 1}`;
        const rep = byId.get(c.id)!.rep;
        try {
          const r = await pool.run({
            moduleUrl: rep.moduleUrl,
            params: c.params,
            profile: opts.profile,
            seed: opts.seed,
            backend,
            onProgress: (d, t) => {
              if (!startedAt.has(c.id)) startedAt.set(c.id, performance.now());
              progress.cellProgress(c.key, label, t > 0 ? d / t : 0);
            },
            onLog: (m) => progress.log(`[${label}] ${m}`),
          });
          if (!startedAt.has(c.id)) startedAt.set(c.id, performance.now() - r.seconds * 1000);
          const rows = decodeRows(r.rowsJson);
          const entry: CellEntry = {
            format: "replicate-cell/1",
            key: c.key,
            id: c.id,
            params: c.params,
            profile: opts.profile,
            seed: opts.seed,
            backend: r.tf ? r.tf.backend as CellBackend : "none",
            adapter: r.tf?.backend === "webgpu" ? r.tf.adapter : "",
            rows,
            seconds: r.seconds,
            computedAt: new Date().toISOString(),
            origin: { commit, cpu: cpuModel(), deno: Deno.version.deno, tfjs: r.tf?.tfjs ?? null },
          };
          if (opts.cacheDir) await writeEntry(opts.cacheDir, entry);
          if (cellsOut) await writeEntry(cellsOut, entry);
          done.set(c.key, fromEntry(entry, false));
          progress.cellDone(c.key, label, r.seconds);
        } catch (e) {
          if (interrupted) return;
          const msg = e instanceof CellError ? e.message : errorMessage(e);
          failed.set(c.key, msg);
          progress.cellFailed(c.key, label, msg);
          if (e instanceof CellError && e.detail) progress.log(e.detail);
        }
        if (!interrupted) maybeFinalise(byId.get(c.id)!);
      }));
    } finally {
      for (const s of signals) Deno.removeSignalListener(s, onSignal);
      pool.close();
      progress.stop();
    }
  }
  await chain;
  const ranCount = [...done.values()].filter((d) => !d.cached).length;
  return {
    results: results.sort((a, b) => (a.id < b.id ? -1 : 1)),
    interrupted,
    cells: { total: mine.length, cached: cachedCount, run: ranCount, failed: failed.size },
    shardCells: opts.shard ? mine : [],
    badEntries,
    failed,
  };
}

function fromEntry(e: CellEntry, cached: boolean): CellDone {
  return {
    rows: e.rows,
    seconds: e.seconds,
    cached,
    backend: e.backend,
    adapter: e.adapter,
    tfjs: e.origin?.tfjs ?? null,
  };
}

async function readNotes(url: URL): Promise<string | null> {
  try {
    return await Deno.readTextFile(url);
  } catch {
    return null;
  }
}

/** Remove the outputs of an earlier run of this replication (so no stale file looks current). */
async function clearOutputs(outDir: string, id: string): Promise<void> {
  const p = outPaths(outDir, id);
  for (const f of [p.csv, p.spec, p.svg, p.obtained]) await Deno.remove(f).catch(() => {});
}

/** Run a replication's check on its committed golden of `profile` (no training). */
export async function checkGolden(
  rep: LoadedReplication,
  goldenDir: string,
  profile: Profile,
): Promise<GoldenVerdict | null> {
  const paths = goldenPaths(goldenDir, rep.id, profile);
  let text: string;
  try {
    text = await Deno.readTextFile(paths.csv);
  } catch {
    return null;
  }
  const recorded = rep.spec.recorded?.[profile] ?? null;
  const { provenance } = await readGoldenProvenance(goldenDir, rep.id, profile);
  try {
    const rows = parseCsv(text, paths.csv).rows;
    const check = validCheck(rep.spec.check(rows, profile));
    return {
      profile,
      check,
      accepted: verdictAccepted(check, recorded ?? undefined),
      recorded,
      provenance: provenance as unknown as Record<string, unknown> | null,
      error: null,
    };
  } catch (e) {
    return {
      profile,
      check: null,
      accepted: false,
      recorded,
      provenance: provenance as unknown as Record<string, unknown> | null,
      error: errorMessage(e),
    };
  }
}

/** A check's return value, or an error saying what it returned instead. */
function validCheck(r: unknown): CheckResult {
  const c = r as CheckResult | undefined;
  if (!c || typeof c !== "object" || !Array.isArray(c.items) || typeof c.verdict !== "string") {
    throw new TypeError(
      `check() returned ${r === undefined ? "nothing" : JSON.stringify(r)}; ` +
        `it must return verdictOf(items, ourValue)`,
    );
  }
  return c;
}

async function finalise(
  p: PlannedReplication,
  done: Map<string, CellDone>,
  failed: Map<string, string>,
  opts: RunOptions,
  meta: {
    backendRequested: BackendRequest;
    probe: { description: string; software: boolean };
    wallSeconds: number;
  },
): Promise<ReplicationResult> {
  const { rep } = p;
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const paths = outPaths(opts.outDir, rep.id);
  const recorded = rep.spec.recorded?.[opts.profile] ?? null;
  const cellsDone = p.cells.map((c) => done.get(c.key)).filter((d) => d !== undefined);
  const tfCell = cellsDone.find((d) => d.backend !== "none");
  const backend: BackendInfo = {
    requested: meta.backendRequested,
    backend: tfCell ? tfCell.backend as BackendName : "none",
    adapter: tfCell?.adapter || meta.probe.description,
    adapterSoftware: tfCell?.adapter ? false : meta.probe.software,
    tfjs: tfCell?.tfjs ?? null,
  };
  const counts: CellCounts = {
    total: p.cells.length,
    cached: cellsDone.filter((d) => d.cached).length,
    run: cellsDone.filter((d) => !d.cached).length,
  };
  const cellSeconds = cellsDone.reduce((s, d) => s + d.seconds, 0);
  let check: CheckResult | null = null;
  let golden: GoldenOutcome = { status: "error", ok: false, detail: "not compared" };
  let error: string | null = p.error;
  let rowCount = 0;
  await clearOutputs(opts.outDir, rep.id);
  try {
    if (error) throw new Error(error);
    const missing = p.cells.filter((c) => failed.has(c.key));
    if (missing.length > 0) {
      throw new Error(
        `${missing.length} of ${p.cells.length} cell(s) failed: ` +
          missing.slice(0, 3).map((c) =>
            `#${c.index + 1} ${JSON.stringify(c.params)}: ${failed.get(c.key)}`
          )
            .join("; ") +
          (missing.length > 3 ? "; …" : ""),
      );
    }
    const rows = p.cells.flatMap((c) => done.get(c.key)!.rows);
    if (rep.spec.summarize) {
      rows.push(...roundTripRows(rep.spec.summarize(rows, opts.profile)));
    }
    if (rows.length === 0) throw new Error("the cells produced no rows");
    const csvText = formatCsv(rows, { fill: rep.spec.fill });
    await writeFileAtomic(paths.csv, csvText);
    const table = parseCsv(csvText, paths.csv);
    rowCount = table.rows.length;
    check = validCheck(rep.spec.check(table.rows, opts.profile));
    const accepted = verdictAccepted(check, recorded ?? undefined);
    golden = await compareWithGolden({
      goldenDir: opts.goldenDir,
      id: rep.id,
      profile: opts.profile,
      seed: opts.seed,
      tolerances: rep.spec.tolerances,
      obtainedCsv: csvText,
      obtainedPath: paths.obtained,
      update: opts.update,
      refuseUpdate: accepted ? null : `the claim check returned ${check.verdict}, which is not ` +
        `accepted${recorded ? ` (recorded: ${recorded.verdict})` : ""}`,
      provenance: {
        commit: await gitCommit(),
        backend: backend.backend,
        adapter: backend.adapter,
        cpu: cpuModel(),
        deno: Deno.version.deno,
        tfjs: backend.tfjs,
        wallSeconds: meta.wallSeconds,
        cellSeconds,
        cells: p.cells.length,
      },
    });
    const spec = fillTemplate(await loadTemplate(rep.chart), table.rows);
    await writeFileAtomic(paths.spec, JSON.stringify(spec, null, 1) + "\n");
    await writeFileAtomic(paths.svg, await renderSvg(spec));
  } catch (e) {
    error ??= errorMessage(e);
    if (check === null || golden.status === "error") await clearOutputs(opts.outDir, rep.id);
  }
  const goldenVerdicts: GoldenVerdict[] = [];
  for (const other of ["quick", "full"] as Profile[]) {
    if (other === opts.profile) continue;
    const g = await checkGolden(rep, opts.goldenDir, other);
    if (g) goldenVerdicts.push(g);
  }
  const result: ReplicationResult = {
    format: "replicate-verdict/1",
    id: rep.id,
    title: rep.spec.title,
    claim: rep.spec.claim,
    tolerances: rep.spec.tolerances,
    notes: await readNotes(rep.notes),
    recorded,
    check,
    claimOk: check !== null && verdictAccepted(check, recorded ?? undefined),
    golden,
    goldenVerdicts,
    error,
    rows: rowCount,
    cells: counts,
    provenance: await provenance({
      id: rep.id,
      profile: opts.profile,
      seed: opts.seed,
      backend,
      startedAt,
      seconds: meta.wallSeconds + (performance.now() - t0) / 1000,
      cellSeconds,
    }),
  };
  await writeFileAtomic(paths.verdict, JSON.stringify(result, null, 2) + "\n");
  return result;
}

/**
 * The result of a replication that could not even be loaded (a module that fails to import
 * or does not satisfy the contract): recorded as an error so the run continues and the
 * report shows it.
 */
export async function loadFailure(
  id: string,
  error: unknown,
  opts: Pick<RunOptions, "outDir" | "profile" | "seed" | "backend">,
): Promise<ReplicationResult> {
  await clearOutputs(opts.outDir, id);
  const probe = await probeGpu();
  const result: ReplicationResult = {
    format: "replicate-verdict/1",
    id,
    title: "(failed to load)",
    claim: {
      statement: "",
      source: "",
      paperValue: "",
      scale: { quick: "", full: "" },
      deviations: [],
    },
    tolerances: null,
    notes: null,
    recorded: null,
    check: null,
    claimOk: false,
    golden: { status: "error", ok: false, detail: "not compared" },
    goldenVerdicts: [],
    error: errorMessage(error),
    rows: 0,
    cells: { total: 0, cached: 0, run: 0 },
    provenance: await provenance({
      id,
      profile: opts.profile,
      seed: opts.seed,
      backend: {
        requested: opts.backend,
        backend: "none",
        adapter: probe.description,
        adapterSoftware: probe.software,
        tfjs: null,
      },
      startedAt: new Date().toISOString(),
      seconds: 0,
      cellSeconds: 0,
    }),
  };
  await writeFileAtomic(outPaths(opts.outDir, id).verdict, JSON.stringify(result, null, 2) + "\n");
  return result;
}

/**
 * Run one replication end to end: run → tidy CSV → claim check → golden diff → chart →
 * verdict.json, every file written atomically under `out/<id>/`.
 *
 * @module
 */

import { type BackendInfo, type BackendRequest, loadTf, noTfInfo } from "../tf.ts";
import { fillTemplate, loadTemplate, renderSvg } from "./chart.ts";
import { formatCsv, parseCsv } from "./csv.ts";
import { writeFileAtomic } from "./fs.ts";
import { compareWithGolden, type GoldenOutcome, type UpdateMode } from "./golden.ts";
import { createProgress, type ProgressMode } from "./progress.ts";
import { type Provenance, provenance } from "./provenance.ts";
import {
  type CheckResult,
  type Claim,
  type Profile,
  type RecordedVerdict,
  type Replication,
  verdictAccepted,
} from "./contract.ts";

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
  /** Golden update policy. */
  update: UpdateMode;
  /** How progress is shown. */
  progress: ProgressMode;
}

/** Everything known about one replication's run; also what verdict.json holds. */
export interface ReplicationResult {
  /** Replication id. */
  id: string;
  /** Short title. */
  title: string;
  /** The claim. */
  claim: Claim;
  /** The recorded (expected) non-REPRODUCED verdict, if any. */
  recorded: RecordedVerdict | null;
  /** The claim check's result, or null when the run failed. */
  check: CheckResult | null;
  /** Whether the verdict lets the run pass. */
  claimOk: boolean;
  /** Golden comparison. */
  golden: GoldenOutcome;
  /** Error message when run/check/chart threw. */
  error: string | null;
  /** Rows written. */
  rows: number;
  /** Provenance. */
  provenance: Provenance;
}

/** Whether a result passes: claim accepted, golden ok, no error. */
export function resultOk(r: ReplicationResult): boolean {
  return r.error === null && r.claimOk && r.golden.ok;
}

/** The verdict as shown to users: ERROR, the check's verdict, "(recorded)" when accepted as such. */
export function verdictLabel(r: ReplicationResult): string {
  if (r.error || !r.check) return "ERROR";
  return r.check.verdict + (r.check.verdict !== "REPRODUCED" && r.claimOk ? " (recorded)" : "");
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** The output folder of a replication. */
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

/** Run one replication and write its outputs. Never throws for the replication's own errors. */
export async function runReplication(
  rep: Replication,
  opts: RunOptions,
): Promise<ReplicationResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const paths = outPaths(opts.outDir, rep.id);
  const log = (m: string) => {
    if (opts.progress !== "silent") console.error(`[${rep.id}] ${m}`);
  };
  let backend: BackendInfo = await noTfInfo(opts.backend);
  let check: CheckResult | null = null;
  let golden: GoldenOutcome = { status: "error", ok: false, detail: "not compared" };
  let error: string | null = null;
  let rowCount = 0;
  try {
    let tf = null;
    if (rep.usesTf) {
      const loaded = await loadTf(opts.backend);
      tf = loaded.tf;
      backend = loaded.info;
    }
    const rows = await rep.run({
      profile: opts.profile,
      seed: opts.seed,
      tf,
      progress: createProgress(`[${rep.id}]`, opts.progress),
      log,
    });
    if (rows.length === 0) throw new Error("run produced no rows");
    const csvText = formatCsv(rows);
    await writeFileAtomic(paths.csv, csvText);
    const table = parseCsv(csvText, paths.csv);
    rowCount = table.rows.length;
    check = rep.check(table.rows, opts.profile);
    golden = await compareWithGolden({
      goldenDir: opts.goldenDir,
      id: rep.id,
      profile: opts.profile,
      seed: opts.seed,
      obtainedCsv: csvText,
      obtainedPath: paths.obtained,
      update: opts.update,
    });
    const spec = fillTemplate(await loadTemplate(rep.chart), table.rows);
    await writeFileAtomic(paths.spec, JSON.stringify(spec, null, 1) + "\n");
    await writeFileAtomic(paths.svg, await renderSvg(spec));
  } catch (e) {
    error = errorMessage(e);
    if (e instanceof Error && e.stack && opts.progress !== "silent") log(e.stack);
  }
  const seconds = (performance.now() - t0) / 1000;
  const result: ReplicationResult = {
    id: rep.id,
    title: rep.title,
    claim: rep.claim,
    recorded: rep.recorded ?? null,
    check,
    claimOk: check !== null && verdictAccepted(check, rep.recorded),
    golden,
    error,
    rows: rowCount,
    provenance: await provenance({
      id: rep.id,
      profile: opts.profile,
      seed: opts.seed,
      backend,
      startedAt,
      seconds,
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
  opts: RunOptions,
): Promise<ReplicationResult> {
  const result: ReplicationResult = {
    id,
    title: "(failed to load)",
    claim: {
      statement: "",
      source: "",
      paperValue: "",
      scale: { quick: "", full: "" },
      deviations: [],
      tolerances: "",
    },
    recorded: null,
    check: null,
    claimOk: false,
    golden: { status: "error", ok: false, detail: "not compared" },
    error: errorMessage(error),
    rows: 0,
    provenance: await provenance({
      id,
      profile: opts.profile,
      seed: opts.seed,
      backend: await noTfInfo(opts.backend),
      startedAt: new Date().toISOString(),
      seconds: 0,
    }),
  };
  await writeFileAtomic(outPaths(opts.outDir, id).verdict, JSON.stringify(result, null, 2) + "\n");
  return result;
}

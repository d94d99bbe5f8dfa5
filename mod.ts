/**
 * The public API a replication author imports: the contract, seeded randomness, tidy CSV,
 * numerics (ODE integration, statistics) and the harness pieces for scripts and tests.
 *
 * ```ts
 * import { type Replication, verdictOf, Rng } from "../../../mod.ts";
 * ```
 *
 * @module
 */

export * from "./lib/replication.ts";
export { Categorical, Rng } from "./lib/rng.ts";
export { formatCsv, parseCsv, readCsv, type Table, writeCsv } from "./lib/csv.ts";
export type { Progress } from "./lib/progress.ts";
export type { BackendInfo, BackendRequest, TfModule } from "./lib/backend.ts";
export { loadTf } from "./lib/backend.ts";
export { compareWithGolden, diffTables, formatDiff, parseToleranceSpec } from "./lib/golden.ts";
export { type ReplicationResult, resultOk, runReplication } from "./lib/runner.ts";
export * from "./lib/ode.ts";
export * from "./lib/stats.ts";

// Model families and their numerics, namespaced (one implementation each, in lib/).
export * as complex from "./lib/complex.ts";
export * as fourier from "./lib/fourier.ts";
export * as groups from "./lib/groups.ts";
export * as li2 from "./lib/li2.ts";
export * as modadd from "./lib/modadd.ts";
export * as modaddAlgebra from "./lib/modadd_algebra.ts";
export * as modaddAnalysis from "./lib/modadd_analysis.ts";
export * as scansnap from "./lib/scansnap.ts";

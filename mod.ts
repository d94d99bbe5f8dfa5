/**
 * The public API a replication author imports: the contract, seeded randomness, tidy CSV,
 * numerics (ODE integration, statistics) and the harness pieces for scripts and tests.
 *
 * ```ts
 * import { type Replication, verdictOf, Rng } from "../../mod.ts";
 * ```
 *
 * @module
 */

export * from "./lib/harness/contract.ts";
export { Categorical, Rng } from "./lib/science/math/rng.ts";
export { formatCsv, parseCsv, readCsv, type Table, writeCsv } from "./lib/harness/csv.ts";
export type { Progress } from "./lib/harness/progress.ts";
export type { BackendInfo, BackendRequest, TfModule } from "./lib/tf.ts";
export { loadTf } from "./lib/tf.ts";
export {
  compareWithGolden,
  diffTables,
  formatDiff,
  parseToleranceSpec,
} from "./lib/harness/golden.ts";
export { type ReplicationResult, resultOk, runReplication } from "./lib/harness/runner.ts";
export * from "./lib/science/math/ode.ts";
export * from "./lib/science/math/stats.ts";

// Model families and their numerics, namespaced (one implementation each, in lib/).
export * as complex from "./lib/science/math/complex.ts";
export * as fourier from "./lib/science/math/fourier.ts";
export * as groups from "./lib/science/math/groups.ts";
export * as li2 from "./lib/science/li2/energy.ts";
export * as modadd from "./lib/science/modadd/train.ts";
export * as modaddAlgebra from "./lib/science/modadd/algebra.ts";
export * as modaddAnalysis from "./lib/science/modadd/analysis.ts";
export * as scansnap from "./lib/science/scansnap/model.ts";

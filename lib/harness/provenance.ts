/**
 * Provenance recorded with every result: versions, backend and adapter, seed, commit.
 *
 * @module
 */

import type { BackendInfo } from "../tf.ts";
import type { Profile } from "./contract.ts";

/** Everything needed to say where a result came from. */
export interface Provenance {
  /** Replication id. */
  id: string;
  /** Profile run. */
  profile: Profile;
  /** Base seed. */
  seed: number;
  /** Backend, adapter and tfjs version. */
  backend: BackendInfo;
  /** Deno, V8 and TypeScript versions. */
  deno: string;
  /** V8 version. */
  v8: string;
  /** git commit of the harness (with `-dirty` if the tree had changes), or "unknown". */
  commit: string;
  /** CPU model. */
  cpu: string;
  /** OS and architecture. */
  platform: string;
  /** ISO time the run started. */
  startedAt: string;
  /** Wall time from the replication's first cell to its verdict, seconds. */
  seconds: number;
  /** Summed compute time of its cells (cached cells count their original time), seconds. */
  cellSeconds: number;
}

let commitCache: Promise<string> | null = null;

/** The current git commit (cached per process), `-dirty` when the work tree has changes. */
export function gitCommit(): Promise<string> {
  commitCache ??= (async () => {
    try {
      const run = async (args: string[]) => {
        const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" })
          .output();
        return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
      };
      const sha = await run(["rev-parse", "HEAD"]);
      if (!sha) return "unknown";
      const dirty = await run(["status", "--porcelain", "--untracked-files=no"]);
      return dirty ? `${sha}-dirty` : sha;
    } catch {
      return "unknown";
    }
  })();
  return commitCache;
}

let cpuCache: string | null = null;

/** The CPU model name, from /proc/cpuinfo where it exists. */
export function cpuModel(): string {
  if (cpuCache !== null) return cpuCache;
  try {
    const m = Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.+)/);
    cpuCache = `${m ? m[1].trim() : "unknown"} × ${navigator.hardwareConcurrency}`;
  } catch {
    cpuCache = `unknown × ${navigator.hardwareConcurrency}`;
  }
  return cpuCache;
}

/** Assemble a provenance record. */
export async function provenance(
  fields: Pick<
    Provenance,
    "id" | "profile" | "seed" | "backend" | "startedAt" | "seconds" | "cellSeconds"
  >,
): Promise<Provenance> {
  return {
    ...fields,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    commit: await gitCommit(),
    cpu: cpuModel(),
    platform: `${Deno.build.os}-${Deno.build.arch}`,
  };
}

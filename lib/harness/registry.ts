/**
 * The registry: every replication under `replications/<paper>/<claim>/replication.ts`,
 * discovered from the folder tree (sorted by id), so adding a replication means adding its
 * folder and nothing else. The folder gives the id, the chart template (`chart.vl.json`)
 * and the notes (`NOTES.md`); the module's default export gives the rest.
 *
 * @module
 */

import type { ReplicationSpec } from "./contract.ts";

/** The project root (where deno.json is). */
export const ROOT = new URL("../../", import.meta.url);

/** The folder replications live in. */
export const REPLICATIONS = new URL("replications/", ROOT);

/** A replication as the harness sees it: its spec plus what its folder supplies. */
export interface LoadedReplication {
  /** `<paper>/<claim>`, the folder under `replications/`. */
  id: string;
  /** What `replication.ts` default-exports. */
  spec: ReplicationSpec;
  /** file: URL of `replication.ts`. */
  moduleUrl: string;
  /** file: URL of `chart.vl.json`. */
  chart: URL;
  /** file: URL of `NOTES.md` (may not exist). */
  notes: URL;
}

/**
 * Ids of every replication folder (`<paper>/<claim>` holding a replication.ts), sorted.
 *
 * @example
 * ```ts
 * import { discoverIds } from "./registry.ts";
 * import assert from "node:assert/strict";
 * assert.ok(discoverIds().every((id) => /^[^/]+\/[^/]+$/.test(id)));
 * ```
 */
export function discoverIds(root: URL = REPLICATIONS): string[] {
  const ids: string[] = [];
  for (const paper of Deno.readDirSync(root)) {
    if (!paper.isDirectory || paper.name.startsWith("_") || paper.name.startsWith(".")) continue;
    for (const claim of Deno.readDirSync(new URL(`${paper.name}/`, root))) {
      if (!claim.isDirectory || claim.name.startsWith("_")) continue;
      try {
        Deno.statSync(new URL(`${paper.name}/${claim.name}/replication.ts`, root));
        ids.push(`${paper.name}/${claim.name}`);
      } catch { /* not a replication folder */ }
    }
  }
  return ids.sort();
}

/** Import one replication by id and check that its default export is a replication spec. */
export async function loadReplication(
  id: string,
  root: URL = REPLICATIONS,
): Promise<LoadedReplication> {
  const url = new URL(`${id}/replication.ts`, root);
  const mod = await import(url.href);
  const spec = mod.default as ReplicationSpec | undefined;
  if (
    !spec || typeof spec.grid !== "function" || typeof spec.cell !== "function" ||
    typeof spec.check !== "function"
  ) {
    throw new Error(
      `replications/${id}/replication.ts has no default export made with defineReplication`,
    );
  }
  return {
    id,
    spec,
    moduleUrl: url.href,
    chart: new URL(`${id}/chart.vl.json`, root),
    notes: new URL(`${id}/NOTES.md`, root),
  };
}

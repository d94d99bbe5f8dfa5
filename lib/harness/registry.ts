/**
 * The registry: every replication under `replications/<paper>/<claim>/replication.ts`,
 * discovered from the folder tree (sorted by id), so adding a replication means adding
 * its folder and nothing else. Each module's default export must be a {@link Replication}
 * whose `id` equals its folder path.
 *
 * @module
 */

import type { Replication } from "./contract.ts";

const ROOT = new URL("../../replications/", import.meta.url);

/** Ids of every replication folder (`<paper>/<claim>` holding a replication.ts), sorted. */
export function discoverIds(): string[] {
  const ids: string[] = [];
  for (const paper of Deno.readDirSync(ROOT)) {
    if (!paper.isDirectory || paper.name.startsWith("_")) continue;
    for (const claim of Deno.readDirSync(new URL(`${paper.name}/`, ROOT))) {
      if (!claim.isDirectory || claim.name.startsWith("_")) continue;
      try {
        Deno.statSync(new URL(`${paper.name}/${claim.name}/replication.ts`, ROOT));
        ids.push(`${paper.name}/${claim.name}`);
      } catch { /* not a replication folder */ }
    }
  }
  return ids.sort();
}

/** Import one replication by id and validate its shape. */
export async function loadReplication(id: string): Promise<Replication> {
  const mod = await import(new URL(`${id}/replication.ts`, ROOT).href);
  const rep = mod.default as Replication | undefined;
  if (!rep || typeof rep.run !== "function" || typeof rep.check !== "function") {
    throw new Error(`replications/${id}/replication.ts has no default-exported Replication`);
  }
  if (rep.id !== id) {
    throw new Error(`replications/${id}/replication.ts declares id "${rep.id}", expected "${id}"`);
  }
  return rep;
}

/** Import every replication, sorted by id. */
export async function loadAll(): Promise<Replication[]> {
  return await Promise.all(discoverIds().map(loadReplication));
}

/**
 * Shard outputs and their merge. A shard run writes the cells of its share under
 * `<out>/cells/` (cache format) and a manifest `<out>/shard.json` saying what it ran:
 * selection, profile, seed, backend, commit and each replication's source hash. `merge`
 * reads any number of such folders, refuses a set that was not run alike (naming the
 * difference), and hands the union of their cells to the runner.
 *
 * @module
 */

import { type CellEntry, listEntries, readEntryFile } from "./cache.ts";
import type { Profile } from "./contract.ts";
import { writeFileAtomic } from "./fs.ts";

/** Format tag of a shard manifest. */
export const SHARD_FORMAT = "replicate-shard/1";

/** What a shard run records about itself. */
export interface ShardManifest {
  /** {@link SHARD_FORMAT}. */
  format: string;
  /** This shard, 1-based, of count. */
  shard: { index: number; count: number };
  /** The selection patterns as given. */
  patterns: string[];
  /** The ids they selected. */
  ids: string[];
  /** Profile. */
  profile: Profile;
  /** Base seed. */
  seed: number;
  /** The concrete tfjs backend the cells used (when they used tfjs). */
  backend: string;
  /** git commit of the shard's checkout. */
  commit: string;
  /** Replication id → source hash its cell keys were made with. */
  sources: Record<string, string>;
  /** Cells of this share. */
  cells: { id: string; index: number; key: string }[];
  /** Cells of this share that failed (key → message). */
  failed: Record<string, string>;
  /** ISO time it finished. */
  date: string;
}

/** Write a shard's manifest. */
export async function writeManifest(outDir: string, m: ShardManifest): Promise<void> {
  await writeFileAtomic(`${outDir}/shard.json`, JSON.stringify(m, null, 2) + "\n");
}

/** Raised for shard outputs that cannot be merged; the message names the folder and why. */
export class MergeError extends Error {
  /** @param message what is wrong, naming folders and fields */
  constructor(message: string) {
    super(message);
    this.name = "MergeError";
  }
}

/** The union of several shard outputs. */
export interface MergedShards {
  /** One manifest per folder, in the order given. */
  manifests: { dir: string; manifest: ShardManifest }[];
  /** Cells by key. */
  cells: Map<string, CellEntry>;
}

async function readManifest(dir: string): Promise<ShardManifest> {
  const path = `${dir}/shard.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new MergeError(`${dir} is not a shard output (no shard.json): run it with --shard`);
    }
    throw new MergeError(`${path}: ${(e as Error).message}`);
  }
  let m: ShardManifest;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new MergeError(`${path} is not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== SHARD_FORMAT || !m.shard || !Array.isArray(m.cells)) {
    throw new MergeError(`${path} is not a shard manifest of this version (${SHARD_FORMAT})`);
  }
  return m;
}

/**
 * Read shard output folders and check they belong together: same selection, profile,
 * seed, backend, shard count and source hashes, no shard twice. Every cell file is
 * validated; a bad one is an error naming it.
 */
export async function readShards(dirs: string[]): Promise<MergedShards> {
  const manifests: { dir: string; manifest: ShardManifest }[] = [];
  for (const dir of dirs) manifests.push({ dir, manifest: await readManifest(dir) });
  const first = manifests[0];
  const same = (field: string, get: (m: ShardManifest) => unknown) => {
    for (const { dir, manifest } of manifests.slice(1)) {
      const a = JSON.stringify(get(first.manifest));
      const b = JSON.stringify(get(manifest));
      if (a !== b) {
        throw new MergeError(
          `the shards were not run alike: ${field} is ${a} in ${first.dir} but ${b} in ${dir}`,
        );
      }
    }
  };
  same("--profile", (m) => m.profile);
  same("--seed", (m) => m.seed);
  same("the backend", (m) => m.backend);
  same("the selection", (m) => m.ids);
  same("the shard count", (m) => m.shard.count);
  same("the code (source hashes)", (m) => m.sources);
  const seen = new Map<number, string>();
  for (const { dir, manifest } of manifests) {
    const prev = seen.get(manifest.shard.index);
    if (prev) {
      throw new MergeError(
        `shard ${manifest.shard.index}/${manifest.shard.count} appears twice: ${prev} and ${dir}`,
      );
    }
    seen.set(manifest.shard.index, dir);
  }
  const cells = new Map<string, CellEntry>();
  for (const { dir, manifest } of manifests) {
    for (const path of await listEntries(`${dir}/cells`)) {
      const r = await readEntryFile(path);
      if (r.status !== "hit") {
        throw new MergeError(`${path}: ${r.status === "bad" ? r.reason : "unreadable"}`);
      }
      if (r.entry.profile !== manifest.profile || r.entry.seed !== manifest.seed) {
        throw new MergeError(
          `${path} is a ${r.entry.profile}/seed ${r.entry.seed} cell in a ` +
            `${manifest.profile}/seed ${manifest.seed} shard`,
        );
      }
      cells.set(r.entry.key, r.entry);
    }
  }
  return { manifests, cells };
}

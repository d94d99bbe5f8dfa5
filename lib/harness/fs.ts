/**
 * File output that never leaves a half-written file behind: write to a temporary file in
 * the same directory, then rename over the target.
 *
 * @module
 */

import { dirname, resolve } from "node:path";

/** Write `data` to `path` atomically, creating parent directories. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Raised when a folder given on the command line cannot be used; the message says why. */
export class FolderError extends Error {
  /** @param message one line naming the flag and the folder */
  constructor(message: string) {
    super(message);
    this.name = "FolderError";
  }
}

/** Marker file in every folder `replicate` writes results to. */
export const OUT_MARKER = ".replicate-out";

/** Project folders no output may be written into. */
const PROTECTED = [
  "replications",
  "lib",
  "golden",
  "scripts",
  "bench",
  ".git",
  ".ci",
  "node_modules",
];

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith("/") ? parent : `${parent}/`);
}

/**
 * Make sure `dir` (given as `flag`) can take results before any computation: not empty
 * text, not a file, not the project root or above it, not inside a source folder, not a
 * foreign non-empty folder (one without the {@link OUT_MARKER} a previous run left), and
 * writable (a probe file is written and removed). Creates it and its marker.
 *
 * @example
 * ```ts ignore
 * await prepareOutputDir("--out", "out", Deno.cwd());
 * ```
 */
export async function prepareOutputDir(flag: string, dir: string, root: string): Promise<string> {
  if (dir.trim() === "") throw new FolderError(`${flag} is empty; name a folder`);
  const abs = resolve(dir);
  const rootAbs = resolve(root);
  if (inside(rootAbs, abs)) {
    throw new FolderError(
      `${flag} ${dir} is the project folder or above it; name a folder for results, e.g. out`,
    );
  }
  for (const p of PROTECTED) {
    if (inside(abs, `${rootAbs}/${p}`)) {
      throw new FolderError(`${flag} ${dir} is inside the project's ${p}/ folder; use e.g. out`);
    }
  }
  let info: Deno.FileInfo | null = null;
  try {
    info = await Deno.stat(abs);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new FolderError(`${flag} ${dir}: ${(e as Error).message}`);
    }
  }
  if (info && !info.isDirectory) throw new FolderError(`${flag} ${dir} is a file, not a folder`);
  if (info) {
    let foreign = false;
    let empty = true;
    for await (const e of Deno.readDir(abs)) {
      empty = false;
      if (e.name === OUT_MARKER) {
        foreign = false;
        break;
      }
      foreign = true;
    }
    if (!empty && foreign) {
      throw new FolderError(
        `${flag} ${dir} holds files that replicate did not write (no ${OUT_MARKER}); ` +
          `use an empty or new folder`,
      );
    }
  }
  try {
    await Deno.mkdir(abs, { recursive: true });
    const probe = `${abs}/.probe-${Deno.pid}`;
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
    await Deno.writeTextFile(`${abs}/${OUT_MARKER}`, "written by deno task replicate\n");
  } catch (e) {
    throw new FolderError(`cannot write to ${flag} ${dir}: ${(e as Error).message}`);
  }
  await sweepTemp(abs);
  return abs;
}

const TEMP = /\.tmp-(\d+)-[0-9a-f]{8}$/;

function alive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Remove temporary files that a killed writer left under `dir` (those of
 * {@link writeFileAtomic} whose process is gone); returns how many.
 *
 * @example
 * ```ts ignore
 * const n = await sweepTemp("golden");
 * ```
 */
export async function sweepTemp(dir: string): Promise<number> {
  let n = 0;
  const walk = async (d: string, depth: number) => {
    if (depth > 6) return;
    let entries: Deno.DirEntry[];
    try {
      entries = [];
      for await (const e of Deno.readDir(d)) entries.push(e);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p, depth + 1);
      else if (e.isFile) {
        const m = e.name.match(TEMP);
        if (m && !alive(Number(m[1]))) {
          await Deno.remove(p).catch(() => {});
          n++;
        }
      }
    }
  };
  await walk(dir, 0);
  return n;
}

/**
 * Content hashes of source code, for cache keys: the transitive closure of the local
 * modules a file imports (static `import`/`export … from`, dynamic `import("…")` and
 * `new URL("….ts", import.meta.url)` worker entry points), and the locked dependency
 * versions (`deno.json` import map + `deno.lock`). A changed line in a module changes the
 * hash of exactly the files that import it, directly or not.
 *
 * @module
 */

import { dirname, relative, resolve } from "node:path";

const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']|new\s+URL\(\s*["']([^"']+\.ts)["']\s*,\s*import\.meta\.url\s*\)/g;

/**
 * The relative specifiers (`./x.ts`, `../y.ts`) that a module's text refers to.
 *
 * @example
 * ```ts
 * import { localSpecifiers } from "./sources.ts";
 * import assert from "node:assert/strict";
 * const text = `import { a } from "./a.ts";\nimport * as tf from "@tensorflow/tfjs";\n` +
 *   `const w = new URL("./worker.ts", import.meta.url);`;
 * assert.ok(localSpecifiers(text).join() === "./a.ts,./worker.ts");
 * ```
 */
export function localSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith("./") || spec.startsWith("../")) out.push(spec);
  }
  return [...new Set(out)];
}

/** SHA-256 of a string or bytes, lower-case hex. */
export async function sha256(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Memo of file path → its direct local imports and content hash. */
const fileMemo = new Map<string, Promise<{ deps: string[]; hash: string }>>();

function readModule(path: string): Promise<{ deps: string[]; hash: string }> {
  let p = fileMemo.get(path);
  if (!p) {
    p = (async () => {
      let text;
      try {
        text = await Deno.readTextFile(path);
      } catch (e) {
        // a specifier in a comment or doc example may name no file; Deno itself reports real ones
        if (e instanceof Deno.errors.NotFound) return { deps: [], hash: "missing" };
        throw e;
      }
      const deps = localSpecifiers(text).map((s) => resolve(dirname(path), s));
      return { deps, hash: await sha256(text) };
    })();
    fileMemo.set(path, p);
  }
  return p;
}

/**
 * Every local module reachable from `entry` (itself included), as absolute paths, sorted.
 *
 * @example
 * ```ts ignore
 * const files = await moduleClosure("replications/cogo/weight-decay-order/replication.ts");
 * ```
 */
export async function moduleClosure(entry: string): Promise<string[]> {
  const seen = new Set<string>();
  const stack = [resolve(entry)];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const mod = await readModule(f);
    for (const d of mod.deps) if (!seen.has(d)) stack.push(d);
  }
  return [...seen].sort();
}

/**
 * One hash of the source text of `entry` and every local module it imports, transitively;
 * paths enter relative to `root`, so the hash is the same in every clone.
 *
 * @example
 * ```ts ignore
 * const h = await sourceHash("replications/li2/energy-maxima/replication.ts", Deno.cwd());
 * ```
 */
export async function sourceHash(entry: string, root: string): Promise<string> {
  const files = await moduleClosure(entry);
  const parts: string[] = [];
  for (const f of files) parts.push(`${relative(root, f)}\0${(await readModule(f)).hash}`);
  return await sha256(parts.join("\n"));
}

/**
 * Hash of the locked dependency versions: `deno.json`'s import map and `deno.lock` under
 * `root` (a missing lock file hashes as empty).
 *
 * @example
 * ```ts ignore
 * const h = await lockHash(Deno.cwd());
 * ```
 */
export async function lockHash(root: string): Promise<string> {
  const read = (f: string) => Deno.readTextFile(`${root}/${f}`).catch(() => "");
  const config = await read("deno.json");
  let imports = "";
  try {
    imports = JSON.stringify(JSON.parse(config).imports ?? {});
  } catch {
    imports = config;
  }
  return await sha256(`${imports}\n${await read("deno.lock")}`);
}

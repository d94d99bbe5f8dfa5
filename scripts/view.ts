/**
 * `deno task view [--out DIR] [--port N]` — serve the report folder (out/index.html, the
 * CSVs, specs and SVGs) on 127.0.0.1 and print the URL. Read-only: only regular files inside
 * the folder are served (symbolic links that lead out of it are refused), only to requests
 * addressed to this machine's loopback name (a DNS-rebinding page cannot read it).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
  ".csv": "text/csv; charset=utf-8",
  ".svg": "image/svg+xml",
  ".md": "text/markdown; charset=utf-8",
};

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith("/") ? parent : `${parent}/`);
}

/**
 * A request handler serving regular files under `root` (no directory escape, no symlink
 * escape, no listing), answering only requests whose Host is loopback on `port` (any port
 * when `port` is omitted, for tests).
 *
 * @example
 * ```ts ignore
 * Deno.serve({ hostname: "127.0.0.1", port: 8123 }, fileHandler(Deno.realPathSync("out"), 8123));
 * ```
 */
export function fileHandler(root: string, port?: number): (req: Request) => Promise<Response> {
  const realRoot = Deno.realPathSync(root);
  const hosts = new Set(["127.0.0.1", "localhost", "[::1]"]);
  return async (req) => {
    const host = req.headers.get("host") ?? "";
    const m = host.match(/^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/);
    if (!m || !hosts.has(m[1].toLowerCase()) || (port !== undefined && Number(m[2]) !== port)) {
      return new Response("forbidden host", { status: 403 });
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed", { status: 405 });
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url).pathname);
    } catch {
      return new Response("bad request: malformed %-escape", { status: 400 });
    }
    if (path.includes("\0")) return new Response("bad request", { status: 400 });
    if (path.endsWith("/")) path += "index.html";
    const rel = normalize(path).replace(/^(\.\.(\/|$))+/, "");
    const file = join(realRoot, rel);
    if (!inside(file, realRoot)) return new Response("forbidden", { status: 403 });
    try {
      const real = await Deno.realPath(file);
      if (!inside(real, realRoot)) return new Response("forbidden", { status: 403 });
      const info = await Deno.stat(real);
      if (!info.isFile) return new Response("not found", { status: 404 });
      const body = req.method === "HEAD" ? null : await Deno.readFile(real);
      return new Response(body, {
        headers: {
          "content-type": TYPES[extname(real)] ?? "application/octet-stream",
          "x-content-type-options": "nosniff",
        },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  };
}

/** Raised for a usage mistake; the message is one line for the user. */
class UsageError extends Error {}

function main(args: string[]): void {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        out: { type: "string", default: "out" },
        port: { type: "string", default: "8123" },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; usage: deno task view [--out DIR] [--port N]`);
  }
  const port = values.port!;
  if (!/^\d+$/.test(port) || Number(port) > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${port}"`);
  }
  let root: string;
  try {
    root = Deno.realPathSync(values.out!);
    Deno.statSync(join(root, "index.html"));
  } catch {
    throw new UsageError(
      `no report at ${values.out}/index.html; make one first: deno task replicate all`,
    );
  }
  let handler: ((req: Request) => Promise<Response>) | null = null;
  let server;
  try {
    server = Deno.serve(
      {
        hostname: "127.0.0.1",
        port: Number(port),
        onListen: ({ port }) => console.log(`report: http://127.0.0.1:${port}/  (Ctrl-C to stop)`),
      },
      (req) => handler ? handler(req) : Promise.resolve(new Response("starting", { status: 503 })),
    );
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new UsageError(`port ${port} is in use; pick another with --port N (0 = any free)`);
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new UsageError(`not allowed to listen on port ${port}; use one above 1023`);
    }
    throw e;
  }
  handler = fileHandler(root, server.addr.port);
}

if (import.meta.main) {
  try {
    main(Deno.args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    throw e;
  }
}

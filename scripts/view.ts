/**
 * `deno task view [--out DIR] [--port N]` — serve the report folder (out/index.html, the
 * CSVs, specs and SVGs) on 127.0.0.1 and print the URL. Read-only; nothing is fetched from
 * outside the folder.
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
};

/** A request handler serving files under `root` (no directory escape, no listing). */
export function fileHandler(root: string): (req: Request) => Promise<Response> {
  return async (req) => {
    const url = new URL(req.url);
    let path = decodeURIComponent(url.pathname);
    if (path.endsWith("/")) path += "index.html";
    const rel = normalize(path).replace(/^(\.\.(\/|$))+/, "");
    const file = join(root, rel);
    if (!file.startsWith(normalize(root))) return new Response("forbidden", { status: 403 });
    try {
      const body = await Deno.readFile(file);
      return new Response(body, {
        headers: { "content-type": TYPES[extname(file)] ?? "application/octet-stream" },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { out: { type: "string", default: "out" }, port: { type: "string", default: "8123" } },
  });
  const root = Deno.realPathSync(values.out!);
  try {
    Deno.statSync(join(root, "index.html"));
  } catch {
    console.error(`error: no report at ${values.out}/index.html; run: deno task replicate all`);
    Deno.exit(2);
  }
  Deno.serve({
    hostname: "127.0.0.1",
    port: Number(values.port),
    onListen: ({ port }) => console.log(`report: http://127.0.0.1:${port}/  (Ctrl-C to stop)`),
  }, fileHandler(root));
}

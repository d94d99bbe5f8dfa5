/**
 * Plain-text tables for terminals and logs: columns padded to their widest cell.
 *
 * @module
 */

/**
 * Format a header and rows as aligned columns, with a rule under the header; each line is
 * prefixed with `indent`.
 *
 * @example
 * ```ts
 * import { formatTable } from "./table.ts";
 * import assert from "node:assert/strict";
 * const t = formatTable(["id", "time"], [["a/b", "1.0s"], ["c/longer", "12s"]]);
 * assert.ok(t === "id        time\n--------  ----\na/b       1.0s\nc/longer  12s");
 * ```
 */
export function formatTable(header: string[], rows: string[][], indent = ""): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    indent + r.map((c, i) => (c ?? "").padEnd(w[i])).join("  ").trimEnd();
  return [line(header), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n");
}

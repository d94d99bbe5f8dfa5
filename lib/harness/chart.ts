/**
 * Vega-Lite charts: fill a replication's template with its rows and render it to SVG
 * headlessly (vega's "none" renderer; text widths are estimated, no canvas needed).
 *
 * A template is a Vega-Lite JSON file whose data source(s) named `rows` are replaced by
 * the CSV rows inline, so the filled spec opens as-is in the Vega editor.
 *
 * @module
 */

import * as vega from "vega";
import * as vl from "vega-lite";
import type { Row } from "./contract.ts";

/** A Vega-Lite spec, as parsed JSON. */
export type VegaLiteSpec = Record<string, unknown>;

/** Read a Vega-Lite template from a URL (file: URL of the replication's `chart.vl.json`). */
export async function loadTemplate(url: URL): Promise<VegaLiteSpec> {
  const text = await Deno.readTextFile(url);
  try {
    return JSON.parse(text) as VegaLiteSpec;
  } catch (e) {
    throw new Error(`${url.pathname}: not valid JSON (${(e as Error).message})`);
  }
}

/** JSON-safe copy of rows (NaN/±Infinity become null, which Vega-Lite treats as missing). */
function jsonRows(rows: Row[]): Record<string, unknown>[] {
  return rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      o[k] = typeof v === "number" && !Number.isFinite(v) ? null : v;
    }
    return o;
  });
}

/**
 * Replace every `{"data": {"name": "rows"}}` in the template with the rows inline.
 * Fails when the template has no such data source.
 */
export function fillTemplate(template: VegaLiteSpec, rows: Row[]): VegaLiteSpec {
  const values = jsonRows(rows);
  let filled = 0;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") {
      const o = node as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) {
        if (
          k === "data" && v && typeof v === "object" && (v as { name?: string }).name === "rows"
        ) {
          filled++;
          out[k] = { values };
        } else out[k] = walk(v);
      }
      return out;
    }
    return node;
  };
  const spec = walk(template) as VegaLiteSpec;
  if (filled === 0) throw new Error(`chart template has no data source named "rows"`);
  return spec;
}

/** Render a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // deno-lint-ignore no-explicit-any
  const compiled = vl.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

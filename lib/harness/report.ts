/**
 * The HTML report: one self-contained page (`out/index.html`, no CDN) with every claim's
 * text, source, paper value, our value, verdict (and the paper-scale verdict of a committed
 * full-profile golden), golden status, tolerances, notes and chart (inline SVG). It is
 * rebuilt from the `out/<paper>/<claim>/verdict.json` files, so results of separate runs or
 * merged shards end up in one report; a verdict.json that cannot be read is named in the
 * report and skipped.
 *
 * @module
 */

import { Marked } from "marked";
import { writeFileAtomic } from "./fs.ts";
import type { ReplicationResult } from "./runner.ts";
import { resultOk, verdictLabel } from "./runner.ts";

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const markdown = new Marked({ renderer: { html: ({ text }) => esc(text) } });

/**
 * Markdown (a replication's NOTES.md) as HTML; raw HTML in it is shown as text.
 *
 * @example
 * ```ts
 * import { notesHtml } from "./report.ts";
 * import assert from "node:assert/strict";
 * assert.ok(notesHtml("**B**<b>x</b>").includes("<strong>B</strong>&lt;b&gt;"));
 * ```
 */
export function notesHtml(text: string): string {
  return markdown.parse(text, { async: false }) as string;
}

/** One replication found under the output folder. */
export interface FoundResult {
  /** Its verdict.json. */
  result: ReplicationResult;
  /** Its chart, if rendered. */
  svg: string | null;
}

/** What {@link collectResults} found. */
export interface Collected {
  /** Readable results, sorted by id. */
  found: FoundResult[];
  /** verdict.json files that could not be read, with why. */
  skipped: string[];
}

function isResult(x: unknown): x is ReplicationResult {
  const r = x as ReplicationResult;
  return !!r && r.format === "replicate-verdict/1" && typeof r.id === "string" &&
    !!r.golden && !!r.provenance && !!r.claim && !!r.cells;
}

/**
 * Collect `outDir/<paper>/<claim>/verdict.json` (exactly that depth: copies of old runs
 * nested deeper are not taken for current results). Unreadable or foreign files are
 * listed in `skipped`, not thrown.
 */
export async function collectResults(outDir: string): Promise<Collected> {
  const found: FoundResult[] = [];
  const skipped: string[] = [];
  const list = async (d: string) => {
    const out: Deno.DirEntry[] = [];
    try {
      for await (const e of Deno.readDir(d)) out.push(e);
    } catch { /* missing */ }
    return out;
  };
  for (const paper of await list(outDir)) {
    if (!paper.isDirectory || paper.name === "cells") continue;
    for (const claim of await list(`${outDir}/${paper.name}`)) {
      if (!claim.isDirectory) continue;
      const dir = `${outDir}/${paper.name}/${claim.name}`;
      const path = `${dir}/verdict.json`;
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch {
        continue;
      }
      let result: unknown;
      try {
        result = JSON.parse(text);
      } catch (e) {
        skipped.push(`${path}: not valid JSON (${(e as Error).message})`);
        continue;
      }
      if (!isResult(result) || result.id !== `${paper.name}/${claim.name}`) {
        skipped.push(`${path}: not a verdict of this version (replicate-verdict/1)`);
        continue;
      }
      let svg: string | null = null;
      try {
        svg = await Deno.readTextFile(`${dir}/chart.svg`);
      } catch { /* no chart */ }
      found.push({ result, svg });
    }
  }
  found.sort((a, b) => (a.result.id < b.result.id ? -1 : 1));
  skipped.sort();
  return { found, skipped };
}

function verdictClass(r: ReplicationResult): string {
  if (r.error || !r.check) return "error";
  return r.check.verdict === "REPRODUCED" ? "ok" : r.claimOk ? "known" : "bad";
}

function paperScale(r: ReplicationResult): string {
  const g = r.goldenVerdicts?.find((v) => v.profile === "full");
  if (!g) return "—";
  const label = g.error || !g.check
    ? "ERROR"
    : g.check.verdict + (g.check.verdict !== "REPRODUCED" && g.accepted ? " (recorded)" : "");
  return label;
}

function goldenVerdictsHtml(r: ReplicationResult): string {
  return (r.goldenVerdicts ?? []).map((g) => {
    const p = (g.provenance ?? {}) as Record<string, unknown>;
    const where = g.provenance
      ? `golden of ${esc(String(p.date ?? "?").slice(0, 10))}, commit ${
        esc(String(p.commit ?? "?").slice(0, 12))
      }, ${esc(String(p.backend ?? "?"))} (${esc(String(p.adapter ?? "?"))}), ${
        esc(String(p.cpu ?? "?"))
      }, ${esc(String(p.cells ?? "?"))} cells, ${
        Number(p.cellSeconds ?? NaN).toFixed(0)
      } s of compute`
      : "golden without provenance";
    const items = (g.check?.items ?? []).map((i) =>
      `<li class="${i.pass ? "ok" : "bad"}">${i.pass ? "✔" : "✘"} ${esc(i.name)}: measured ${
        esc(i.measured)
      }; expected ${esc(i.expected)}</li>`
    ).join("");
    const label = g.error || !g.check ? `ERROR: ${esc(g.error ?? "")}` : esc(
      g.check.verdict + (g.check.verdict !== "REPRODUCED" && g.accepted ? " (recorded)" : ""),
    );
    return `<tr><th>${esc(g.profile)}-profile verdict</th><td><b>${label}</b> — ${
      esc(g.check?.ourValue ?? "")
    } <span class="prov">(claim check on the committed ${
      esc(g.profile)
    } golden, no training; ${where})</span>
<details><summary>sub-checks</summary><ul class="checks">${items}</ul></details></td></tr>`;
  }).join("\n");
}

function tolerancesHtml(r: ReplicationResult): string {
  const t = r.tolerances;
  if (!t) return "";
  const rows = Object.entries(t.columns ?? {}).map(([c, rule]) =>
    `<tr><td>${esc(c)}</td><td>${rule.atol ?? 0}</td><td>${rule.rtol ?? 0}</td><td>${
      esc(rule.why)
    }</td></tr>`
  );
  if (t.default) {
    rows.push(
      `<tr><td><i>other columns</i></td><td>${t.default.atol ?? 0}</td><td>${
        t.default.rtol ?? 0
      }</td><td>${esc(t.default.why)}</td></tr>`,
    );
  }
  return `<p><b>Golden tolerances</b> (rows keyed by ${
    t.keys.map((k) => `<code>${esc(k)}</code>`).join(", ")
  }; |obtained − golden| ≤ atol + rtol·|golden|):</p>
<table><tr><th>column</th><th>atol</th><th>rtol</th><th>why</th></tr>${rows.join("")}</table>`;
}

/** Render the report's HTML. */
export function renderReport(collected: Collected): string {
  const items = collected.found;
  const passed = items.filter((i) => resultOk(i.result)).length;
  const rows = items.map(({ result: r }) =>
    `<tr><td><a href="#${esc(r.id)}">${esc(r.id)}</a></td>` +
    `<td class="${verdictClass(r)}">${esc(verdictLabel(r))}</td>` +
    `<td>${esc(paperScale(r))}</td>` +
    `<td class="${r.golden.ok ? "ok" : "bad"}">${esc(r.golden.status)}</td>` +
    `<td>${esc(r.provenance.profile)}</td><td>${esc(r.provenance.backend.backend)}</td>` +
    `<td>${r.cells.total} (${r.cells.cached} cached)</td>` +
    `<td>${r.provenance.seconds.toFixed(1)} s</td></tr>`
  ).join("\n");
  const sections = items.map(({ result: r, svg }) => {
    const c = r.claim;
    const p = r.provenance;
    const checks = (r.check?.items ?? []).map((i) =>
      `<li class="${i.pass ? "ok" : "bad"}">${i.pass ? "✔" : "✘"} ${esc(i.name)}: ` +
      `measured ${esc(i.measured)}; expected ${esc(i.expected)}</li>`
    ).join("\n");
    const base = `${encodeURI(r.id)}/`;
    return `<section id="${esc(r.id)}">
<h2>${esc(r.id)} — ${esc(r.title)}</h2>
<p class="claim">${esc(c.statement)}</p>
<table class="kv">
<tr><th>Source</th><td>${esc(c.source)}</td></tr>
<tr><th>Paper value</th><td>${esc(c.paperValue)}</td></tr>
<tr><th>Our value (${esc(p.profile)})</th><td>${esc(r.check?.ourValue ?? "—")}</td></tr>
<tr><th>Verdict (${esc(p.profile)})</th><td class="${verdictClass(r)}">${esc(verdictLabel(r))}${
      r.recorded ? ` — ${esc(r.recorded.why)}` : ""
    }</td></tr>
${goldenVerdictsHtml(r)}
<tr><th>Golden</th><td class="${r.golden.ok ? "ok" : "bad"}">${esc(r.golden.status)}: <pre>${
      esc(r.golden.detail)
    }</pre></td></tr>
<tr><th>Scale</th><td>${esc(c.scale[p.profile] ?? "")}</td></tr>
<tr><th>Cells</th><td>${r.cells.total} (${r.cells.cached} from the cache, ${r.cells.run} computed; ${
      p.cellSeconds.toFixed(1)
    } s of compute)</td></tr>
${r.error ? `<tr><th>Error</th><td class="bad"><pre>${esc(r.error)}</pre></td></tr>` : ""}
</table>
<ul class="checks">${checks}</ul>
<figure class="chart" data-id="${esc(r.id)}">${svg ?? '<p class="bad">no chart</p>'}</figure>
${
      svg
        ? `<p class="files"><a href="${base}data.csv">data.csv</a> · <a href="${base}chart.vl.json">chart.vl.json</a>
 (open in the Vega editor) · <a href="${base}chart.svg">chart.svg</a> · <a href="${base}verdict.json">verdict.json</a></p>`
        : `<p class="files"><a href="${base}verdict.json">verdict.json</a></p>`
    }
<details><summary>Deviations, tolerances, notes, provenance</summary>
<ul>${c.deviations.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>
${tolerancesHtml(r)}
${r.notes ? `<div class="notes">${notesHtml(r.notes)}</div>` : ""}
<p class="prov">backend ${esc(p.backend.backend)} (requested ${esc(p.backend.requested)}), adapter
 ${esc(p.backend.adapter)}${p.backend.adapterSoftware ? " [software]" : ""}, tfjs ${
      esc(p.backend.tfjs ?? "not loaded")
    }, Deno ${esc(p.deno)}, seed ${p.seed}, commit ${esc(p.commit)}, ${esc(p.cpu)}, ${
      esc(p.startedAt)
    }</p>
</details>
</section>`;
  }).join("\n");
  const skipped = collected.skipped.length > 0
    ? `<p class="bad">Skipped (unreadable results): ${
      collected.skipped.map((s) => `<code>${esc(s)}</code>`).join("; ")
    }</p>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Replication report</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1250px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.ok{color:#146c2e}.bad{color:#b00020}.known{color:#a05a00}.error{color:#b00020;font-weight:bold}
section{border-top:2px solid #ddd;margin-top:2em}.claim{font-size:1.1em}
pre{white-space:pre-wrap;margin:0;font-size:.85em}figure.chart{margin:1em 0;overflow-x:auto}
.prov{font-size:.8em;color:#555}ul.checks{list-style:none;padding-left:0}.notes{max-width:60em}
</style></head>
<body data-charts="pending">
<h1>Replication report</h1>
<p>${passed} of ${items.length} replications pass (claim verdict accepted and golden within tolerance).</p>
${skipped}
<table><tr><th>id</th><th>claim verdict</th><th>full-profile verdict (golden)</th><th>golden</th><th>profile</th><th>backend</th><th>cells</th><th>time</th></tr>
${rows}
</table>
${sections}
<script>
// Mark each chart rendered when its SVG has a non-empty box and drawn marks.
(function () {
  const figs = [...document.querySelectorAll("figure.chart")];
  let ok = 0;
  for (const f of figs) {
    const svg = f.querySelector("svg");
    const box = svg ? svg.getBoundingClientRect() : null;
    const marks = svg ? svg.querySelectorAll("path, line, rect, circle, text").length : 0;
    const good = !!box && box.width > 50 && box.height > 50 && marks > 10;
    f.dataset.rendered = String(good);
    if (good) ok++;
  }
  document.body.dataset.charts = ok + "/" + figs.length;
})();
</script>
</body></html>
`;
}

/** Rebuild `outDir/index.html` from the results present there. */
export async function writeReport(outDir: string): Promise<{ path: string } & Collected> {
  const collected = await collectResults(outDir);
  const path = `${outDir}/index.html`;
  await writeFileAtomic(path, renderReport(collected));
  return { path, ...collected };
}

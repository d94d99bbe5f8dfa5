/**
 * The HTML report: one self-contained page (`out/index.html`, no CDN) with every claim's
 * text, source, paper value, our value, verdict, golden status and chart (inline SVG).
 * It is rebuilt from the `verdict.json` and `chart.svg` files under the output folder, so
 * results of separate runs (or shards copied together) end up in one report.
 *
 * @module
 */

import { writeFileAtomic } from "./fs.ts";
import type { ReplicationResult } from "./runner.ts";
import { resultOk, verdictLabel } from "./runner.ts";

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** Collect every verdict.json below `outDir` (sorted by id) with its SVG, if any. */
export async function collectResults(
  outDir: string,
): Promise<{ result: ReplicationResult; svg: string | null }[]> {
  const found: { result: ReplicationResult; svg: string | null }[] = [];
  const walk = async (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      return;
    }
    for (const e of entries) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.name === "verdict.json") {
        const result = JSON.parse(await Deno.readTextFile(p)) as ReplicationResult;
        let svg: string | null = null;
        try {
          svg = await Deno.readTextFile(`${dir}/chart.svg`);
        } catch { /* no chart */ }
        found.push({ result, svg });
      }
    }
  };
  await walk(outDir);
  return found.sort((a, b) => (a.result.id < b.result.id ? -1 : 1));
}

function verdictClass(r: ReplicationResult): string {
  if (r.error) return "error";
  if (!r.check) return "error";
  return r.check.verdict === "REPRODUCED" ? "ok" : r.claimOk ? "known" : "bad";
}

/** Render the report's HTML. */
export function renderReport(items: { result: ReplicationResult; svg: string | null }[]): string {
  const passed = items.filter((i) => resultOk(i.result)).length;
  const rows = items.map(({ result: r }) =>
    `<tr><td><a href="#${esc(r.id)}">${esc(r.id)}</a></td>` +
    `<td class="${verdictClass(r)}">${esc(verdictLabel(r))}</td>` +
    `<td class="${r.golden.ok ? "ok" : "bad"}">${esc(r.golden.status)}</td>` +
    `<td>${esc(r.provenance.profile)}</td><td>${esc(r.provenance.backend.backend)}</td>` +
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
<tr><th>Our value</th><td>${esc(r.check?.ourValue ?? "—")}</td></tr>
<tr><th>Verdict</th><td class="${verdictClass(r)}">${esc(verdictLabel(r))}${
      r.recorded ? ` — ${esc(r.recorded.why)}` : ""
    }</td></tr>
<tr><th>Golden</th><td class="${r.golden.ok ? "ok" : "bad"}">${esc(r.golden.status)}: <pre>${
      esc(r.golden.detail)
    }</pre></td></tr>
<tr><th>Scale</th><td>${esc(c.scale[p.profile] ?? "")}</td></tr>
${r.error ? `<tr><th>Error</th><td class="bad"><pre>${esc(r.error)}</pre></td></tr>` : ""}
</table>
<ul class="checks">${checks}</ul>
<figure class="chart" data-id="${esc(r.id)}">${svg ?? '<p class="bad">no chart</p>'}</figure>
<p class="files"><a href="${base}data.csv">data.csv</a> · <a href="${base}chart.vl.json">chart.vl.json</a>
 (open in the Vega editor) · <a href="${base}chart.svg">chart.svg</a> · <a href="${base}verdict.json">verdict.json</a></p>
<details><summary>Deviations, tolerances, provenance</summary>
<ul>${c.deviations.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>
<p><b>Tolerances:</b> ${esc(c.tolerances)}</p>
${c.notes ? `<pre class="notes">${esc(c.notes)}</pre>` : ""}
<p class="prov">backend ${esc(p.backend.backend)} (requested ${esc(p.backend.requested)}), adapter
 ${esc(p.backend.adapter)}${p.backend.adapterSoftware ? " [software]" : ""}, tfjs ${
      esc(p.backend.tfjs ?? "not loaded")
    }, Deno ${esc(p.deno)}, seed ${p.seed}, commit ${esc(p.commit)}, ${esc(p.cpu)}, ${
      esc(p.startedAt)
    }</p>
</details>
</section>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Replication report</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1250px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.ok{color:#146c2e}.bad{color:#b00020}.known{color:#a05a00}.error{color:#b00020;font-weight:bold}
section{border-top:2px solid #ddd;margin-top:2em}.claim{font-size:1.1em}
pre{white-space:pre-wrap;margin:0;font-size:.85em}figure.chart{margin:1em 0;overflow-x:auto}
.prov{font-size:.8em;color:#555}ul.checks{list-style:none;padding-left:0}
</style></head>
<body data-charts="pending">
<h1>Replication report</h1>
<p>${passed} of ${items.length} replications pass (claim verdict accepted and golden within tolerance).</p>
<table><tr><th>id</th><th>claim verdict</th><th>golden</th><th>profile</th><th>backend</th><th>time</th></tr>
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

/** Rebuild `outDir/index.html` from the results present there; returns its path. */
export async function writeReport(outDir: string): Promise<string> {
  const items = await collectResults(outDir);
  const path = `${outDir}/index.html`;
  await writeFileAtomic(path, renderReport(items));
  return path;
}

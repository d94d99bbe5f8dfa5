import assert from "node:assert/strict";
import { collectResults, notesHtml, renderReport } from "./report.ts";
import type { ReplicationResult } from "./runner.ts";

function result(id: string): ReplicationResult {
  return {
    format: "replicate-verdict/1",
    id,
    title: "T",
    claim: {
      statement: "S",
      source: "src",
      paperValue: "1",
      scale: { quick: "q", full: "f" },
      deviations: ["d"],
    },
    tolerances: {
      keys: ["k"],
      columns: { x: { atol: 0.1, why: "float32 drift" } },
      default: { why: "exact" },
    },
    notes: "## Derivation\n\nSee *Eqn. 5* <script>x</script>",
    recorded: null,
    check: {
      verdict: "REPRODUCED",
      ourValue: "ours",
      items: [{ name: "n", pass: true, measured: "1", expected: "≥ 0" }],
    },
    claimOk: true,
    golden: { status: "match", ok: true, detail: "3 rows" },
    goldenVerdicts: [{
      profile: "full",
      check: { verdict: "PARTIAL", ourValue: "full ours", items: [] },
      accepted: true,
      recorded: { verdict: "PARTIAL", why: "w" },
      provenance: {
        date: "2026-12-01T00:00:00Z",
        commit: "abcdef1234567",
        backend: "wasm",
        adapter: "llvmpipe",
        cpu: "Xeon × 2",
        wallSeconds: 3600,
        cellSeconds: 7200,
        cells: 75,
      },
      error: null,
    }],
    error: null,
    rows: 3,
    cells: { total: 4, cached: 1, run: 3 },
    provenance: {
      id,
      profile: "quick",
      seed: 0,
      backend: {
        requested: "auto",
        backend: "wasm",
        adapter: "a",
        adapterSoftware: true,
        tfjs: "4.22.0",
      },
      deno: "2.9.6",
      v8: "x",
      commit: "c",
      cpu: "cpu",
      platform: "linux",
      startedAt: "t",
      seconds: 1,
      cellSeconds: 2,
    },
  };
}

Deno.test("report: unreadable or foreign verdict.json files are named and skipped; deeper copies ignored", async () => {
  const out = await Deno.makeTempDir();
  const put = async (path: string, text: string) => {
    await Deno.mkdir(`${out}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    await Deno.writeTextFile(`${out}/${path}`, text);
  };
  await put("p/good/verdict.json", JSON.stringify(result("p/good")));
  await put("p/trunc/verdict.json", JSON.stringify(result("p/trunc")).slice(0, 100));
  await put("p/old/verdict.json", JSON.stringify({ id: "p/old", claim: {}, check: null }));
  await put("p/moved/verdict.json", JSON.stringify(result("p/elsewhere")));
  await put("backup/out/p/good/verdict.json", JSON.stringify(result("p/good")));
  const c = await collectResults(out);
  assert.deepEqual(c.found.map((f) => f.result.id), ["p/good"]);
  assert.equal(c.skipped.length, 3);
  assert.match(c.skipped.join("\n"), /p\/trunc\/verdict\.json: not valid JSON/);
  assert.match(c.skipped.join("\n"), /p\/old\/verdict\.json: not a verdict of this version/);
  const html = renderReport(c);
  assert.match(html, /Skipped \(unreadable results\)/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("report: notes, tolerances with their reasons, cells and the full-profile golden verdict", () => {
  const html = renderReport({
    found: [{ result: result("p/good"), svg: "<svg></svg>" }],
    skipped: [],
  });
  assert.match(html, /<h2>Derivation<\/h2>/);
  assert.match(html, /<em>Eqn\. 5<\/em> &lt;script&gt;/);
  assert.match(html, /<td>x<\/td><td>0\.1<\/td><td>0<\/td><td>float32 drift<\/td>/);
  assert.match(html, /full-profile verdict<\/th><td><b>PARTIAL \(recorded\)<\/b>/);
  assert.match(
    html,
    /commit abcdef123456, wasm \(llvmpipe\), Xeon × 2, 75 cells, 7200 s of compute/,
  );
  assert.match(html, /4 \(1 from the cache, 3 computed/);
  assert.equal(notesHtml("a <b>"), "<p>a &lt;b&gt;</p>\n");
});

import assert from "node:assert/strict";
import { type CellEntry, listEntries, readEntryFile } from "./cache.ts";
import type { LoadedReplication } from "./registry.ts";
import { loadFailure, planCells, resultOk, type RunOptions, runPlanned } from "./runner.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;
const CHART = JSON.stringify({
  data: { name: "rows" },
  mark: "point",
  encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
});

/** Write a fixture replication module and load it as the registry would. */
async function fixture(root: string, id: string, body: string): Promise<LoadedReplication> {
  const dir = `${root}/replications/${id}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/replication.ts`,
    `import { atMost, defineReplication, holds, verdictOf } from ${JSON.stringify(MOD)};\n${body}`,
  );
  await Deno.writeTextFile(`${dir}/chart.vl.json`, CHART);
  const url = new URL(`file://${dir}/replication.ts`);
  return {
    id,
    spec: (await import(url.href)).default,
    moduleUrl: url.href,
    chart: new URL(`file://${dir}/chart.vl.json`),
    notes: new URL(`file://${dir}/NOTES.md`),
  };
}

const claim =
  `{ statement: "s", source: "x", paperValue: "1", scale: { quick: "q", full: "f" }, deviations: [] }`;
const squares = `export default defineReplication({
  title: "squares", claim: ${claim},
  grid: () => [3, 1, 2].map((x) => ({ x })),
  cell: async ({ x }) => { await new Promise((r) => setTimeout(r, 40 * x)); return [{ x, y: x * x }]; },
  cost: ({ x }) => x,
  check: (rows) => verdictOf([atMost("y", Math.min(...rows.map((r) => r.y)), 1)], "ok"),
  tolerances: { keys: ["x"], default: { why: "exact" } },
});`;

/** The cells a shard run left under `<dir>/cells`, by key. */
async function readShardCells(dirs: string[]): Promise<Map<string, CellEntry>> {
  const out = new Map<string, CellEntry>();
  for (const d of dirs) {
    for (const p of await listEntries(`${d}/cells`)) {
      const r = await readEntryFile(p);
      if (r.status === "hit") out.set(r.entry.key, r.entry);
    }
  }
  return out;
}

function options(root: string, patch: Partial<RunOptions> = {}): RunOptions {
  return {
    profile: "quick",
    seed: 0,
    backend: "cpu",
    outDir: `${root}/out`,
    goldenDir: `${root}/golden`,
    cacheDir: `${root}/cache`,
    update: "failing",
    jobs: 2,
    progress: "silent",
    ...patch,
  };
}

Deno.test("runner: rows follow the grid order, cells are cached, a re-run computes nothing", async () => {
  const root = await Deno.makeTempDir();
  const rep = await fixture(root, "t/squares", squares);
  const first = await runPlanned(await planCells([rep], "quick", 0), options(root), () => {});
  assert.equal(first.results.length, 1);
  const r = first.results[0];
  assert.ok(resultOk(r), JSON.stringify(r.golden) + r.error);
  assert.deepEqual(r.cells, { total: 3, cached: 0, run: 3 });
  assert.equal(await Deno.readTextFile(`${root}/out/t/squares/data.csv`), "x,y\n3,9\n1,1\n2,4\n");
  assert.equal((await listEntries(`${root}/cache`)).length, 3);
  const again = await runPlanned(await planCells([rep], "quick", 0), options(root), () => {});
  assert.deepEqual(again.results[0].cells, { total: 3, cached: 3, run: 0 });
  assert.equal(again.results[0].golden.status, "match");
  const v = JSON.parse(await Deno.readTextFile(`${root}/out/t/squares/verdict.json`));
  assert.deepEqual(v.cells, { total: 3, cached: 3, run: 0 });
  await Deno.remove(root, { recursive: true });
});

Deno.test("runner: a failing cell is an ERROR naming the cell; stale outputs are removed; others go on", async () => {
  const root = await Deno.makeTempDir();
  const ok = await fixture(root, "t/squares", squares);
  await runPlanned(await planCells([ok], "quick", 0), options(root), () => {});
  const bad = await fixture(
    root,
    "t/squares",
    squares.replace(
      "return [{ x, y: x * x }];",
      `if (x === 2) throw new Error("boom at x=2"); return [{ x, y: x * x }];`,
    ),
  );
  const other = await fixture(
    root,
    "t/other",
    squares.replace('title: "squares"', 'title: "other"'),
  );
  const out = await runPlanned(
    await planCells([bad, other], "quick", 0),
    options(root, { cacheDir: null }),
    () => {},
  );
  const b = out.results.find((r) => r.id === "t/squares")!;
  const o = out.results.find((r) => r.id === "t/other")!;
  assert.match(b.error ?? "", /1 of 3 cell\(s\) failed: #3 \{"x":2\}: Error: boom at x=2/);
  assert.ok(!resultOk(b));
  assert.ok(resultOk(o));
  await assert.rejects(Deno.stat(`${root}/out/t/squares/data.csv`), "stale data.csv removed");
  await assert.rejects(Deno.stat(`${root}/out/t/squares/chart.svg`), "stale chart removed");
  assert.match(
    JSON.parse(await Deno.readTextFile(`${root}/out/t/squares/verdict.json`)).error,
    /boom/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("runner: a worker that dies fails only its cell; the pool replaces it", async () => {
  const root = await Deno.makeTempDir();
  const dies = await fixture(
    root,
    "t/dies",
    squares.replace(
      "return [{ x, y: x * x }];",
      `if (x === 1) { setTimeout(() => { throw new Error("uncaught in the worker"); }, 0); await new Promise((r) => setTimeout(r, 1000)); } return [{ x, y: x * x }];`,
    ),
  );
  const out = await runPlanned(
    await planCells([dies], "quick", 0),
    options(root, { cacheDir: `${root}/cache`, jobs: 1 }),
    () => {},
  );
  assert.match(
    out.results[0].error ?? "",
    /1 of 3 cell\(s\) failed: #2 \{"x":1\}: .*uncaught in the worker/,
  );
  assert.equal(out.cells.run, 2, "the other cells ran on a fresh worker");
  assert.equal((await listEntries(`${root}/cache`)).length, 2);
  await Deno.remove(root, { recursive: true });
});

Deno.test("runner: a check that returns nothing, or a grid of non-JSON params, is a clear error", async () => {
  const root = await Deno.makeTempDir();
  const noCheck = await fixture(
    root,
    "t/nocheck",
    squares.replace(/check: \(rows\) => verdictOf\([^\n]*\n/, "check: () => undefined,\n"),
  );
  const badGrid = await fixture(
    root,
    "t/badgrid",
    squares.replace("grid: () => [3, 1, 2].map((x) => ({ x }))", "grid: () => [{ x: NaN }]"),
  );
  const out = await runPlanned(
    await planCells([noCheck, badGrid], "quick", 0),
    options(root),
    () => {},
  );
  const c = out.results.find((r) => r.id === "t/nocheck")!;
  const g = out.results.find((r) => r.id === "t/badgrid")!;
  assert.equal(c.title, "squares", "it loaded: the title is its own");
  assert.match(c.error ?? "", /check\(\) returned nothing; it must return verdictOf/);
  assert.match(g.error ?? "", /grid cell 0 is not a plain JSON object/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("runner: --update-golden never writes a golden from a check that was not accepted", async () => {
  const root = await Deno.makeTempDir();
  const partial = await fixture(
    root,
    "t/partial",
    squares.replace(
      `verdictOf([atMost("y", Math.min(...rows.map((r) => r.y)), 1)], "ok")`,
      `verdictOf([holds("a", true, "", ""), holds("b", false, "", "")], "half")`,
    ),
  );
  const out = await runPlanned(
    await planCells([partial], "quick", 0),
    options(root, { update: "all" }),
    () => {},
  );
  assert.equal(out.results[0].check?.verdict, "PARTIAL");
  assert.equal(out.results[0].golden.status, "error");
  assert.match(
    out.results[0].golden.detail,
    /not written because the claim check returned PARTIAL/,
  );
  await assert.rejects(Deno.stat(`${root}/golden/t/partial.quick.csv`));
  await Deno.remove(root, { recursive: true });
});

Deno.test("runner: shard 1/2 + shard 2/2 merged give the unsharded CSV, byte for byte", async () => {
  const root = await Deno.makeTempDir();
  const rep = await fixture(root, "t/squares", squares);
  const plan = await planCells([rep], "quick", 0);
  const whole = await runPlanned(
    plan,
    options(root, { cacheDir: null, outDir: `${root}/whole` }),
    () => {},
  );
  assert.ok(resultOk(whole.results[0]));
  const cells = new Map();
  for (const i of [1, 2]) {
    const s = await runPlanned(
      plan,
      options(root, { cacheDir: null, outDir: `${root}/s${i}`, shard: { index: i, count: 2 } }),
      () => {},
    );
    assert.equal(s.results.length, 0, "a shard finalises nothing");
    for (const c of s.shardCells) cells.set(c.key, c);
  }
  assert.equal(cells.size, 3);
  const merged = await runPlanned(
    plan,
    options(root, {
      cacheDir: null,
      outDir: `${root}/m`,
      cellSource: await readShardCells([`${root}/s1`, `${root}/s2`]),
    }),
    () => {},
  );
  assert.deepEqual(merged.results[0].cells, { total: 3, cached: 3, run: 0 });
  assert.equal(
    await Deno.readTextFile(`${root}/m/t/squares/data.csv`),
    await Deno.readTextFile(`${root}/whole/t/squares/data.csv`),
  );
  const partialMerge = await runPlanned(
    plan,
    options(root, {
      cacheDir: null,
      outDir: `${root}/m1`,
      cellSource: await readShardCells([`${root}/s1`]),
    }),
    () => {},
  );
  assert.match(partialMerge.results[0].error ?? "", /cell\(s\) failed: .*missing from the shards/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("runner: a replication that fails to load is recorded and the run goes on", async () => {
  const dir = await Deno.makeTempDir();
  const r = await loadFailure("t/broken", new SyntaxError("bad export"), {
    outDir: dir,
    profile: "quick",
    seed: 0,
    backend: "cpu",
  });
  assert.equal(r.error, "SyntaxError: bad export");
  assert.ok(!resultOk(r));
  assert.ok(JSON.parse(await Deno.readTextFile(`${dir}/t/broken/verdict.json`)).error);
  await Deno.remove(dir, { recursive: true });
});

/**
 * End-to-end tests of `deno task replicate`: CLI errors, the quick profile of every
 * replication (claims accepted, goldens within tolerance, charts written, a warm re-run that
 * computes nothing), determinism, goldens untouched without the flag, interrupt and resume,
 * shards merged byte-identically, the report in real headless Chromium, and the WebGPU
 * backend against wasm on a small training run.
 */
import assert from "node:assert/strict";
import { discoverIds } from "../lib/harness/registry.ts";
import type { ReplicationResult } from "../lib/harness/runner.ts";
import { resolveTolerances } from "../lib/harness/golden.ts";
import { cellsClose } from "../lib/harness/golden.ts";
import { listEntries } from "../lib/harness/cache.ts";
import type { WebGpuCheckOutput } from "./webgpu_check.ts";
import tokenComposition from "../replications/scan-snap/token-composition/replication.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** Cheap replications (Float64, seconds) for the flow tests. */
const CHEAP = ["li2/node-efficiency", "scan-snap/bn-phase-transition", "cogo/ring-homomorphism"];

async function deno(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function treeDigest(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const e of [...Deno.readDirSync(d)].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) walk(p);
      else parts.push(`${p}\n${Deno.readTextFileSync(p)}`);
    }
  };
  walk(dir);
  const bytes = new TextEncoder().encode(parts.join("\n--\n"));
  return Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

function findChromium(): string | null {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    try {
      Deno.statSync(p);
      return p;
    } catch { /* next */ }
  }
  return null;
}

/** The "cells: N (C cached, R computed, F failed)" figures of a run's last line. */
function cellLine(stdout: string): { total: number; cached: number; run: number; failed: number } {
  const m = stdout.match(/cells: (\d+) \((\d+) cached, (\d+) computed, (\d+) failed\)/);
  assert.ok(m, `no cells line in:\n${stdout}`);
  return { total: +m[1], cached: +m[2], run: +m[3], failed: +m[4] };
}

Deno.test("cli: an unknown id is an error (exit 2) that lists the known ids", async () => {
  const r = await deno(["scripts/replicate.ts", "scan-snap/no-such-claim"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown replication "scan-snap\/no-such-claim"/);
  for (const id of discoverIds()) assert.ok(r.stderr.includes(id), id);
});

Deno.test("cli: bad options exit 2 with one line and no stack; --list lists every replication", async () => {
  for (
    const [args, re] of [
      [["all", "--backend", "cuda"], /^error: unknown backend "cuda"/],
      [["all", "--out", ""], /^error: --out is empty/],
      [["all", "--seed", "99999999999999999999"], /^error: --seed must be an integer/],
      [
        ["merge", "/nonexistent-shard", "--out", "/tmp/m"],
        /^error: \/nonexistent-shard is not a shard output/,
      ],
    ] as [string[], RegExp][]
  ) {
    const r = await deno(["scripts/replicate.ts", ...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, re);
    assert.ok(!r.stderr.includes("    at "), `no stack trace: ${r.stderr}`);
  }
  const list = await deno(["scripts/replicate.ts", "--list"]);
  assert.equal(list.code, 0);
  assert.deepEqual(list.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]), discoverIds());
});

Deno.test("cli: a bad --out is refused before any computation, and nothing is written", async () => {
  const tmp = await Deno.makeTempDir();
  const file = `${tmp}/file`;
  await Deno.writeTextFile(file, "x");
  const before = await treeDigest(`${ROOT}replications`);
  for (
    const [out, re] of [
      [file, /is a file, not a folder/],
      ["replications", /inside the project's replications\/ folder/],
      [".", /the project folder or above it/],
    ] as [string, RegExp][]
  ) {
    const r = await deno(["scripts/replicate.ts", CHEAP[0], "--out", out, "--no-cache"]);
    assert.equal(r.code, 2, `${out}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.ok(!r.stderr.includes("cells:"), "refused before the run started");
  }
  assert.equal(await treeDigest(`${ROOT}replications`), before);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("cli: a corrupt or old verdict.json in --out is named, and the run still passes with its summary", async () => {
  const out = await Deno.makeTempDir();
  const first = await deno(["scripts/replicate.ts", CHEAP[0], "--out", out, "--no-cache"]);
  assert.equal(first.code, 0, first.stderr);
  await Deno.mkdir(`${out}/old/claim`, { recursive: true });
  await Deno.writeTextFile(`${out}/old/claim/verdict.json`, '{"id": "old/claim", "check": nu');
  await Deno.mkdir(`${out}/older/claim`, { recursive: true });
  await Deno.writeTextFile(`${out}/older/claim/verdict.json`, '{"id": "older/claim"}');
  const r = await deno(["scripts/replicate.ts", CHEAP[0], "--out", out, "--no-cache"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1 passed, 0 failed/m);
  assert.match(r.stderr, /report: skipped .*old\/claim\/verdict\.json: not valid JSON/);
  assert.match(
    r.stderr,
    /report: skipped .*older\/claim\/verdict\.json: not a verdict of this version/,
  );
  const rep = await deno(["scripts/replicate.ts", "--report-only", "--out", out]);
  assert.equal(rep.code, 1, "skipped results make --report-only fail");
  await Deno.remove(out, { recursive: true });
});

Deno.test("cli: large seeds do not wrap onto small ones (a seed's golden is skipped, its output its own)", async () => {
  const tmp = await Deno.makeTempDir();
  const a = await deno(["scripts/replicate.ts", CHEAP[2], "--out", `${tmp}/a`, "--no-cache"]);
  const b = await deno([
    "scripts/replicate.ts",
    CHEAP[2],
    "--out",
    `${tmp}/b`,
    "--no-cache",
    "--seed",
    "536870912",
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.notEqual(
    await Deno.readTextFile(`${tmp}/a/${CHEAP[2]}/data.csv`),
    await Deno.readTextFile(`${tmp}/b/${CHEAP[2]}/data.csv`),
  );
  assert.match(b.stdout, /skipped/);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("replicate all --profile quick: every claim accepted, every golden matches, report renders", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "replicate-all-" });
  const cache = await Deno.makeTempDir({ prefix: "replicate-cache-" });
  const before = await treeDigest(`${ROOT}golden`);
  const r = await deno(["scripts/replicate.ts", "all", "--out", out, "--cache", cache]);
  const ids = discoverIds();
  await t.step("exit 0 and a summary line for every replication", () => {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^${ids.length} passed, 0 failed`, "m"));
    for (const id of ids) assert.ok(r.stdout.includes(id), id);
  });
  await t.step(
    "each replication wrote data.csv, a filled spec, an SVG and its verdict with provenance",
    async () => {
      for (const id of ids) {
        const dir = `${out}/${id}`;
        const v = JSON.parse(await Deno.readTextFile(`${dir}/verdict.json`)) as ReplicationResult;
        assert.equal(v.error, null, `${id}: ${v.error}`);
        assert.ok(v.claimOk, id);
        assert.equal(v.golden.status, "match", `${id}: ${v.golden.detail}`);
        assert.ok(v.provenance.deno && v.provenance.commit && v.provenance.backend.adapter, id);
        assert.equal(v.cells.run, v.cells.total, `${id}: a cold cache computes every cell`);
        const spec = JSON.parse(await Deno.readTextFile(`${dir}/chart.vl.json`));
        assert.ok(JSON.stringify(spec).includes('"values"'), `${id}: spec has inline data`);
        assert.match(await Deno.readTextFile(`${dir}/chart.svg`), /^<svg/);
        assert.ok((await Deno.readTextFile(`${dir}/data.csv`)).split("\n").length > 2);
      }
    },
  );
  await t.step("goldens are untouched without --update-golden", async () => {
    assert.equal(await treeDigest(`${ROOT}golden`), before);
  });
  await t.step(
    "a warm re-run with nothing changed computes no cell and writes the same CSVs",
    async () => {
      const csv = (o: string) =>
        Promise.all(ids.map((id) => Deno.readTextFile(`${o}/${id}/data.csv`)));
      const first = await csv(out);
      const again = await deno(["scripts/replicate.ts", "all", "--out", out, "--cache", cache]);
      assert.equal(again.code, 0, again.stderr);
      const c = cellLine(again.stdout);
      assert.equal(c.run, 0);
      assert.equal(c.cached, c.total);
      assert.deepEqual(await csv(out), first);
    },
  );
  const chromium = findChromium();
  await t.step({
    name: "the report opens in headless Chromium and every chart rendered",
    ignore: chromium === null && Deno.env.get("REQUIRE_CHROMIUM") !== "1",
    fn: async () => {
      assert.ok(chromium, "chromium is required (REQUIRE_CHROMIUM=1) but not installed");
      const profile = await Deno.makeTempDir();
      const res = await new Deno.Command(chromium, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          `--user-data-dir=${profile}`,
          "--virtual-time-budget=5000",
          "--dump-dom",
          `file://${out}/index.html`,
        ],
        stdout: "piped",
        stderr: "null",
      }).output();
      const dom = new TextDecoder().decode(res.stdout);
      const m = dom.match(/<body data-charts="(\d+)\/(\d+)"/);
      assert.ok(m, "report script did not run");
      assert.equal(Number(m[2]), ids.length, "one chart per replication");
      assert.equal(m[1], m[2], `charts rendered: ${m[1]}/${m[2]}`);
      assert.ok(!dom.includes('data-rendered="false"'));
      await Deno.remove(profile, { recursive: true });
    },
  });
  await Deno.remove(out, { recursive: true });
  await Deno.remove(cache, { recursive: true });
});

Deno.test("same seed, same backend: identical CSV", async () => {
  const ids = ["scan-snap/bn-phase-transition", "scan-snap/token-composition"];
  const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
  for (const o of [a, b]) {
    const r = await deno([
      "scripts/replicate.ts",
      ...ids,
      "--out",
      o,
      "--backend",
      "wasm",
      "--no-cache",
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
  for (const id of ids) {
    assert.equal(
      await Deno.readTextFile(`${a}/${id}/data.csv`),
      await Deno.readTextFile(`${b}/${id}/data.csv`),
      id,
    );
  }
  await Deno.remove(a, { recursive: true });
  await Deno.remove(b, { recursive: true });
});

Deno.test("interrupt and resume: SIGINT mid-run keeps finished cells; the re-run computes only the rest", async () => {
  const out = await Deno.makeTempDir(), cache = await Deno.makeTempDir();
  const id = "scan-snap/token-composition";
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/replicate.ts", id, "--out", out, "--cache", cache, "--jobs", "1"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const dec = new TextDecoder();
  let err = "";
  let sent = false;
  const stdout = new Response(child.stdout).text();
  for await (const chunk of child.stderr) {
    err += dec.decode(chunk);
    if (!sent && /· done scan-snap\/token-composition#\d/.test(err)) {
      child.kill("SIGINT");
      sent = true;
    }
  }
  const status = await child.status;
  await stdout;
  assert.ok(sent, `no cell finished:\n${err}`);
  assert.equal(status.code, 130, err);
  assert.match(err, /interrupted after .*Run the same command again/);
  const kept = await listEntries(cache);
  assert.ok(kept.length >= 1 && kept.length < 5, `${kept.length} cells cached`);
  const mtimes = await Promise.all(kept.map(async (p) => (await Deno.stat(p)).mtime?.getTime()));
  const again = await deno([
    "scripts/replicate.ts",
    id,
    "--out",
    out,
    "--cache",
    cache,
    "--jobs",
    "1",
  ]);
  assert.equal(again.code, 0, again.stderr);
  const c = cellLine(again.stdout);
  assert.equal(c.cached, kept.length, "completed cells were not recomputed");
  assert.equal(c.run, 5 - kept.length);
  for (const [i, p] of kept.entries()) {
    assert.equal((await Deno.stat(p)).mtime?.getTime(), mtimes[i], `${p} untouched`);
  }
  const litter = [...Deno.readDirSync(`${cache}/${id}`)].filter((e) => e.name.includes(".tmp-"));
  assert.deepEqual(litter, [], "no temp files left");
  await Deno.remove(out, { recursive: true });
  await Deno.remove(cache, { recursive: true });
});

Deno.test("shards: 1/2 + 2/2 + merge is byte-identical to the unsharded run; bad merges are refused", async () => {
  const tmp = await Deno.makeTempDir();
  const run = (...args: string[]) => deno(["scripts/replicate.ts", ...args]);
  const whole = await run(...CHEAP, "--out", `${tmp}/whole`, "--no-cache");
  assert.equal(whole.code, 0, whole.stderr);
  for (const i of [1, 2]) {
    const s = await run(
      ...CHEAP,
      "--shard",
      `${i}/2`,
      "--out",
      `${tmp}/s${i}`,
      "--cache",
      `${tmp}/c${i}`,
    );
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`shard ${i}/2: cells: \\d+`));
  }
  const merged = await run(
    "merge",
    `${tmp}/s1`,
    `${tmp}/s2`,
    "--out",
    `${tmp}/m`,
    "--cache",
    `${tmp}/cm`,
  );
  assert.equal(merged.code, 0, merged.stderr + merged.stdout);
  for (const id of CHEAP) {
    assert.equal(
      await Deno.readTextFile(`${tmp}/m/${id}/data.csv`),
      await Deno.readTextFile(`${tmp}/whole/${id}/data.csv`),
      id,
    );
  }
  const warm = await run(...CHEAP, "--out", `${tmp}/w`, "--cache", `${tmp}/cm`);
  assert.equal(cellLine(warm.stdout).run, 0, "the merge filled its cache with the shards' cells");
  const missing = await run("merge", `${tmp}/s1`, "--out", `${tmp}/m1`, "--no-cache");
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cell\(s\) failed: #\d+ .*missing from the shards/);
  const other = await run(
    ...CHEAP,
    "--shard",
    "2/2",
    "--seed",
    "3",
    "--out",
    `${tmp}/s2seed`,
    "--no-cache",
  );
  assert.equal(other.code, 0, other.stderr);
  const mixed = await run(
    "merge",
    `${tmp}/s1`,
    `${tmp}/s2seed`,
    "--out",
    `${tmp}/mx`,
    "--no-cache",
  );
  assert.equal(mixed.code, 2);
  assert.match(
    mixed.stderr,
    /error: the shards were not run alike: --seed is 0 in .*s1 but 3 in .*s2seed/,
  );
  const twice = await run("merge", `${tmp}/s1`, `${tmp}/s1`, "--out", `${tmp}/m2`, "--no-cache");
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /shard 1\/2 appears twice/);
  const cellFile = (await listEntries(`${tmp}/s1/cells`))[0];
  await Deno.writeTextFile(cellFile, "{ truncated");
  const corrupt = await run("merge", `${tmp}/s1`, `${tmp}/s2`, "--out", `${tmp}/m3`, "--no-cache");
  assert.equal(corrupt.code, 2);
  assert.match(corrupt.stderr, /\.json: not valid JSON/);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("--report-only: fails on failing or missing results; --check-golden reads the committed golden", async () => {
  const tmp = await Deno.makeTempDir();
  const none = await deno(["scripts/replicate.ts", "--report-only", "--out", `${tmp}/nothing`]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no results folder/);
  const r = await deno(["scripts/replicate.ts", CHEAP[0], "--out", `${tmp}/o`, "--no-cache"]);
  assert.equal(r.code, 0, r.stderr);
  const ok = await deno(["scripts/replicate.ts", "--report-only", "--out", `${tmp}/o`]);
  assert.equal(ok.code, 0, ok.stderr);
  const v = `${tmp}/o/${CHEAP[0]}/verdict.json`;
  const result = JSON.parse(await Deno.readTextFile(v));
  await Deno.writeTextFile(v, JSON.stringify({ ...result, claimOk: false }));
  const bad = await deno(["scripts/replicate.ts", "--report-only", "--out", `${tmp}/o`]);
  assert.equal(bad.code, 1);
  const g = await deno(["scripts/replicate.ts", CHEAP[0], "--check-golden"]);
  assert.equal(g.code, 0, g.stderr);
  assert.match(g.stdout, /li2\/node-efficiency \[quick golden\]: REPRODUCED/);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("WebGPU (real backend, software adapter here) agrees with wasm within the golden tolerance", async () => {
  const steps = "12";
  const run = async (backend: string) => {
    const r = await deno(["scripts/webgpu_check.ts", "--backend", backend, "--steps", steps]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as WebGpuCheckOutput;
  };
  const gpu = await run("webgpu");
  const cpu = await run("wasm");
  assert.equal(gpu.backend, "webgpu");
  assert.equal(cpu.backend, "wasm");
  const tol = resolveTolerances(tokenComposition.tolerances).columns.value;
  assert.equal(gpu.z.length, cpu.z.length);
  gpu.z.forEach((z, i) => assert.ok(cellsClose(z, cpu.z[i], tol), `z[${i}]: ${z} vs ${cpu.z[i]}`));
  gpu.loss.forEach((l, i) =>
    assert.ok(cellsClose(l, cpu.loss[i], tol), `loss[${i}]: ${l} vs ${cpu.loss[i]}`)
  );
  assert.ok(gpu.loss[gpu.loss.length - 1] < gpu.loss[0] / 10, "training made progress on WebGPU");
});

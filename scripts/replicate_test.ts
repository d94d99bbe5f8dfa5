/**
 * End-to-end tests of `deno task replicate`: CLI errors, the quick profile of every
 * replication (claims accepted, goldens within tolerance, charts written), determinism,
 * goldens untouched without the flag, the report in real headless Chromium, and the WebGPU
 * backend against wasm on a small training run.
 */
import assert from "node:assert/strict";
import { discoverIds } from "../lib/harness/registry.ts";
import type { ReplicationResult } from "../lib/harness/runner.ts";
import type { WebGpuCheckOutput } from "./webgpu_check.ts";
import { parseToleranceSpec } from "../lib/harness/golden.ts";
import { cellsClose } from "../lib/harness/golden.ts";

const ROOT = new URL("../", import.meta.url).pathname;

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

Deno.test("cli: an unknown id is an error (exit 2) that lists the known ids", async () => {
  const r = await deno(["scripts/replicate.ts", "scan-snap/no-such-claim"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown replication "scan-snap\/no-such-claim"/);
  for (const id of discoverIds()) assert.ok(r.stderr.includes(id), id);
});

Deno.test("cli: bad options exit 2 with the reason; --list lists every replication", async () => {
  const bad = await deno(["scripts/replicate.ts", "all", "--backend", "cuda"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown backend "cuda"/);
  const list = await deno(["scripts/replicate.ts", "--list"]);
  assert.equal(list.code, 0);
  assert.deepEqual(list.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]), discoverIds());
  const shard = await deno(["scripts/replicate.ts", "all", "--list", "--shard", "1/2"]);
  const shard2 = await deno(["scripts/replicate.ts", "all", "--list", "--shard", "2/2"]);
  const ids = (s: string) => s.trim().split("\n").filter(Boolean).map((l) => l.split(/\s+/)[0]);
  assert.deepEqual([...ids(shard.stdout), ...ids(shard2.stdout)].sort(), discoverIds());
});

Deno.test("replicate all --profile quick: every claim accepted, every golden matches, report renders", async (t) => {
  const out = await Deno.makeTempDir({ prefix: "replicate-all-" });
  const before = await treeDigest(`${ROOT}golden`);
  const r = await deno(["scripts/replicate.ts", "all", "--out", out]);
  const ids = discoverIds();
  await t.step("exit 0 and a summary line for every replication", () => {
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^${ids.length} passed, 0 failed`, "m"));
    for (const id of ids) assert.ok(r.stdout.includes(id), id);
  });
  await t.step(
    "each replication wrote data.csv, a filled spec, an SVG and its verdict",
    async () => {
      for (const id of ids) {
        const dir = `${out}/${id}`;
        const v = JSON.parse(await Deno.readTextFile(`${dir}/verdict.json`)) as ReplicationResult;
        assert.equal(v.error, null, `${id}: ${v.error}`);
        assert.ok(v.claimOk, id);
        assert.equal(v.golden.status, "match", `${id}: ${v.golden.detail}`);
        assert.ok(v.provenance.deno && v.provenance.commit && v.provenance.backend.adapter, id);
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
});

Deno.test("same seed, same backend: identical CSV", async () => {
  const ids = ["scan-snap/bn-phase-transition", "scan-snap/token-composition"];
  const a = await Deno.makeTempDir(), b = await Deno.makeTempDir();
  for (const o of [a, b]) {
    const r = await deno(["scripts/replicate.ts", ...ids, "--out", o, "--backend", "wasm"]);
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
  const spec = parseToleranceSpec(
    await Deno.readTextFile(`${ROOT}golden/scan-snap/token-composition.tolerance.json`),
  );
  const tol = spec.columns.value;
  assert.equal(gpu.z.length, cpu.z.length);
  gpu.z.forEach((z, i) => assert.ok(cellsClose(z, cpu.z[i], tol), `z[${i}]: ${z} vs ${cpu.z[i]}`));
  gpu.loss.forEach((l, i) =>
    assert.ok(cellsClose(l, cpu.loss[i], tol), `loss[${i}]: ${l} vs ${cpu.loss[i]}`)
  );
  assert.ok(gpu.loss[gpu.loss.length - 1] < gpu.loss[0] / 10, "training made progress on WebGPU");
});

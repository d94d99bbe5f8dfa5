import assert from "node:assert/strict";
import { loadFailure, resultOk, runReplication } from "./runner.ts";
import type { Replication } from "./contract.ts";

const opts = (outDir: string, goldenDir: string) => ({
  profile: "quick" as const,
  seed: 0,
  backend: "cpu" as const,
  outDir,
  goldenDir,
  update: "none" as const,
  progress: "silent" as const,
});

Deno.test("runner: a replication that throws is recorded as an error, not a crash", async () => {
  const dir = await Deno.makeTempDir();
  const rep: Replication = {
    id: "t/throws",
    title: "throws",
    usesTf: false,
    claim: {
      statement: "s",
      source: "x",
      paperValue: "1",
      scale: { quick: "q", full: "f" },
      deviations: [],
      tolerances: "t",
    },
    run: () => Promise.reject(new Error("boom")),
    check: () => {
      throw new Error("unreachable");
    },
    chart: new URL("file:///nonexistent.json"),
  };
  const r = await runReplication(rep, opts(`${dir}/out`, `${dir}/golden`));
  assert.match(r.error ?? "", /boom/);
  assert.ok(!resultOk(r));
  const saved = JSON.parse(await Deno.readTextFile(`${dir}/out/t/throws/verdict.json`));
  assert.match(saved.error, /boom/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runner: a replication that fails to load is recorded and the run goes on", async () => {
  const dir = await Deno.makeTempDir();
  const r = await loadFailure("t/broken", new SyntaxError("bad export"), opts(dir, dir));
  assert.equal(r.error, "SyntaxError: bad export");
  assert.ok(!resultOk(r));
  assert.ok(JSON.parse(await Deno.readTextFile(`${dir}/t/broken/verdict.json`)).error);
  await Deno.remove(dir, { recursive: true });
});

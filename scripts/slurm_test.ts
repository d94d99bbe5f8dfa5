/**
 * The cluster path on a real single-node SLURM cluster (scripts/local_slurm.sh, as root with
 * Debian's slurm-wlm and munge): `deno task slurm` submits a 2-task array over cheap
 * replications and a dependent merge; the merged CSVs must equal an unsharded run's, byte
 * for byte. Skipped where there is no SLURM or no root, unless REQUIRE_SLURM=1 (CI).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const CHEAP = ["li2/node-efficiency", "scan-snap/bn-phase-transition", "cogo/ring-homomorphism"];

function available(): boolean {
  try {
    Deno.statSync("/usr/sbin/slurmctld");
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const o = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr) };
}

Deno.test({
  name: "slurm: a 2-task array job plus merge equals the unsharded run (real local cluster)",
  ignore: !available() && Deno.env.get("REQUIRE_SLURM") !== "1",
  fn: async () => {
    assert.ok(available(), "REQUIRE_SLURM=1 but slurm-wlm/munge or root is missing");
    const tmp = await Deno.makeTempDir({ prefix: "slurm-test-" });
    const up = await run("bash", ["scripts/local_slurm.sh", "start", `${tmp}/cluster`]);
    try {
      assert.equal(up.code, 0, up.stderr);
      const conf = up.stdout.match(/export SLURM_CONF=(\S+)/)?.[1];
      assert.ok(conf, up.stdout);
      const job = await run(Deno.execPath(), [
        "run",
        "-A",
        "scripts/slurm.ts",
        ...CHEAP,
        "--profile",
        "quick",
        "--shards",
        "2",
        "--cpus-per-task",
        "1",
        "--out",
        `${tmp}/results`,
        "--cache",
        `${tmp}/cache`,
        "--wait",
      ], { SLURM_CONF: conf });
      const logs = async () => {
        const parts: string[] = [];
        for (const f of ["shard-1.log", "shard-2.log", "merge.log"]) {
          parts.push(
            `--- ${f}\n` + await Deno.readTextFile(`${tmp}/results/slurm/${f}`).catch(() => ""),
          );
        }
        return parts.join("\n");
      };
      assert.equal(job.code, 0, job.stdout + job.stderr + (await logs()));
      assert.match(job.stdout, /submitted array job \d+/);
      for (const i of [1, 2]) {
        const m = JSON.parse(await Deno.readTextFile(`${tmp}/results/shard-${i}/shard.json`));
        assert.deepEqual(m.shard, { index: i, count: 2 }, "each array task ran its own shard");
      }
      const whole = await run(Deno.execPath(), [
        "run",
        "-A",
        "scripts/replicate.ts",
        ...CHEAP,
        "--out",
        `${tmp}/whole`,
        "--no-cache",
      ]);
      assert.equal(whole.code, 0, whole.stderr);
      for (const id of CHEAP) {
        assert.equal(
          await Deno.readTextFile(`${tmp}/results/merged/${id}/data.csv`),
          await Deno.readTextFile(`${tmp}/whole/${id}/data.csv`),
          id,
        );
      }
    } finally {
      await run("bash", ["scripts/local_slurm.sh", "stop", `${tmp}/cluster`]);
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});

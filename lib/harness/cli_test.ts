import assert from "node:assert/strict";
import { CliError, globToRegExp, parseCli, selectIds, slurmShard } from "./cli.ts";

const KNOWN = [
  "cogo/constructed-optimizers",
  "cogo/ring-homomorphism",
  "li2/energy-maxima",
  "scan-snap/bn-phase-transition",
  "scan-snap/lr-sparsity",
  "scan-snap/token-composition",
];

Deno.test("cli: defaults and every option parse", () => {
  const d = parseCli(["all"]);
  assert.deepEqual(
    [d.profile, d.backend, d.seed, d.update, d.shard, d.outDir, d.goldenDir, d.list, d.cacheDir],
    ["quick", "auto", 0, "none", null, "out", "golden", false, ".cache"],
  );
  assert.equal(d.jobs, navigator.hardwareConcurrency);
  assert.equal(parseCli(["all", "--no-cache"]).cacheDir, null);
  assert.equal(parseCli(["all", "--cache", "/tmp/c", "--jobs", "3"]).cacheDir, "/tmp/c");
  assert.equal(parseCli(["all", "--jobs", "3"]).jobs, 3);
  assert.ok(parseCli(["x", "--check-golden", "--profile", "full"]).checkGolden);
  const m = parseCli(["merge", "a", "b", "--out", "m"]);
  assert.deepEqual([m.command, m.patterns, m.outDir], ["merge", ["a", "b"], "m"]);
  const slurm = { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4" };
  assert.deepEqual(
    parseCli(["all", "--shard", "slurm"], (k) => slurm[k as keyof typeof slurm]).shard,
    { index: 3, count: 4 },
  );
  const o = parseCli([
    "scan-snap/*",
    "--profile",
    "full",
    "--backend=wasm",
    "--seed",
    "3",
    "--update-golden=all",
    "--shard",
    "2/3",
    "--out",
    "/tmp/o",
  ]);
  assert.deepEqual(o.patterns, ["scan-snap/*"]);
  assert.equal(o.profile, "full");
  assert.equal(o.backend, "wasm");
  assert.equal(o.seed, 3);
  assert.equal(o.update, "all");
  assert.deepEqual(o.shard, { index: 2, count: 3 });
  assert.equal(parseCli(["x", "--update-golden"]).update, "failing");
  assert.ok(parseCli(["--list"]).list);
});

Deno.test("cli: bad input is a CliError that says what is allowed", () => {
  const bad: [string[], RegExp][] = [
    [["all", "--profile", "huge"], /unknown profile "huge"; use one of: quick, full/],
    [["all", "--backend", "cuda"], /unknown backend "cuda"; use one of: auto, webgpu, wasm, cpu/],
    [["all", "--seed", "x"], /--seed must be an integer from 0 to 2147483647/],
    [["all", "--seed=-1"], /--seed must be an integer from 0/],
    [["all", "--seed", "99999999999999999999"], /--seed must be an integer from 0/],
    [["all", "--seed", "2147483648"], /--seed must be an integer from 0/],
    [["all", "--shard", "3/2"], /--shard must be i\/n with 1 ≤ i ≤ n/],
    [["all", "--shard", "slurm"], /--shard slurm needs SLURM_ARRAY_TASK_ID/],
    [["all", "--jobs", "0"], /--jobs must be an integer from 1/],
    [["all", "--out", ""], /--out is empty \(an unset variable\?\)/],
    [["all", "--cache", " "], /--cache is empty/],
    [["all", "--cache", "c", "--no-cache"], /contradict/],
    [["merge"], /merge needs the shard output folders/],
    [["merge", "a"], /merge needs --out DIR/],
    [["merge", "a", "--out", "m", "--shard", "1/2"], /merge takes no --shard/],
    [["all", "--shard", "0/2"], /--shard must be i\/n/],
    [["all", "--update-golden=some"], /--update-golden takes no value or =all/],
    [["all", "--frobnicate"], /Unknown option '--frobnicate'/],
    [[], /name what to run/],
  ];
  for (const [args, re] of bad) {
    assert.throws(
      () => parseCli(args, () => undefined),
      (e: unknown) => e instanceof CliError && re.test((e as Error).message),
    );
  }
});

Deno.test("selection: all, ids, globs, paper names; unknown ids list the known ones", () => {
  assert.deepEqual(selectIds(KNOWN, ["all"]), KNOWN);
  assert.deepEqual(selectIds(KNOWN, ["scan-snap/lr-sparsity"]), ["scan-snap/lr-sparsity"]);
  assert.deepEqual(selectIds(KNOWN, ["scan-snap"]), KNOWN.slice(3));
  assert.deepEqual(selectIds(KNOWN, ["*/r*"]), ["cogo/ring-homomorphism"]);
  assert.deepEqual(selectIds(KNOWN, ["**sparsity", "cogo/c*"]), [
    "cogo/constructed-optimizers",
    "scan-snap/lr-sparsity",
  ]);
  assert.throws(
    () => selectIds(KNOWN, ["scan-snap/nope"]),
    (e: unknown) =>
      e instanceof CliError && /unknown replication "scan-snap\/nope"/.test(e.message) &&
      KNOWN.every((k) => e.message.includes(k)),
  );
  assert.ok(globToRegExp("a/*").test("a/b") && !globToRegExp("a/*").test("a/b/c"));
});

Deno.test("slurm shards: the array task index counted from the array's first task", () => {
  const env = (o: Record<string, string>) => (k: string) => o[k];
  assert.deepEqual(
    slurmShard(
      env({ SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_COUNT: "2", SLURM_ARRAY_TASK_MIN: "4" }),
    ),
    { index: 2, count: 2 },
  );
  assert.throws(
    () => slurmShard(env({ SLURM_ARRAY_TASK_ID: "9", SLURM_ARRAY_TASK_COUNT: "2" })),
    /does not give a shard/,
  );
});

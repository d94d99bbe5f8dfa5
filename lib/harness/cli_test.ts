import assert from "node:assert/strict";
import { CliError, globToRegExp, parseCli, selectIds, shardIds } from "./cli.ts";

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
    [d.profile, d.backend, d.seed, d.update, d.shard, d.outDir, d.goldenDir, d.list],
    ["quick", "auto", 0, "none", null, "out", "golden", false],
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
    [["all", "--seed", "x"], /--seed must be an integer/],
    [["all", "--shard", "3/2"], /--shard must be i\/n with 1 ≤ i ≤ n/],
    [["all", "--shard", "0/2"], /--shard must be i\/n/],
    [["all", "--update-golden=some"], /--update-golden takes no value or =all/],
    [["all", "--frobnicate"], /Unknown option '--frobnicate'/],
    [[], /name what to run/],
  ];
  for (const [args, re] of bad) {
    assert.throws(
      () => parseCli(args),
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

Deno.test("shards: a deterministic partition with sizes within one of each other", () => {
  for (const n of [1, 2, 3, 4, 7]) {
    const parts = Array.from({ length: n }, (_, i) => shardIds(KNOWN, i + 1, n));
    assert.deepEqual(parts.flat().sort(), [...KNOWN].sort(), `n = ${n}: every id exactly once`);
    const sizes = parts.map((p) => p.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    assert.deepEqual(
      parts,
      Array.from({ length: n }, (_, i) => shardIds([...KNOWN].reverse(), i + 1, n).reverse()),
    );
  }
});

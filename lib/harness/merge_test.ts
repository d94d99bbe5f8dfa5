import assert from "node:assert/strict";
import { MergeError, readShards, type ShardManifest, writeManifest } from "./merge.ts";

function manifest(patch: Partial<ShardManifest> = {}): ShardManifest {
  return {
    format: "replicate-shard/1",
    shard: { index: 1, count: 2 },
    patterns: ["p"],
    ids: ["p/c"],
    profile: "quick",
    seed: 0,
    backend: "wasm",
    commit: "abc",
    sources: { "p/c": "h1" },
    cells: [],
    failed: {},
    date: "2026-12-01T00:00:00Z",
    ...patch,
  };
}

async function shards(a: Partial<ShardManifest>, b: Partial<ShardManifest>): Promise<string[]> {
  const root = await Deno.makeTempDir();
  await writeManifest(`${root}/s1`, manifest(a));
  await writeManifest(`${root}/s2`, manifest({ shard: { index: 2, count: 2 }, ...b }));
  return [`${root}/s1`, `${root}/s2`];
}

const refused = async (dirs: string[], re: RegExp) =>
  await assert.rejects(readShards(dirs), (e: unknown) => {
    assert.ok(e instanceof MergeError, String(e));
    assert.match((e as Error).message, re);
    return true;
  });

Deno.test("merge: shards run alike are accepted; any difference is refused, naming it", async () => {
  const ok = await readShards(await shards({}, {}));
  assert.equal(ok.manifests.length, 2);
  await refused(
    await shards({}, { profile: "full" }),
    /--profile is "quick" in .*s1 but "full" in .*s2/,
  );
  await refused(await shards({}, { seed: 4 }), /--seed is 0 .* but 4/);
  await refused(await shards({}, { backend: "webgpu" }), /the backend is "wasm"/);
  await refused(await shards({}, { ids: ["p/c", "p/d"] }), /the selection is/);
  await refused(await shards({}, { shard: { index: 2, count: 3 } }), /the shard count is 2/);
  await refused(await shards({}, { sources: { "p/c": "h2" } }), /the code \(source hashes\)/);
});

Deno.test("merge: a folder without a manifest, a foreign manifest or a repeated shard is refused", async () => {
  const empty = await Deno.makeTempDir();
  await refused([empty], /is not a shard output \(no shard\.json\): run it with --shard/);
  await Deno.writeTextFile(`${empty}/shard.json`, '{"format": "other"}');
  await refused([empty], /not a shard manifest of this version/);
  await Deno.writeTextFile(`${empty}/shard.json`, "{ half");
  await refused([empty], /shard\.json is not valid JSON/);
  const [s1] = await shards({}, {});
  await refused([s1, s1], /shard 1\/2 appears twice/);
});

import assert from "node:assert/strict";
import {
  canonicalJson,
  CELL_FORMAT,
  type CellEntry,
  cellKey,
  entryPath,
  isPlainJson,
  listEntries,
  readEntry,
  roundTripRows,
  writeEntry,
} from "./cache.ts";

const identity = {
  id: "p/c",
  params: { d: 23, wd: 1e-5 },
  profile: "quick" as const,
  seed: 0,
  source: "s",
  lock: "l",
};

function entry(key: string, backend: CellEntry["backend"] = "none"): CellEntry {
  return {
    format: CELL_FORMAT,
    key,
    id: "p/c",
    params: { d: 23 },
    profile: "quick",
    seed: 0,
    backend,
    adapter: "",
    rows: [{ a: NaN, b: -0, c: Infinity, d: "x", e: 0.1 + 0.2 }],
    seconds: 1.5,
    computedAt: "2026-12-01T00:00:00.000Z",
    origin: { commit: "c", cpu: "cpu", deno: "2", tfjs: null },
  };
}

Deno.test("cache keys: canonical (key order does not matter), and every input changes them", async () => {
  const k = await cellKey(identity);
  assert.equal(k, await cellKey({ ...identity, params: { wd: 1e-5, d: 23 } }));
  assert.equal(
    canonicalJson({ b: [1, { y: 2, x: 1 }], a: null }),
    '{"a":null,"b":[1,{"x":1,"y":2}]}',
  );
  const variants = [
    { ...identity, id: "p/d" },
    { ...identity, params: { d: 23, wd: 1e-4 } },
    { ...identity, profile: "full" as const },
    { ...identity, seed: 1 },
    { ...identity, source: "s2" },
    { ...identity, lock: "l2" },
  ];
  const keys = new Set([k, ...(await Promise.all(variants.map(cellKey)))]);
  assert.equal(keys.size, variants.length + 1);
});

Deno.test("cache rows: NaN, ±Infinity and −0 survive; params must be plain JSON", () => {
  const [r] = roundTripRows([{ a: NaN, b: -0, c: -Infinity, d: 5e-324 }]);
  assert.ok(Number.isNaN(r.a) && Object.is(r.b, -0) && r.c === -Infinity && r.d === 5e-324);
  assert.throws(() => roundTripRows([{ a: undefined as unknown as number }]), /row 0 column "a"/);
  assert.throws(
    () => roundTripRows([{ a: { x: 1 } as unknown as number }]),
    /not a number or string/,
  );
  assert.ok(isPlainJson({ a: [1, "x", null, true, { b: 2 }] }));
  for (const bad of [{ a: NaN }, { a: undefined }, { a: new Float64Array(2) }, { a: () => 1 }]) {
    assert.ok(!isPlainJson(bad), JSON.stringify(bad));
  }
});

Deno.test("cache entries: written atomically, read back; tf-free entries serve every backend", async () => {
  const root = await Deno.makeTempDir();
  const key = "0".repeat(32);
  await writeEntry(root, entry(key));
  const hit = await readEntry(root, "p/c", key, "wasm");
  assert.equal(hit.status, "hit");
  if (hit.status === "hit") assert.ok(Number.isNaN(hit.entry.rows[0].a));
  await writeEntry(root, entry("1".repeat(32), "wasm"));
  assert.equal((await readEntry(root, "p/c", "1".repeat(32), "wasm")).status, "hit");
  assert.equal((await readEntry(root, "p/c", "1".repeat(32), "webgpu")).status, "miss");
  assert.deepEqual((await listEntries(root)).length, 2);
  assert.deepEqual([...Deno.readDirSync(`${root}/p/c`)].filter((e) => e.name.includes("tmp")), []);
  await Deno.remove(root, { recursive: true });
});

Deno.test("cache entries: truncated, foreign-version or misplaced entries are named, not trusted", async () => {
  const root = await Deno.makeTempDir();
  const key = "a".repeat(32);
  const path = entryPath(root, "p/c", key, "none");
  await writeEntry(root, entry(key));
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, text.slice(0, text.length / 2));
  const t = await readEntry(root, "p/c", key, "none");
  assert.equal(t.status, "bad");
  if (t.status === "bad") assert.match(t.reason, /not valid JSON/);
  await Deno.writeTextFile(path, JSON.stringify({ ...entry(key), format: "replicate-cell/0" }));
  const v = await readEntry(root, "p/c", key, "none");
  assert.equal(v.status, "bad");
  if (v.status === "bad") assert.match(v.reason, /written by another version/);
  await Deno.writeTextFile(path, JSON.stringify(entry("b".repeat(32))));
  const m = await readEntry(root, "p/c", key, "none");
  assert.equal(m.status, "bad");
  if (m.status === "bad") assert.match(m.reason, /holds p\/c cell b+, not a+/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("cache entries: two processes filling the same entry at once leave one whole entry", async () => {
  const root = await Deno.makeTempDir();
  const key = "c".repeat(32);
  const script = `import { writeEntry, CELL_FORMAT } from ${
    JSON.stringify(new URL("./cache.ts", import.meta.url).href)
  };
const e = ${
    JSON.stringify({
      ...entry(key),
      rows: Array.from({ length: 2000 }, (_, i) => ({ i, v: i / 7 })),
    })
  };
for (let k = 0; k < 30; k++) await writeEntry(${
    JSON.stringify(root)
  }, { ...e, format: CELL_FORMAT, seconds: k });`;
  const file = `${root}/writer.ts`;
  await Deno.writeTextFile(file, script);
  const run = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", file],
      stdout: "null",
      stderr: "piped",
    }).output();
  const [a, b] = await Promise.all([run(), run()]);
  assert.ok(
    a.success && b.success,
    new TextDecoder().decode(a.stderr) + new TextDecoder().decode(b.stderr),
  );
  const r = await readEntry(root, "p/c", key, "none");
  assert.equal(r.status, "hit");
  if (r.status === "hit") assert.equal(r.entry.rows.length, 2000);
  assert.deepEqual([...Deno.readDirSync(`${root}/p/c`)].map((e) => e.name), [`${key}.none.json`]);
  await Deno.remove(root, { recursive: true });
});

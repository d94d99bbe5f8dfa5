import assert from "node:assert/strict";
import { formatCsv, parseCsv } from "./csv.ts";
import {
  cellsClose,
  type CompareOptions,
  compareWithGolden,
  diffTables,
  formatDiff,
  resolveTolerances,
  toleranceProblems,
} from "./golden.ts";
import type { Row } from "./contract.ts";

const spec = resolveTolerances({
  keys: ["k"],
  default: { rtol: 1e-6, why: "t" },
  columns: { x: { atol: 0.01, why: "seed spread" } },
});
const table = (rows: Row[]) => parseCsv(formatCsv(rows));
const golden = table([{ k: "a", x: 1, y: 10 }, { k: "b", x: 2, y: NaN }]);

Deno.test("tolerances: declared rules resolve with atol/rtol defaulting to 0", () => {
  assert.deepEqual(spec.keys, ["k"]);
  assert.deepEqual(spec.columns.x, { atol: 0.01, rtol: 0 });
  assert.deepEqual(spec.default, { atol: 0, rtol: 1e-6 });
  assert.deepEqual(resolveTolerances({ keys: ["a"] }).default, { atol: 0, rtol: 0 });
});

Deno.test("tolerances: a key or tolerance naming a column the output lacks is a spec problem", () => {
  assert.deepEqual(toleranceProblems(spec, ["k", "x", "y"]), []);
  assert.deepEqual(toleranceProblems(spec, ["j", "y"]), [
    'tolerances.keys names "k", which the output does not have',
    'tolerances.columns names "x", which the output does not have',
  ]);
});

Deno.test("cellsClose: atol + rtol·|expected|, NaN equals NaN, strings exact", () => {
  assert.ok(cellsClose(1.009, 1, { atol: 0.01, rtol: 0 }));
  assert.ok(!cellsClose(1.011, 1, { atol: 0.01, rtol: 0 }));
  assert.ok(cellsClose(101, 100, { atol: 0, rtol: 0.01 }));
  assert.ok(cellsClose(NaN, NaN, { atol: 0, rtol: 0 }));
  assert.ok(!cellsClose(NaN, 1, { atol: 1, rtol: 1 }));
  assert.ok(!cellsClose(1, NaN, { atol: 1, rtol: 1 }));
  assert.ok(cellsClose(Infinity, Infinity, { atol: 0, rtol: 0 }));
  assert.ok(!cellsClose(Infinity, 1e308, { atol: 0, rtol: 1 }));
  assert.ok(cellsClose("a", "a", { atol: 0, rtol: 0 }));
  assert.ok(!cellsClose("1", 1, { atol: 1, rtol: 0 }));
});

Deno.test("diff: rows match by key regardless of order, within tolerance", () => {
  const obtained = table([{ k: "b", x: 2.005, y: NaN }, { k: "a", x: 1, y: 10.000001 }]);
  const d = diffTables(obtained, golden, spec);
  assert.ok(d.ok, formatDiff(d));
  assert.equal(d.matchedRows, 2);
});

Deno.test("diff: a value out of tolerance is reported with obtained, expected and error", () => {
  const d = diffTables(table([{ k: "a", x: 1.5, y: 10 }, { k: "b", x: 2, y: 3 }]), golden, spec);
  assert.ok(!d.ok);
  assert.equal(d.mismatches.length, 2);
  const text = formatDiff(d);
  assert.match(text, /x: 1\/2 values \(50\.0%\), max abs error 0\.50000000/);
  assert.match(text, /y: 1\/2 values/);
  assert.match(text, /k=a\s+x\s+1\.5000000\s+1\.0000000\s+0\.50000000\s+0\.010000000/);
  assert.match(text, /k=b\s+y\s+3\.0000000\s+NaN/);
});

Deno.test("diff: missing and extra columns and rows, duplicate keys all fail", () => {
  const cases: [Row[], RegExp][] = [
    [[{ k: "a", x: 1 }, { k: "b", x: 2 }], /column "y" is in the golden, missing from the output/],
    [
      [{ k: "a", x: 1, y: 10, z: 0 }, { k: "b", x: 2, y: NaN, z: 0 }],
      /column "z" is in the output, not in the golden/,
    ],
    [[{ k: "a", x: 1, y: 10 }], /1 golden row\(s\) missing from the output: \(k=b\)/],
    [
      [{ k: "a", x: 1, y: 10 }, { k: "b", x: 2, y: NaN }, { k: "c", x: 3, y: 1 }],
      /1 extra row\(s\) in the output: \(k=c\)/,
    ],
    [
      [{ k: "a", x: 1, y: 10 }, { k: "a", x: 1, y: 10 }, { k: "b", x: 2, y: NaN }],
      /the output has two rows with key \(k=a\)/,
    ],
    [[{ j: "a", x: 1, y: 10 }], /key column "k" is not in the output/],
  ];
  for (const [rows, re] of cases) {
    const d = diffTables(table(rows), golden, spec);
    assert.ok(!d.ok);
    assert.match(formatDiff(d), re);
  }
});

async function withGolden(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/golden/p`, { recursive: true });
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const opts = (
  dir: string,
  csv: string,
  update: CompareOptions["update"] = "none",
  refuseUpdate: string | null = null,
): CompareOptions => ({
  goldenDir: `${dir}/golden`,
  id: "p/c",
  profile: "quick",
  seed: 0,
  tolerances: { keys: ["k"] },
  obtainedCsv: csv,
  obtainedPath: `${dir}/out/p/c.obtained.csv`,
  update,
  refuseUpdate,
  provenance: {
    commit: "abc",
    backend: "none",
    adapter: "x",
    cpu: "cpu",
    deno: "2",
    tfjs: null,
    wallSeconds: 1,
    cellSeconds: 1,
    cells: 1,
  },
});

Deno.test("golden flow: missing golden fails with the command that creates it", async () => {
  await withGolden(async (dir) => {
    const r = await compareWithGolden(opts(dir, "k,x\na,1\n"));
    assert.equal(r.status, "missing");
    assert.ok(!r.ok);
    assert.match(r.detail, /deno task replicate p\/c --profile quick --update-golden/);
    await assert.rejects(Deno.stat(`${dir}/golden/p/c.quick.csv`));
  });
});

Deno.test("golden flow: drift fails, writes the obtained CSV, never the golden; a later match removes it", async () => {
  await withGolden(async (dir) => {
    await Deno.writeTextFile(`${dir}/golden/p/c.quick.csv`, "k,x\na,1\n");
    const r = await compareWithGolden(opts(dir, "k,x\na,2\n"));
    assert.equal(r.status, "drift");
    assert.ok(!r.ok);
    assert.equal(await Deno.readTextFile(`${dir}/golden/p/c.quick.csv`), "k,x\na,1\n");
    assert.equal(await Deno.readTextFile(`${dir}/out/p/c.obtained.csv`), "k,x\na,2\n");
    assert.match(r.detail, /k=a\s+x\s+2\.0000000\s+1\.0000000/);
    const m = await compareWithGolden(opts(dir, "k,x\na,1\n"));
    assert.equal(m.status, "match");
    await assert.rejects(Deno.stat(`${dir}/out/p/c.obtained.csv`), "stale obtained.csv removed");
  });
});

Deno.test("golden flow: --update-golden rewrites failing/missing only, =all all, with provenance", async () => {
  await withGolden(async (dir) => {
    const g = `${dir}/golden/p/c.quick.csv`;
    const created = await compareWithGolden(opts(dir, "k,x\na,1\n", "failing"));
    assert.equal(created.status, "created");
    const prov = JSON.parse(await Deno.readTextFile(`${dir}/golden/p/c.quick.json`));
    assert.equal(prov.commit, "abc");
    assert.equal(prov.seed, 0);
    const same = await compareWithGolden(opts(dir, "k,x\na,1\n", "failing"));
    assert.equal(same.status, "match");
    const before = (await Deno.stat(g)).mtime;
    await new Promise((r) => setTimeout(r, 20));
    await compareWithGolden(opts(dir, "k,x\na,1\n", "failing"));
    assert.deepEqual((await Deno.stat(g)).mtime, before, "a matching golden is not rewritten");
    const upd = await compareWithGolden(opts(dir, "k,x\na,3\n", "failing"));
    assert.equal(upd.status, "updated");
    assert.equal(await Deno.readTextFile(g), "k,x\na,3\n");
    const all = await compareWithGolden(opts(dir, "k,x\na,3\n", "all"));
    assert.equal(all.status, "updated");
    const leftovers = [...Deno.readDirSync(`${dir}/golden/p`)].map((e) => e.name).sort();
    assert.deepEqual(leftovers, ["c.quick.csv", "c.quick.json"], "no temp files remain");
  });
});

Deno.test("golden flow: a run whose check was not accepted never writes a golden", async () => {
  await withGolden(async (dir) => {
    const why = "the claim check returned PARTIAL, which is not accepted";
    const r = await compareWithGolden(opts(dir, "k,x\na,NaN\n", "all", why));
    assert.equal(r.status, "error");
    assert.ok(!r.ok);
    assert.match(r.detail, /not written because the claim check returned PARTIAL/);
    await assert.rejects(Deno.stat(`${dir}/golden/p/c.quick.csv`));
    await Deno.writeTextFile(`${dir}/golden/p/c.quick.csv`, "k,x\na,1\n");
    const d = await compareWithGolden(opts(dir, "k,x\na,NaN\n", "failing", why));
    assert.equal(d.status, "error");
    assert.equal(await Deno.readTextFile(`${dir}/golden/p/c.quick.csv`), "k,x\na,1\n");
  });
});

Deno.test("golden flow: another seed is skipped (golden seed from its provenance)", async () => {
  await withGolden(async (dir) => {
    const r = await compareWithGolden({ ...opts(dir, "k,x\na,1\n"), seed: 7 });
    assert.equal(r.status, "skipped");
    assert.ok(r.ok);
    await Deno.writeTextFile(
      `${dir}/golden/p/c.quick.json`,
      JSON.stringify({ format: "replicate-golden/1", seed: 7 }),
    );
    await Deno.writeTextFile(`${dir}/golden/p/c.quick.csv`, "k,x\na,1\n");
    const s = await compareWithGolden({ ...opts(dir, "k,x\na,1\n"), seed: 7 });
    assert.equal(s.status, "match");
  });
});

Deno.test("golden flow: an unreadable golden is an error naming it, repaired by --update-golden", async () => {
  for (const bad of ["k,x\na,1,2\n", "", "k,x\na"]) {
    await withGolden(async (dir) => {
      const g = `${dir}/golden/p/c.quick.csv`;
      await Deno.writeTextFile(g, bad);
      const r = await compareWithGolden(opts(dir, "k,x\na,1\n"));
      if (bad === "k,x\na") {
        // a truncated last line that still parses is drift, not an error
        assert.notEqual(r.status, "match");
        return;
      }
      assert.equal(r.status, "error");
      assert.match(r.detail, /c\.quick\.csv/);
      assert.match(r.detail, /--update-golden/);
      const fixed = await compareWithGolden(opts(dir, "k,x\na,1\n", "failing"));
      assert.equal(fixed.status, "updated");
      assert.equal(await Deno.readTextFile(g), "k,x\na,1\n");
    });
  }
});

Deno.test("golden flow: tolerances that do not fit the output are an error that no update fixes", async () => {
  await withGolden(async (dir) => {
    const o = { ...opts(dir, "j,x\na,1\n", "all"), tolerances: { keys: ["k"] } };
    const r = await compareWithGolden(o);
    assert.equal(r.status, "error");
    assert.match(r.detail, /tolerances\.keys names "k"/);
    assert.match(r.detail, /--update-golden cannot/);
    await assert.rejects(Deno.stat(`${dir}/golden/p/c.quick.csv`));
  });
});

import assert from "node:assert/strict";
import { FolderError, OUT_MARKER, prepareOutputDir, sweepTemp, writeFileAtomic } from "./fs.ts";

const refuses = async (dir: string, root: string, re: RegExp) => {
  await assert.rejects(prepareOutputDir("--out", dir, root), (e: unknown) => {
    assert.ok(e instanceof FolderError, String(e));
    assert.match((e as Error).message, re);
    return true;
  });
};

Deno.test("output folders: empty text, files, source folders, the project and foreign folders are refused", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/replications/p/c`, { recursive: true });
  await Deno.writeTextFile(`${root}/replications/p/c/chart.vl.json`, "{}");
  await Deno.writeTextFile(`${root}/afile`, "x");
  await Deno.mkdir(`${root}/theirs`);
  await Deno.writeTextFile(`${root}/theirs/notes.txt`, "mine");
  await refuses("", root, /--out is empty/);
  await refuses(`${root}/afile`, root, /is a file, not a folder/);
  await refuses(`${root}/replications`, root, /inside the project's replications\/ folder/);
  await refuses(`${root}/golden/x`, root, /inside the project's golden\/ folder/);
  await refuses(root, root, /the project folder or above it/);
  await refuses(`${root}/..`, root, /the project folder or above it/);
  await refuses(`${root}/theirs`, root, /holds files that replicate did not write/);
  assert.equal(await Deno.readTextFile(`${root}/replications/p/c/chart.vl.json`), "{}");
  await Deno.remove(root, { recursive: true });
});

Deno.test("output folders: a new or earlier output folder is accepted and marked", async () => {
  const root = await Deno.makeTempDir();
  const out = await prepareOutputDir("--out", `${root}/out`, root);
  await Deno.stat(`${out}/${OUT_MARKER}`);
  await Deno.writeTextFile(`${out}/index.html`, "x");
  await prepareOutputDir("--out", `${root}/out`, root);
  await Deno.mkdir(`${root}/empty`);
  await prepareOutputDir("--out", `${root}/empty`, root);
  await Deno.remove(root, { recursive: true });
});

Deno.test("output folders: an unwritable folder is refused before anything runs", async () => {
  if (Deno.uid() === 0) return; // root can write anywhere; the chmod test means nothing then
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/ro`);
  await Deno.chmod(`${root}/ro`, 0o555);
  await refuses(`${root}/ro/out`, root, /cannot write to --out/);
  await Deno.chmod(`${root}/ro`, 0o755);
  await Deno.remove(root, { recursive: true });
});

Deno.test("temp files of killed writers are swept; live ones and others stay", async () => {
  const dir = await Deno.makeTempDir();
  await writeFileAtomic(`${dir}/a/x.csv`, "x");
  await Deno.writeTextFile(`${dir}/a/x.csv.tmp-999999-deadbeef`, "half");
  await Deno.writeTextFile(`${dir}/a/y.csv.tmp-${Deno.pid}-0badcafe`, "mine");
  await Deno.writeTextFile(`${dir}/a/z.tmp-notes.txt`, "keep");
  assert.equal(await sweepTemp(dir), 1);
  const left = [...Deno.readDirSync(`${dir}/a`)].map((e) => e.name).sort();
  assert.deepEqual(left, ["x.csv", `y.csv.tmp-${Deno.pid}-0badcafe`, "z.tmp-notes.txt"]);
  await Deno.remove(dir, { recursive: true });
});

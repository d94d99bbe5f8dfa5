/**
 * Documentation that runs. The README's "Adding a replication" example is real code: extracted, placed three folders below
 * the repository root (where its `../../../mod.ts` import resolves), type-checked, and run
 * through its own grid, cells and check. Its check must accept the honest rows and reject a
 * biased mean and NaN. And no `@example` asserts with `console.assert`, which prints but never
 * fails a test (two examples were silently false before this test).
 */
import assert from "node:assert/strict";
import type { ReplicationSpec, Row } from "../mod.ts";

const ROOT = new URL("../", import.meta.url).pathname;

function readmeExample(): string {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  const m = readme.match(/```ts ignore\n([\s\S]*?)\n\s*```/);
  assert.ok(m, "README.md has no ```ts ignore block (the Adding a replication example)");
  // the block is indented inside a list item: drop the common indentation
  const lines = m[1].split("\n");
  const indent = Math.min(
    ...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length),
  );
  return lines.map((l) => l.slice(indent)).join("\n") + "\n";
}

Deno.test("README example: type-checks, runs, and its check can fail", async () => {
  const dir = `${ROOT}.cache/readme-example/uniform-mean`;
  Deno.mkdirSync(dir, { recursive: true });
  const file = `${dir}/replication.ts`;
  Deno.writeTextFileSync(file, readmeExample());

  const checked = await new Deno.Command(Deno.execPath(), {
    args: ["check", file],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(checked.code, 0, new TextDecoder().decode(checked.stderr));

  const mod = await import(`file://${file}`);
  const spec = mod.default as ReplicationSpec;
  const grid = spec.grid({ profile: "quick", seed: 0 });
  assert.equal(grid.length, 3, `quick grid has ${grid.length} cells, README says 3 seeds`);
  const ctx = {
    profile: "quick" as const,
    seed: 0,
    tf: () => Promise.reject(new Error("the example needs no tfjs")),
    progress: () => {},
    log: () => {},
  };
  const rows: Row[] = [];
  for (const p of grid) rows.push(...(await spec.cell(p, ctx)));
  assert.equal(spec.check(rows, "quick").verdict, "REPRODUCED", JSON.stringify(rows));

  const biased = rows.map((r) => ({ ...r, mean: 0.55 }));
  assert.notEqual(spec.check(biased, "quick").verdict, "REPRODUCED");
  const nan = rows.map((r, i) => (i === 0 ? { ...r, mean: NaN } : r));
  assert.notEqual(spec.check(nan, "quick").verdict, "REPRODUCED");
});

Deno.test("doc examples assert with node:assert, never console.assert", () => {
  const offenders: string[] = [];
  const scan = (p: string) =>
    Deno.readTextFileSync(`${ROOT}${p}`).split("\n").forEach((l, i) => {
      if (/^\s*\*.*console\.assert\(/.test(l)) offenders.push(`${p}:${i + 1}`);
    });
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(`${ROOT}${dir}`)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (p.endsWith(".ts")) scan(p);
    }
  };
  for (const d of ["lib", "scripts", "replications", "bench"]) walk(d);
  scan("mod.ts");
  assert.deepEqual(offenders, [], `console.assert in a doc comment: ${offenders.join(", ")}`);
});

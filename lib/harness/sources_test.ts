import assert from "node:assert/strict";
import { localSpecifiers, lockHash, moduleClosure, sourceHash } from "./sources.ts";

Deno.test("sources: static, dynamic, re-export and worker specifiers; bare ones are not local", () => {
  const text = [
    `import { a } from "./a.ts";`,
    `export * from "../b.ts";`,
    `import "./side.ts";`,
    `const m = await import("./lazy.ts");`,
    `new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });`,
    `import * as tf from "@tensorflow/tfjs";`,
    `import x from "npm:ml-matrix";`,
  ].join("\n");
  assert.deepEqual(localSpecifiers(text), [
    "./a.ts",
    "../b.ts",
    "./side.ts",
    "./lazy.ts",
    "./worker.ts",
  ]);
});

Deno.test("sources: a changed line changes the hash of exactly the modules that import it", async () => {
  const root = await Deno.makeTempDir();
  const w = (f: string, t: string) => Deno.writeTextFile(`${root}/${f}`, t);
  await Deno.mkdir(`${root}/lib`);
  await w("lib/shared.ts", "export const x = 1;\n");
  await w("lib/other.ts", "export const y = 2;\n");
  await w("lib/mid.ts", `export { x } from "./shared.ts";\n`);
  await w("a.ts", `import { x } from "./lib/mid.ts";\nconsole.log(x);\n`);
  await w("b.ts", `import { y } from "./lib/other.ts";\nconsole.log(y);\n`);
  const files = (await moduleClosure(`${root}/a.ts`)).map((f) => f.slice(root.length + 1));
  assert.deepEqual(files, ["a.ts", "lib/mid.ts", "lib/shared.ts"]);
  const before = [await sourceHash(`${root}/a.ts`, root), await sourceHash(`${root}/b.ts`, root)];
  // a fresh module map: the memo is per process, so re-check in a child process
  const script = `import { sourceHash } from ${
    JSON.stringify(new URL("./sources.ts", import.meta.url).href)
  };
console.log(JSON.stringify([await sourceHash(${JSON.stringify(`${root}/a.ts`)}, ${
    JSON.stringify(root)
  }), await sourceHash(${JSON.stringify(`${root}/b.ts`)}, ${JSON.stringify(root)})]));`;
  await w("probe.ts", script);
  const hashes = async () => {
    const o = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}/probe.ts`],
      stdout: "piped",
    }).output();
    return JSON.parse(new TextDecoder().decode(o.stdout)) as string[];
  };
  assert.deepEqual(await hashes(), before, "same text, same hash in every process");
  await w("lib/shared.ts", "export const x = 3;\n");
  const after = await hashes();
  assert.notEqual(after[0], before[0], "a.ts imports shared.ts (through mid.ts)");
  assert.equal(after[1], before[1], "b.ts does not");
  await Deno.remove(root, { recursive: true });
});

Deno.test("sources: the lock hash follows deno.json imports and deno.lock", async () => {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${root}/deno.json`,
    JSON.stringify({ imports: { a: "npm:a@1" }, tasks: {} }),
  );
  const h1 = await lockHash(root);
  await Deno.writeTextFile(
    `${root}/deno.json`,
    JSON.stringify({ imports: { a: "npm:a@1" }, tasks: { x: "y" } }),
  );
  assert.equal(await lockHash(root), h1, "tasks do not matter");
  await Deno.writeTextFile(`${root}/deno.lock`, "{}");
  assert.notEqual(await lockHash(root), h1);
  await Deno.remove(root, { recursive: true });
});

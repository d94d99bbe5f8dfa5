import assert from "node:assert/strict";
import { fileHandler } from "./view.ts";

Deno.test("view: serves files under the folder with types, 404 otherwise, no escape", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/index.html`, "<p>hi</p>");
  const h = fileHandler(dir);
  const ok = await h(new Request("http://127.0.0.1/"));
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(await ok.text(), "<p>hi</p>");
  assert.equal((await h(new Request("http://127.0.0.1/nope.csv"))).status, 404);
  const esc = await h(new Request("http://127.0.0.1/../../etc/passwd"));
  assert.notEqual(esc.status, 200);
  await Deno.remove(dir, { recursive: true });
});

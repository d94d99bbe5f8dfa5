import assert from "node:assert/strict";
import { fileHandler } from "./view.ts";

const get = (h: (r: Request) => Promise<Response>, path: string, host = "127.0.0.1:8123") =>
  h(new Request(`http://127.0.0.1:8123${path}`, { headers: { host } }));

Deno.test("view: serves files under the folder with types, 404 otherwise, no escape", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/index.html`, "<p>hi</p>");
  const h = fileHandler(dir, 8123);
  const ok = await get(h, "/");
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(await ok.text(), "<p>hi</p>");
  assert.equal((await get(h, "/nope.csv")).status, 404);
  assert.notEqual((await get(h, "/../../etc/passwd")).status, 200);
  assert.notEqual((await get(h, "/%2e%2e/%2e%2e/etc/passwd")).status, 200);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("view: a symlink out of the folder is refused; a malformed escape is 400, not 500", async () => {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
  await Deno.writeTextFile(`${dir}/index.html`, "x");
  await Deno.symlink(`${outside}/secret.txt`, `${dir}/leak.txt`);
  await Deno.symlink(outside, `${dir}/leakdir`);
  const h = fileHandler(dir, 8123);
  for (const p of ["/leak.txt", "/leakdir/secret.txt"]) {
    const r = await get(h, p);
    assert.equal(r.status, 403, p);
    assert.ok(!(await r.text()).includes("secret"));
  }
  assert.equal((await get(h, "/%E0%A4%A")).status, 400);
  assert.notEqual((await get(h, "/leakdir/")).status, 200);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(outside, { recursive: true });
});

Deno.test("view: only loopback Host headers on the served port are answered (no DNS rebinding)", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/index.html`, "x");
  const h = fileHandler(dir, 8123);
  assert.equal((await get(h, "/", "localhost:8123")).status, 200);
  assert.equal((await get(h, "/", "[::1]:8123")).status, 200);
  for (const host of ["evil.example:8123", "127.0.0.1:9999", "", "127.0.0.1.evil.example:8123"]) {
    assert.equal((await get(h, "/", host)).status, 403, host);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("view: ordinary mistakes are one line and exit 2, not a stack trace", async () => {
  const root = new URL("../", import.meta.url).pathname;
  const empty = await Deno.makeTempDir();
  for (
    const [args, re] of [
      [["--out", `${empty}/none`], /^error: no report at .*; make one first/],
      [["--out", empty], /^error: no report at/],
      [["--port", "http"], /^error: --port must be an integer/],
      [["--port", "70000"], /^error: --port must be an integer/],
      [["--frobnicate"], /^error: Unknown option '--frobnicate'/],
    ] as [string[], RegExp][]
  ) {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "scripts/view.ts", ...args],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 2, args.join(" ") + err);
    assert.match(err, re);
    assert.ok(!err.includes("    at "), err);
  }
  await Deno.remove(empty, { recursive: true });
});

Deno.test("view: a busy port is one line and exit 2", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/index.html`, "x");
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (busy.addr as Deno.NetAddr).port;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/view.ts", "--out", dir, "--port", String(port)],
    cwd: new URL("../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  busy.close();
  assert.equal(r.code, 2);
  assert.match(new TextDecoder().decode(r.stderr), /^error: port \d+ is in use/);
  await Deno.remove(dir, { recursive: true });
});

import assert from "node:assert/strict";
import { backendOrder, isSoftwareDescription, loadTf, probeGpu } from "./tf.ts";

const hw = { available: true, description: "NVIDIA H100", software: false };
const sw = { available: true, description: "llvmpipe (LLVM 15.0.6, 256 bits)", software: true };
const none = { available: false, description: "navigator.gpu is absent", software: false };

Deno.test("backend choice: auto takes WebGPU only on a hardware adapter", () => {
  assert.deepEqual(backendOrder("auto", hw), ["webgpu", "wasm", "cpu"]);
  assert.deepEqual(backendOrder("auto", sw), ["wasm", "cpu"]);
  assert.deepEqual(backendOrder("auto", none), ["wasm", "cpu"]);
  assert.deepEqual(backendOrder("webgpu", sw), ["webgpu"]);
  assert.deepEqual(backendOrder("cpu", hw), ["cpu"]);
});

Deno.test("backend choice: software adapters are recognised by description", () => {
  for (
    const d of [
      "llvmpipe (LLVM 15.0.6, 256 bits)",
      "lavapipe",
      "SwiftShader Device",
      "Microsoft Basic Render Driver (WARP)",
    ]
  ) {
    assert.ok(isSoftwareDescription(d), d);
  }
  for (const d of ["NVIDIA H100 80GB HBM3", "AMD Radeon Pro", "Apple M2"]) {
    assert.ok(!isSoftwareDescription(d), d);
  }
});

Deno.test("backend choice: on this machine auto picks a working backend and records the adapter", async () => {
  const probe = await probeGpu();
  const { tf, info } = await loadTf("auto");
  assert.equal(info.backend, tf.getBackend());
  assert.equal(info.adapter, probe.description);
  if (probe.software || !probe.available) assert.notEqual(info.backend, "webgpu");
  const x = await tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).data();
  assert.equal(x[0], 11);
  await assert.rejects(
    loadTf("cpu").then(() => {
      if (info.requested !== "cpu") throw new Error("cannot switch");
    }),
    /cannot switch/,
  );
});

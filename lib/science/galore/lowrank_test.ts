import assert from "node:assert/strict";
import { loadTf } from "../../tf.ts";
import { Rng } from "../math/rng.ts";
import { FactoredMatrix } from "./lowrank.ts";
import { svd } from "./svd.ts";

const { tf } = await loadTf("wasm");

Deno.test("FactoredMatrix: chain-rule factor gradients equal autograd through W = W₀ + s·BA", async () => {
  const rng = new Rng(1);
  const m = 6, n = 9, r = 3;
  const init = rng.fill(m * n, (x) => x.normal());
  const C = tf.tensor2d(Float32Array.from(rng.fill(m * n, (x) => x.normal())), [m, n]);
  for (const kind of ["lora", "lowrank"] as const) {
    const fm = new FactoredMatrix(tf, "w", kind, init, m, n, r, rng);
    // make B nonzero for LoRA so both gradients are informative
    fm.B.assign(tf.tensor2d(Float32Array.from(rng.fill(m * r, (x) => x.normal())), [m, r]));
    const loss = (B: ReturnType<typeof tf.tensor>, A: ReturnType<typeof tf.tensor>) => {
      const ba = tf.mul(tf.matMul(B, A), fm.scale);
      const w = fm.W0 ? tf.add(fm.W0, ba) : ba;
      return tf.sum(tf.mul(C, w));
    };
    const [gB, gA] = tf.grads(loss)([fm.B, fm.A]);
    const ours = fm.factorGrads(C); // ∂(ΣC⊙W)/∂W = C
    const d = (
      a: Float32Array | Int32Array | Uint8Array,
      b: Float32Array | Int32Array | Uint8Array,
    ) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));
    assert.ok(d(await gB.data(), await ours.B.data()) < 1e-4, `${kind}: ∂B`);
    assert.ok(d(await gA.data(), await ours.A.data()) < 1e-4, `${kind}: ∂A`);
    assert.equal(fm.heldFloats(), (m + n) * r + (kind === "lora" ? m * n : 0));
    tf.dispose([gB, gA, ours.B, ours.A]);
    fm.dispose();
  }
  C.dispose();
});

Deno.test("FactoredMatrix: low-rank init is the best rank-r approximation; LoRA starts at W₀", async () => {
  const rng = new Rng(2);
  const m = 10, n = 7, r = 2;
  const init = rng.fill(m * n, (x) => x.normal());
  const low = new FactoredMatrix(tf, "w", "lowrank", init, m, n, r, rng);
  const w = await low.materialise().data();
  let err = 0;
  for (let i = 0; i < init.length; i++) err += (w[i] - init[i]) ** 2;
  const s = svd(init, m, n).values;
  let tail = 0;
  for (let i = r; i < s.length; i++) tail += s[i] * s[i];
  assert.ok(Math.abs(err - tail) < 1e-4 * tail, `‖W₀ − BA‖² = ${err}, Σ_{i>r} σ² = ${tail}`);
  const lora = new FactoredMatrix(tf, "w", "lora", init, m, n, r, rng);
  const w0 = await lora.materialise().data();
  assert.ok(Array.from(w0).every((x, i) => Math.abs(x - init[i]) < 1e-6));
  assert.equal(lora.scale, 32 / r);
  low.dispose();
  lora.dispose();
});

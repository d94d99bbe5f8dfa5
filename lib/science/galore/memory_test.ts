import assert from "node:assert/strict";
import { LLAMA_CONFIGS, llamaShapes, matrixFloats, memoryBytes, modelFloats } from "./memory.ts";

Deno.test("matrixFloats: Table 1 totals 3mn, mn + mr + 2nr, mn + 3mr + 3nr (m ≤ n)", () => {
  for (const [m, n, r] of [[64, 256, 16], [128, 128, 8], [5, 9, 2]]) {
    const tot = (k: "full" | "galore" | "lora" | "lowrank") => {
      const f = matrixFloats(k, m, n, r);
      return f.weights + f.states;
    };
    assert.equal(tot("full"), 3 * m * n);
    assert.equal(tot("galore"), m * n + m * r + 2 * n * r);
    assert.equal(tot("lora"), m * n + 3 * m * r + 3 * n * r);
    assert.equal(tot("lowrank"), 3 * (m * r + n * r));
    // GaLore is symmetric in the orientation: always the smaller side for the projector
    assert.deepEqual(matrixFloats("galore", n, m, r), matrixFloats("galore", m, n, r));
  }
});

Deno.test("llamaShapes: parameter counts of the repo's configs", () => {
  const count = (k: string) =>
    llamaShapes(LLAMA_CONFIGS[k]).reduce((s, p) => s + p.rows * p.cols, 0);
  assert.equal(count("60M"), 58_073_600);
  assert.equal(count("7B"), 6_738_415_616); // LLaMA-7B's 6.74B
  const f = modelFloats(llamaShapes(LLAMA_CONFIGS["60M"]), "lora", 128);
  assert.equal(f.trainable, 42_770_944); // the paper's "42.7M" LoRA parameters (App. C.2)
});

Deno.test("memoryBytes: bytes follow the accounting", () => {
  const shapes = [
    { name: "e", rows: 10, cols: 4, target: false },
    { name: "w", rows: 4, cols: 8, target: true },
  ];
  const b = memoryBytes(shapes, "galore", 2, { weight: 2, state: 1, projector: 2, grad: 2 });
  assert.equal(b.weights, (40 + 32) * 2);
  assert.equal(b.grads, (40 + 32) * 2);
  assert.equal(b.states, 80 * 1 + 2 * 8 * 2 * 1 + 4 * 2 * 2);
  assert.equal(b.total, b.weights + b.grads + b.states);
});

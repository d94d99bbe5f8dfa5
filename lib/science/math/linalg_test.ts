import assert from "node:assert/strict";
import {
  centreColumns,
  frob,
  frobDiff,
  fromMatrix,
  gramRows,
  leastSquaresResidual,
  matmul,
  symEig,
  toMatrix,
  transpose,
} from "./linalg.ts";
import { Rng } from "./rng.ts";

/** Naive triple-loop product for comparison. */
function naive(A: Float64Array, B: Float64Array, m: number, k: number, n: number) {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];
      C[i * n + j] = s;
    }
  }
  return C;
}

Deno.test("matmul equals the naive product, also with zero entries; transpose is an involution", () => {
  const rng = new Rng(1);
  const A = rng.fill(4 * 3, (r) => (r.uniform() < 0.3 ? 0 : r.normal()));
  const B = rng.fill(3 * 5, (r) => r.normal());
  assert.ok(frobDiff(matmul(A, B, 4, 3, 5), naive(A, B, 4, 3, 5)) < 1e-14);
  assert.deepEqual(transpose(transpose(A, 4, 3), 3, 4), A);
  // (AB)ᵀ = BᵀAᵀ
  const lhs = transpose(matmul(A, B, 4, 3, 5), 4, 5);
  const rhs = matmul(transpose(B, 3, 5), transpose(A, 4, 3), 5, 3, 4);
  assert.ok(frobDiff(lhs, rhs) < 1e-14);
});

Deno.test("gramRows is A·Aᵀ and symmetric; frob is √trace(AAᵀ)", () => {
  const rng = new Rng(2);
  const A = rng.fill(3 * 7, (r) => r.normal());
  const G = gramRows(A, 3, 7);
  assert.ok(frobDiff(G, matmul(A, transpose(A, 3, 7), 3, 7, 3)) < 1e-13);
  assert.deepEqual(G, transpose(G, 3, 3));
  assert.ok(Math.abs(frob(A) ** 2 - (G[0] + G[4] + G[8])) < 1e-12);
  assert.equal(frobDiff(A, A), 0);
});

Deno.test("centreColumns gives zero column means and leaves the input unchanged", () => {
  const rng = new Rng(3);
  const F = rng.fill(6 * 4, (r) => r.normal() + 5);
  const copy = Float64Array.from(F);
  const C = centreColumns(F, 6, 4);
  assert.deepEqual(F, copy);
  for (let j = 0; j < 4; j++) {
    let s = 0;
    for (let i = 0; i < 6; i++) s += C[i * 4 + j];
    assert.ok(Math.abs(s) < 1e-12);
  }
});

Deno.test("toMatrix / fromMatrix round-trip", () => {
  const A = new Float64Array([1, 2, 3, 4, 5, 6]);
  const M = toMatrix(A, 2, 3);
  assert.equal(M.rows, 2);
  assert.equal(M.columns, 3);
  assert.equal(M.get(1, 2), 6);
  assert.deepEqual(fromMatrix(M), A);
});

Deno.test("symEig: Q diag(λ) Qᵀ reconstructs the matrix and Q is orthonormal", () => {
  const rng = new Rng(4);
  const B = rng.fill(5 * 5, (r) => r.normal());
  const S = gramRows(B, 5, 5);
  const { values, Q } = symEig(S, 5);
  const QL = Float64Array.from(Q, (q, t) => q * values[t % 5]);
  assert.ok(frobDiff(matmul(QL, transpose(Q, 5, 5), 5, 5, 5), S) < 1e-10 * frob(S));
  const I = matmul(transpose(Q, 5, 5), Q, 5, 5, 5);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) assert.ok(Math.abs(I[i * 5 + j] - (i === j ? 1 : 0)) < 1e-12);
  }
  assert.ok(values.every((v) => v > 0));
});

Deno.test("least-squares residual vanishes when the target is in the span", () => {
  const rng = new Rng(4);
  const F = rng.fill(20 * 3, (r) => r.normal());
  const C = rng.fill(3 * 2, (r) => r.normal());
  const T = new Float64Array(40);
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 2; j++) {
      for (let p = 0; p < 3; p++) T[i * 2 + j] += F[i * 3 + p] * C[p * 2 + j];
    }
  }
  const { R, rank } = leastSquaresResidual(F, T, 20, 3, 2);
  assert.equal(rank, 3);
  assert.ok(frob(R) < 1e-10 * frob(T));
});

Deno.test("least-squares residual is orthogonal to the columns; rank drops for dependent columns", () => {
  const rng = new Rng(5);
  const F = rng.fill(10 * 3, (r) => r.normal());
  for (let i = 0; i < 10; i++) F[i * 3 + 2] = F[i * 3] - 2 * F[i * 3 + 1]; // column 2 dependent
  const T = rng.fill(10, (r) => r.normal());
  const { R, rank } = leastSquaresResidual(F, T, 10, 3, 1);
  assert.equal(rank, 2);
  const FtR = matmul(transpose(F, 10, 3), R, 3, 10, 1);
  assert.ok(frob(FtR) < 1e-10 * frob(T));
  assert.ok(frob(R) > 0.1 * frob(T));
});

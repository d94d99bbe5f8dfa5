import assert from "node:assert/strict";
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { Rng } from "../math/rng.ts";
import { projectionSide, projector, stableRank, svd } from "./svd.ts";

function randomMatrix(rng: Rng, m: number, n: number, rank?: number): Float64Array {
  if (rank === undefined) return rng.fill(m * n, (r) => r.normal());
  const a = rng.fill(m * rank, (r) => r.normal()), b = rng.fill(rank * n, (r) => r.normal());
  const g = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < rank; p++) {
      for (let j = 0; j < n; j++) g[i * n + j] += a[i * rank + p] * b[p * n + j];
    }
  }
  return g;
}

function reference(G: Float64Array, m: number, n: number) {
  const M = new Matrix(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) M.set(i, j, G[i * n + j]);
  return new SingularValueDecomposition(M, { autoTranspose: true });
}

/** ‖X Xᵀ − Y Yᵀ‖_max for row-major d×k bases: compares subspaces, blind to signs. */
function subspaceGap(X: Float64Array, Y: Matrix, d: number, k: number): number {
  let worst = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let a = 0, b = 0;
      for (let c = 0; c < k; c++) {
        a += X[i * k + c] * X[j * k + c];
        b += Y.get(i, c) * Y.get(j, c);
      }
      worst = Math.max(worst, Math.abs(a - b));
    }
  }
  return worst;
}

const SHAPES: [number, number][] = [[7, 7], [12, 5], [5, 12], [64, 16], [16, 64], [40, 33]];

Deno.test("svd: singular values and top-r subspaces match ml-matrix's SVD", () => {
  const rng = new Rng(1);
  for (const [m, n] of SHAPES) {
    const G = randomMatrix(rng, m, n);
    const ours = svd(G, m, n);
    const ref = reference(G, m, n);
    const q = Math.min(m, n);
    for (let i = 0; i < q; i++) {
      const d = Math.abs(ours.values[i] - ref.diagonal[i]);
      assert.ok(
        d < 1e-10 * ref.diagonal[0],
        `${m}×${n} σ_${i}: ${ours.values[i]} vs ${ref.diagonal[i]}`,
      );
    }
    // top-r subspaces for r below a spectral gap of a random matrix (distinct σ a.s.)
    for (const r of [1, Math.max(1, q >> 2), q]) {
      const gl = subspaceGap(svd(G, m, n, r).left, ref.leftSingularVectors, m, r);
      const gr = subspaceGap(svd(G, m, n, r).right, ref.rightSingularVectors, n, r);
      assert.ok(gl < 1e-8 && gr < 1e-8, `${m}×${n} r=${r}: subspace gaps ${gl}, ${gr}`);
    }
    // reconstruction G = U Σ Vᵀ
    let err = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < q; c++) {
          s += ours.left[i * q + c] * ours.values[c] * ours.right[j * q + c];
        }
        err = Math.max(err, Math.abs(s - G[i * n + j]));
      }
    }
    assert.ok(err < 1e-12 * q * ours.values[0], `${m}×${n}: reconstruction error ${err}`);
    assert.ok(ours.sweeps <= 20, `${m}×${n}: ${ours.sweeps} sweeps`);
  }
});

Deno.test("svd: the smaller side stays orthonormal for rank-deficient and zero matrices", () => {
  const rng = new Rng(2);
  for (const [m, n] of [[20, 8], [8, 20]] as [number, number][]) {
    for (const G of [randomMatrix(rng, m, n, 2), new Float64Array(m * n)]) {
      const { side, basis } = projector(G, m, n, 5);
      const d = Math.min(m, n);
      assert.equal(side, projectionSide(m, n));
      for (let a = 0; a < 5; a++) {
        for (let b = 0; b < 5; b++) {
          let s = 0;
          for (let i = 0; i < d; i++) s += basis[i * 5 + a] * basis[i * 5 + b];
          assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-12, `${m}×${n} PᵀP[${a},${b}] = ${s}`);
        }
      }
    }
    const ref = reference(randomMatrix(new Rng(3), m, n, 2), m, n).diagonal;
    const ours = svd(randomMatrix(new Rng(3), m, n, 2), m, n).values;
    assert.ok(Math.abs(ours[0] - ref[0]) < 1e-10 * ref[0] && ours[2] < 1e-10 * ref[0]);
  }
});

Deno.test("stableRank: ‖G‖_F²/‖G‖₂² against ml-matrix, and its limits", () => {
  const rng = new Rng(4);
  for (const [m, n] of SHAPES) {
    const G = randomMatrix(rng, m, n);
    const sv = reference(G, m, n).diagonal;
    const expected = sv.reduce((s, x) => s + x * x, 0) / (sv[0] * sv[0]);
    const got = stableRank(G, m, n);
    assert.ok(Math.abs(got - expected) < 1e-10 * expected, `${m}×${n}: ${got} vs ${expected}`);
    assert.ok(got >= 1 && got <= Math.min(m, n));
  }
  assert.ok(Math.abs(stableRank(randomMatrix(rng, 9, 6, 1), 9, 6) - 1) < 1e-10);
  assert.ok(Number.isNaN(stableRank(new Float64Array(6), 2, 3)));
});

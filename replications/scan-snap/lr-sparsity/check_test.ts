import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

const ETA_Z = [0.5, 1, 2, 3];
const RATIOS = [1, 2, 5, 10];
/** The authors' #last = 3 means, as in the replication's table. */
const PAPER3 = [
  [2.019, 1.988, 2.031, 2.063],
  [1.963, 1.920, 1.982, 2.024],
  [1.842, 1.809, 1.899, 1.955],
  [1.737, 1.715, 1.821, 1.839],
];

function rows(entropy: (i: number, j: number, seed: number) => number): Row[] {
  const out: Row[] = [];
  ETA_Z.forEach((eta_z, i) =>
    RATIOS.forEach((ratio, j) => {
      for (const seed of [0, 1, 2]) {
        out.push({
          source: "ours",
          num_last: 3,
          eta_z,
          ratio,
          seed,
          entropy: entropy(i, j, seed),
          std: NaN,
        });
      }
    })
  );
  ETA_Z.forEach((eta_z, i) =>
    RATIOS.forEach((ratio, j) =>
      out.push({
        source: "paper",
        num_last: 3,
        eta_z,
        ratio,
        seed: -1,
        entropy: PAPER3[i][j],
        std: 0.02,
      })
    )
  );
  return out;
}

Deno.test("lr-sparsity: entropy falling with η_Z, near the authors' cells → REPRODUCED", () => {
  const r = check(rows((i, j, s) => PAPER3[i][j] + 0.01 * (s - 1)));
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items));
});

Deno.test("lr-sparsity: entropy rising with η_Z in one column fails the core item", () => {
  const r = check(rows((i, j) => (j === 2 ? 1.8 + 0.05 * i : PAPER3[i][j])));
  assert.equal(r.verdict, "NOT REPRODUCED");
});

Deno.test("lr-sparsity: monotone but far from the authors' values is PARTIAL; NaN fails", () => {
  const far = check(rows((i, j) => PAPER3[i][j] - 0.3));
  assert.equal(far.verdict, "PARTIAL");
  assert.notEqual(check(rows((i, j) => (i === 1 ? NaN : PAPER3[i][j]))).verdict, "REPRODUCED");
});

import assert from "node:assert/strict";
import { linearLemma } from "./lemma.ts";

Deno.test("linearLemma: sr(G_t) stays under Eq. 9 and falls to sr(G∥) = 1", () => {
  for (const seed of [0, 1, 2]) {
    const r = linearLemma({ m: 8, n: 16, samples: 128, seed, lambdaMin: 0.2, lambdaMax: 2 });
    assert.ok(r.lambda1 > 0 && r.lambda2 > r.lambda1 && r.K > 0, JSON.stringify(r));
    for (const x of r.records) {
      assert.ok(
        x.stableRank <= x.bound * (1 + 1e-9),
        `seed ${seed} t ${x.step}: ${x.stableRank} > ${x.bound}`,
      );
    }
    const first = r.records[0].stableRank, last = r.records.at(-1)!.stableRank;
    assert.ok(first > 1.5 && last < 1.1, `seed ${seed}: ${first} → ${last}`);
  }
});

import assert from "node:assert/strict";
import { chainDataset, LEFT, reverseDataset, RIGHT } from "./data.ts";

const key = (s: number[]) => s.join(",");

Deno.test("reverse dataset: the authors' sizes, disjoint alphabets, test = untrained direction", () => {
  const d = reverseDataset({ vocab: 800, seed: 3 });
  assert.equal(d.M, 802);
  assert.equal(d.pairs.length, 200);
  assert.equal(d.numTrainPairs, 140);
  assert.equal(d.train.length, 340); // the authors' "train: 340 val: 60"
  assert.equal(d.test.length, 60);
  const as = new Set(d.pairs.map((p) => p[0])), bs = new Set(d.pairs.map((p) => p[1]));
  assert.equal(as.size + bs.size, 400);
  for (const t of [...as, ...bs]) assert.ok(t >= 2 && t < 802 && !(as.has(t) && bs.has(t)));
  const train = new Set(d.train.map(key));
  d.pairs.slice(0, 140).forEach(([a, b]) => {
    assert.ok(train.has(key([a, RIGHT, b])) && train.has(key([b, LEFT, a])));
  });
  let forwardTests = 0;
  d.pairs.slice(140).forEach(([a, b], i) => {
    const t = d.test[i];
    const fwd = key([a, RIGHT, b]), bwd = key([b, LEFT, a]);
    assert.ok(key(t) === fwd || key(t) === bwd);
    assert.ok(!train.has(key(t)) && train.has(key(t) === fwd ? bwd : fwd));
    if (key(t) === fwd) forwardTests++;
  });
  assert.ok(forwardTests > 10 && forwardTests < 50, `${forwardTests} of 60 tests are forward`);
});

Deno.test("chain dataset: one-hop sentences for all, direct ones only for training triples", () => {
  const d = chainDataset({ vocab: 800, seed: 5 });
  assert.equal(d.triples.length, 200);
  assert.equal(d.train.length, 3 * 140 + 2 * 60);
  assert.equal(d.test.length, 60);
  const train = new Set(d.train.map(key));
  d.triples.forEach(([a, b, c], i) => {
    assert.ok(train.has(key([a, RIGHT, b])) && train.has(key([b, RIGHT, c])));
    assert.equal(train.has(key([a, LEFT, c])), i < 140);
  });
  assert.deepEqual(d.test.map(key), d.triples.slice(140).map(([a, , c]) => key([a, LEFT, c])));
});

Deno.test("datasets are determined by the seed", () => {
  assert.deepEqual(reverseDataset({ vocab: 40, seed: 9 }), reverseDataset({ vocab: 40, seed: 9 }));
  assert.notDeepEqual(
    reverseDataset({ vocab: 40, seed: 9 }).pairs,
    reverseDataset({ vocab: 40, seed: 8 }).pairs,
  );
});

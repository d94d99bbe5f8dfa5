import assert from "node:assert/strict";
import { formatDuration, RunProgress } from "./progress.ts";

Deno.test("progress: durations read as seconds, minutes or hours", () => {
  assert.equal(formatDuration(12.34), "12.3s");
  assert.equal(formatDuration(125), "2m05s");
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(NaN), "?");
  assert.equal(formatDuration(1979.7), "33m00s");
  assert.equal(formatDuration(59.97), "1m00s");
});

Deno.test("progress: the ETA weighs cells by cost, running cells by their own progress", () => {
  const costs = new Map([["a", 1], ["b", 3], ["c", 4]]);
  const p = new RunProgress("silent", { total: 5, cached: 2, costs });
  assert.equal(p.costFraction(), 0);
  p.cellProgress("c", "x#3", 0.5);
  assert.equal(p.costFraction(), 2 / 8);
  p.cellDone("a", "x#1", 1);
  p.cellProgress("b", "x#2", 2); // clamped to 1
  assert.equal(p.costFraction(), (1 + 3 + 2) / 8);
  p.cellDone("b", "x#2", 1);
  p.cellFailed("c", "x#3", "boom");
  assert.equal(p.costFraction(), 4 / 8);
  p.stop();
});

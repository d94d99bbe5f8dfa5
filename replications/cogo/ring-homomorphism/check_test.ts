import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

const rowsWith = (err: (kind: string) => number): Row[] =>
  ["sum", "product", "unit", "loss"].flatMap((kind) =>
    [0, 1].map((trial) => ({ d: 7, trial, identity: `${kind} id`, kind, max_rel_err: err(kind) }))
  );

Deno.test("ring-homomorphism: the check passes at rounding level and fails on a violation", () => {
  assert.equal(check(rowsWith(() => 3e-16)).verdict, "REPRODUCED");
  const one = check(rowsWith((k) => (k === "loss" ? 0.25 : 3e-16)));
  assert.equal(one.verdict, "PARTIAL");
  assert.equal(one.items[3].pass, false);
  assert.equal(check(rowsWith(() => 1e-3)).verdict, "NOT REPRODUCED");
  // NaN (e.g. a 0/0) must not pass
  assert.notEqual(check(rowsWith((k) => (k === "sum" ? NaN : 0))).verdict, "REPRODUCED");
});

import assert from "node:assert/strict";
import type { Row } from "../../../mod.ts";
import { check } from "./replication.ts";

/** One group: the fit row and four restarts whose E_S maxima are outside S = {k=1}. */
function rows(opts: { inS?: number; controlInS?: number; share?: number } = {}): Row[] {
  const base = { group: "Z_5", M: 5, S: "k=1" };
  const out: Row[] = [{
    part: "fit",
    ...base,
    restart: -1,
    top_class: "",
    in_S: NaN,
    concentration: NaN,
    energy: opts.share ?? 0.5,
    predicted: 0.5,
    rel_err: Math.abs((opts.share ?? 0.5) - 0.5),
    control_class: "",
    control_in_S: NaN,
  }];
  for (let r = 0; r < 4; r++) {
    const inS = r === 0 ? opts.inS ?? 0 : 0;
    out.push({
      part: "ascent",
      ...base,
      restart: r,
      top_class: inS ? "k=1" : "k=2",
      in_S: inS,
      concentration: 1,
      energy: 5 / 16,
      predicted: 5 / 16,
      rel_err: 0,
      control_class: "k=1",
      control_in_S: r === 0 ? opts.controlInS ?? 1 : 0,
    });
  }
  return out;
}

Deno.test("li2/top-down-modulation check: passes when E_S maxima avoid S", () => {
  const r = check(rows());
  assert.equal(r.verdict, "REPRODUCED", JSON.stringify(r.items, null, 1));
});

Deno.test("li2/top-down-modulation check: fails when a maximum of E_S lies in S", () => {
  assert.equal(check(rows({ inS: 1 })).verdict, "NOT REPRODUCED"); // the core item fails
  assert.equal(check(rows({ controlInS: 0 })).verdict, "PARTIAL");
  assert.equal(check(rows({ share: 0.4 })).verdict, "PARTIAL");
});

Deno.test("li2/top-down-modulation check: NaN never passes", () => {
  const nan = rows().map((r) => ({ ...r, concentration: NaN, rel_err: NaN }));
  assert.notEqual(check(nan).verdict, "REPRODUCED");
  assert.ok(check(nan).items.slice(0, 2).every((i) => !i.pass));
});

import assert from "node:assert/strict";
import { add, complex, mul, polar } from "../math/complex.ts";
import { toNetwork, zF46, zF6 } from "./algebra.ts";
import type { ModAddWeights } from "./train.ts";
import {
  classifyFactor,
  factorizeFrequency,
  fourierWeights,
  histogramOrders,
  rDynamics,
  solutionRow,
  solutionStats,
  tableOrders,
  type Triple,
} from "./analysis.ts";
import { Rng } from "../math/rng.ts";

function weightsOf(net: ReturnType<typeof toNetwork>["net"]): ModAddWeights {
  const { d, q } = net;
  const wa = new Float64Array(q * d), wb = new Float64Array(q * d), v = new Float64Array(d * q);
  for (let j = 0; j < q; j++) {
    wa.set(net.Wa[j], j * d);
    wb.set(net.Wb[j], j * d);
  }
  for (let m = 0; m < d; m++) v.set(net.V[m], m * q);
  return { wa, wb, v, d, q };
}

Deno.test("z_F6 (|ν| = 1): every frequency order 6, factorable, z_ν * z_syn", () => {
  const d = 11;
  const w = weightsOf(toNetwork(zF6(d, polar(1, 0.4))).net);
  const f = fourierWeights(w);
  assert.deepEqual(tableOrders(f), [6, 6, 6, 6, 6]);
  assert.deepEqual(histogramOrders(f), [6, 6, 6, 6, 6]);
  const s = solutionStats(f);
  assert.equal(s.n6, 5);
  assert.equal(s.nonfact6, 0);
  for (const e of s.errs6) assert.ok(e < 1e-9, `err ${e}`);
  assert.deepEqual(s.buckets, { nui_xi: 0, nui_synab: 0, nu_syn: 5, others: 0 });
  const row = solutionRow(s);
  assert.equal(row.nu_syn, 100);
  assert.ok(Number.isNaN(row.nonfact4));
});

Deno.test("z_F4/6: order-4 frequencies are z_{ν=i} * z_ξ, the donor frequency order 6", () => {
  const d = 11;
  const z = zF46(d, { k0: 1, nu: polar(1, 0.7), xi: polar(1, Math.PI / 4) });
  const f = fourierWeights(weightsOf(toNetwork(z).net));
  const orders = tableOrders(f);
  assert.deepEqual(orders, [6, 4, 4, 4, 4]);
  const s = solutionStats(f);
  assert.equal(s.nonfact4 + s.nonfact6, 0);
  assert.equal(s.buckets.nui_xi, 4);
  assert.equal(s.buckets.nu_syn, 1);
});

Deno.test("classifyFactor: the order-2 and order-3 building blocks", () => {
  const one = complex(1);
  const i = complex(0, 1);
  const w = polar(1, (2 * Math.PI) / 3);
  const wc = polar(1, (-2 * Math.PI) / 3);
  const xi = polar(1, 0.3);
  // z_ξ: nodes (1,1,1), (ξ, −iξ̄, i)
  assert.equal(
    classifyFactor([[one, xi], [one, mul(complex(0, -1), polar(1, -0.3))], [one, i]]).type,
    "order-2-xi",
  );
  // z_{ν=i}: (1,1,1), (i, −i, 1)
  assert.equal(classifyFactor([[one, i], [one, complex(0, -1)], [one, one]]).type, "order-2-4c");
  // z_ν: (1,1,1), (ν, −ν, −ν⁻²)
  const nu = polar(1, 1.1);
  assert.equal(
    classifyFactor([[one, nu], [one, mul(nu, complex(-1))], [
      one,
      mul(complex(-1), polar(1, -2.2)),
    ]])
      .type,
    "order-2-nu",
  );
  // z_syn: (ω^j, ω^j, ω^j), j = 0, 1, 2
  assert.equal(classifyFactor([[one, w, wc], [one, w, wc], [one, w, wc]]).type, "order-3-syn");
  // garbage
  assert.equal(
    classifyFactor([[one, complex(3, 1)], [one, complex(0.2)], [one, complex(5)]]).type,
    "order-2-unknown",
  );
});

Deno.test("factorizeFrequency: a shuffled product is factorable with ~0 error; noise is not", () => {
  const rng = new Rng(3);
  const rand = () => complex(rng.normal(), rng.normal());
  // rank-1-in-halves: columns (x_i) and (x_i·y) for a common y
  const x = [rand(), rand(), rand()].map((z) => [z, rand(), rand()]);
  const y = [rand(), rand(), rand()];
  const cols = [...x, ...x.map((c) => c.map((z, r) => mul(z, y[r])))];
  const order = [4, 0, 2, 5, 1, 3];
  const F: Triple = [0, 1, 2].map((r) => order.map((c) => cols[c][r])) as Triple;
  const fact = factorizeFrequency(F);
  assert.ok(fact.err < 1e-9, `err ${fact.err}`);
  assert.ok(fact.factorable);
  const G: Triple = [0, 1, 2].map(() => Array.from({ length: 6 }, rand)) as Triple;
  assert.equal(factorizeFrequency(G).factorable, false);
});

Deno.test("rDynamics: closed-form off-diagonal sum equals the brute-force triple sum", () => {
  const d = 5, q = 4;
  const rng = new Rng(7);
  const w: ModAddWeights = {
    wa: rng.fill(q * d, (r) => r.normal()),
    wb: rng.fill(q * d, (r) => r.normal()),
    v: rng.fill(d * q, (r) => r.normal()),
    d,
    q,
  };
  const f = fourierWeights(w);
  let diag = 0, off = 0;
  for (let k1 = 0; k1 < d; k1++) {
    for (let k2 = 0; k2 < d; k2++) {
      for (let k = 0; k < d; k++) {
        let s = complex(0);
        for (let j = 0; j < q; j++) s = add(s, mul(mul(f.A[k1][j], f.B[k2][j]), f.C[k][j]));
        const re = 2 * d * s.re;
        if (k1 === k2 && k2 === k) diag += re;
        else off += re;
      }
    }
  }
  const r = rDynamics(w, f);
  assert.ok(Math.abs(r.diag - diag) < 1e-9);
  assert.ok(Math.abs(r.offDiag - off) < 1e-9, `${r.offDiag} vs ${off}`);
});

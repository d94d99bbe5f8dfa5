/**
 * reversal-curse/chain-of-thought — Zhu et al. (NeurIPS'24) Theorem 4: trained on A_i → B_i and
 * B_i → C_i for every i and on the direct A_i ⇝ C_i only for training indices, a one-layer
 * transformer learns both one-hop steps of the test indices (p → 1 at the theorem's rate) but
 * not the direct A_i ⇝ C_i (p < 1/M); chaining the two hops (chain of thought) recovers C_i.
 *
 * Read top to bottom: the claim, the grid (one cell = one SGD run for one seed), the cell,
 * the check.
 *
 * @module
 */

import {
  atLeast,
  type CellContext,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  holds,
  num,
  type Profile,
  type Row,
  verdictOf,
} from "../../../mod.ts";
import { chainDataset, RIGHT } from "../../../lib/science/reversal/data.ts";
import {
  forward,
  logSpaced,
  prob,
  rateExponent,
  trainBound,
  trainSgd,
} from "../../../lib/science/reversal/onelayer.ts";

// ---------------------------------------------------------------- claim
const claim: Claim = {
  statement: "Trained by SGD with batch size 1 on A_i → B_i and B_i → C_i for all i and on " +
    "A_i ⇝ C_i for the training indices only, a one-layer transformer (Scan & Snap " +
    "reparameterisation) gives every test index p(B_i | A_i →) and p(C_i | B_i →) ≥ " +
    "1 − (M−1)/(M·η_Y·t/N)^c, but p(C_i | A_i ⇝) < 1/M: the weights are intransitive, so the " +
    "direct conclusion needs chain of thought, A_i → B_i → C_i, which recovers C_i.",
  source: "Zhu et al., NeurIPS 2024, arXiv 2405.04669, Sec. 4.2, Theorem 4 (necessity of " +
    "chain-of-thought); as stated on the seed talk's slide '\"Chain-of-thoughts\" reasoning'",
  paperValue:
    "for i ∈ I_test: p(B_i|A_i →), p(C_i|B_i →) ≥ 1 − (M−1)/(M·η_Y·t/N)^c (some c > 0), " +
    "p(C_i|A_i ⇝) < 1/M",
  scale: {
    quick: "the authors' chain data layout at vocab 120 (M = 122, N = 30 triples, 21 with the " +
      "direct sentence trained), η_Y = 0.5, η_Z = 0.05, 30·t₀ = 219 600 SGD steps, 3 seeds",
    full: "vocab 800 (M = 802, N = 200 triples), 10·t₀ = 3 208 000 SGD steps, 10 seeds",
  },
  deviations: [
    "Same model and simulation choices as reversal-curse/one-layer-transformer (one-hot " +
    "embeddings, query attends over both positions, normalised hidden vector, zero init, " +
    "Float64 hand-written gradients; NOTES.md there).",
    "The theorem's c is unspecified; the check requires c = 1/2 at every logged t ≥ t₀ = " +
    "N·M/η_Y (NOTES.md).",
    "Chain of thought is evaluated as greedy two-step decoding with the trained one-hop " +
    "relation: B̂ = argmax p(· | A_i →), then Ĉ = argmax p(· | B̂ →).",
    "Weights below 1e-15 are flushed to exact zeros after every update.",
  ],
};

// ---------------------------------------------------------------- configuration
const LR = { etaY: 0.5, etaZ: 0.05 };
const CONFIG: Record<Profile, { vocab: number; seeds: number; horizon: number }> = {
  quick: { vocab: 120, seeds: 3, horizon: 30 },
  full: { vocab: 800, seeds: 10, horizon: 10 },
};
/** The theorem's c for the one-hop check (NOTES.md). */
const C_BOUND = 0.5;
/** One-hop probability the last logged step must reach (→ 1). */
const P_FINAL = 0.99;

interface Cell {
  [key: string]: number;
  vocab: number;
  seed: number;
  horizon: number;
}

function grid({ profile, seed }: { profile: Profile; seed: number }): Cell[] {
  const cfg = CONFIG[profile];
  return Array.from({ length: cfg.seeds }, (_, i) => ({
    vocab: cfg.vocab,
    seed: seed + 1 + i,
    horizon: cfg.horizon,
  }));
}

// ---------------------------------------------------------------- cell
const argmax = (p: Float64Array) => p.reduce((best, x, i) => (x > p[best] ? i : best), 0);

function cell(p: Cell, ctx: CellContext): Row[] {
  const data = chainDataset({ vocab: p.vocab, seed: p.seed });
  const { M, train } = data;
  const N = data.triples.length;
  const tests = data.triples.slice(data.numTrainTriples);
  const t0 = (N * M) / LR.etaY;
  const steps = Math.round(p.horizon * t0);
  const rows: Row[] = [];
  const scratch = new Float64Array(M);
  trainSgd(M, {
    train,
    ...LR,
    steps,
    seed: 7919 * p.seed + 2,
    logSteps: logSpaced(steps, 8),
    onProgress: ctx.progress,
    onLog: (t, m) => {
      const ab = tests.map(([a, b]) => prob(m, [a, RIGHT, b], scratch));
      const bc = tests.map(([, b, c]) => prob(m, [b, RIGHT, c], scratch));
      const ac = tests.map(([a, , c]) => prob(m, [a, 1, c], scratch));
      const cot = tests.filter(([a, , c]) => {
        const bHat = argmax(forward(m, a, RIGHT, scratch).p);
        return bHat !== RIGHT && argmax(forward(m, bHat, RIGHT, scratch).p) === c;
      }).length;
      const hop = Math.min(...ab, ...bc);
      const worst = ac.indexOf(Math.max(...ac));
      const [wa, wb, wc] = tests[worst];
      rows.push({
        seed: p.seed,
        step: t,
        p_ab_min: Math.min(...ab),
        p_bc_min: Math.min(...bc),
        p_hop_min: hop,
        gap_hop_min: 1 - hop,
        p_ac_max: ac[worst],
        p_ac_mean: ac.reduce((x, y) => x + y, 0) / ac.length,
        worst_direct: `${wa} ⇝ ${wc} (via ${wb})`,
        p_chain_min: Math.min(...ab.map((x, i) => x * bc[i])),
        cot_acc: cot / tests.length,
        rate_c: t > 0 ? rateExponent(M, LR.etaY, N, t, hop) : NaN,
        bound: trainBound(M, LR.etaY, N, t, C_BOUND),
        bound_gap: t > 0 ? 1 - trainBound(M, LR.etaY, N, t, C_BOUND) : NaN,
        inv_m: 1 / M,
        t0,
        M,
        N,
      });
    },
  });
  return rows;
}

// ---------------------------------------------------------------- claim check
/** Theorem 4's assertions and the chain-of-thought decoding over all seeds' steps t ≥ t₀. */
export function check(rows: Row[], _profile: Profile): CheckResult {
  const late = rows.filter((r) => num(r, "step") >= num(r, "t0"));
  const M = num(rows[0], "M");
  const held = late.filter((r) => num(r, "p_hop_min") >= num(r, "bound")).length;
  const cHat = Math.min(...late.map((r) => num(r, "rate_c")));
  let worst = late[0];
  for (const r of late) if (!(num(r, "p_ac_max") <= num(worst, "p_ac_max"))) worst = r;
  const cotMin = Math.min(...late.map((r) => num(r, "cot_acc")));
  const lastStep = Math.max(...rows.map((r) => num(r, "step")));
  const finals = rows.filter((r) => num(r, "step") === lastStep);
  const finalHop = Math.min(...finals.map((r) => num(r, "p_hop_min")));
  const finalChain = Math.min(...finals.map((r) => num(r, "p_chain_min")));
  const worstText = `seed ${worst.seed}, "${worst.worst_direct}" at t = ${worst.step}`;
  const items = [
    holds(
      `one-hop steps of test indices: p(B_i|A_i →), p(C_i|B_i →) ≥ 1 − (M−1)/(M·η_Y·t/N)^` +
        `${C_BOUND} at every logged t ≥ t₀`,
      late.length > 0 && held === late.length,
      `${held}/${late.length} (seed, t) points; largest c that holds everywhere ĉ = ${fmt(cHat)}`,
      "all points",
    ),
    holds(
      "direct A_i ⇝ C_i of test indices: p(C_i | A_i ⇝) < 1/M at every logged t ≥ t₀",
      num(worst, "p_ac_max") < 1 / M,
      `worst test index ${worstText}: p·M = ${fmt(num(worst, "p_ac_max") * M)}`,
      "p·M < 1",
    ),
    holds(
      "chain of thought A_i → B̂ → Ĉ recovers C_i for every test index at every logged t ≥ t₀",
      cotMin === 1,
      `min accuracy ${fmt(cotMin)}; min path probability at the end ${fmt(finalChain)}`,
      "accuracy 1",
    ),
    atLeast("one-hop probability of test indices at the last step (min)", finalHop, P_FINAL),
  ];
  return verdictOf(
    items,
    `ĉ = ${fmt(cHat)}; final one-hop min p = ${fmt(finalHop)}; worst direct p·M = ` +
      `${fmt(num(worst, "p_ac_max") * M)} (${worstText}); CoT accuracy ${fmt(cotMin)}`,
    [0, 1, 2],
  );
}

// ---------------------------------------------------------------- replication
export default defineReplication<Cell>({
  title: "Necessity of chain of thought in a one-layer transformer (Theorem 4)",
  claim,
  grid,
  cell,
  cost: (p) => {
    const M = p.vocab + 2, N = Math.floor(p.vocab / 4);
    return (p.horizon * N * M / LR.etaY) * M * 3.5e-8;
  },
  check,
  tolerances: {
    keys: ["seed", "step"],
    columns: {
      gap_hop_min: {
        rtol: 1e-6,
        why: "1 − p of a p within 1e-12 of 1: Float64 cancellation makes it relative to p's ulp",
      },
    },
    default: {
      rtol: 1e-9,
      atol: 1e-300,
      why: "Float64 SGD in a fixed order; only libm last-ulp differences between Deno versions",
    },
  },
});

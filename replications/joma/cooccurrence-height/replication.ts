/**
 * joma/cooccurrence-height — JoMA, Theorem 5: in a hierarchical binary latent-tree model of
 * token generation, the co-occurrence P[l|m] of two tokens falls with the height H of their
 * lowest common latent ancestor, P[l|m] ≈ 1 − H/L for a tree of height L.
 *
 * @module
 */

import {
  activationChannel,
  exactCooccurrence,
  monteCarloPaths,
  monteCarloTree,
} from "../../../lib/science/joma/tree.ts";
import {
  atMost,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  groupBy,
  holds,
  num,
  type Profile,
  Rng,
  type Row,
  verdictOf,
} from "../../../mod.ts";

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "Tokens are the leaves of a latent tree whose internal nodes are binary latent " +
    "variables (a child can be on only when its parent is); a token appears in a sequence " +
    "when its leaf is on. Two tokens whose lowest common latent ancestor has height H " +
    "co-occur with P[l|m] ≈ 1 − H/L (L the height of the hierarchy): tokens sharing a low " +
    "ancestor co-occur strongly, and self-attention associates them first.",
  source: "Tian, Wang, Zhang, Chen, Du, JoMA, ICLR 2024, arXiv 2310.00535: Sec. 6, Theorem 5 " +
    "and Fig. 5(a); the node semantics of the authors' TreeNode generator " +
    "(ssl/real-dataset/self_attention_linear_test.py, facebookresearch/luckmatters)",
  paperValue: "P[l|m] ≈ 1 − H/L (talk slide); co-occurrence decreases with the height of the " +
    "common latent ancestor",
  scale: {
    quick: "binary trees (b = 2) of height L = 4, 8, 16; exact P[l|m] for every H = 1..L and " +
      "10,000 Monte-Carlo sequences per tree (whole-tree sampling up to L = 8, the two " +
      "root-to-leaf paths beyond)",
    full: "b = 2 and 3, L = 4, 8, 16, 32, 64; 200,000 Monte-Carlo sequences per tree " +
      "(× (16/L)² for L > 16: path sampling costs ∝ L²)",
  },
  deviations: [
    "The paper's text of Sec. 6 could not be retrieved here (only abstracts and the Fig. 5 " +
    "caption); the model is reconstructed: each latent is on with probability ρ when its " +
    "parent is on and off otherwise (Fig. 5a's binary latents, and the semantics of the " +
    "authors' own TreeNode tree generator), root = the active sequence label.",
    "Under that model P[l|m] = ρ^H exactly; 1 − H/L is its first-order form at ρ = 1 − 1/L, " +
    "the calibration we use (a token's marginal is then P[l] = (1 − 1/L)^L ≈ 1/e for every " +
    "L). If the paper parameterises the channel differently, only ρ(L) changes (NOTES.md).",
  ],
};

// ---------------------------------------------------------------- configuration
const CONFIG: Record<Profile, { branching: number[]; heights: number[]; samples: number }> = {
  quick: { branching: [2], heights: [4, 8, 16], samples: 10_000 },
  full: { branching: [2, 3], heights: [4, 8, 16, 32, 64], samples: 200_000 },
};
/** Whole trees are sampled while they have at most this many leaves. */
const MAX_LEAVES = 4096;

type Params = { b: number; L: number; samples: number; seed: number };

function grid({ profile, seed }: { profile: Profile; seed: number }): Params[] {
  const c = CONFIG[profile];
  return c.branching.flatMap((b) =>
    c.heights.map((L, i) => ({
      b,
      L,
      samples: Math.round(c.samples * Math.min(1, (16 / L) ** 2)), // path sampling costs ∝ L²
      seed: seed + 100 * b + i,
    }))
  );
}

/** The calibration that makes Theorem 5's 1 − H/L the first-order form of ρ^H. */
export function rhoOf(L: number): number {
  return 1 - 1 / L;
}

// ---------------------------------------------------------------- one cell
function cell(p: Params, ctx: { progress(done: number, total: number): void }): Row[] {
  const rho = rhoOf(p.L);
  const ch = activationChannel(rho);
  const rng = new Rng(p.seed);
  const whole = p.b ** p.L <= MAX_LEAVES;
  const counts = whole
    ? monteCarloTree(ch, p.b, p.L, p.samples, rng)
    : Array.from({ length: p.L }, (_, i) => monteCarloPaths(ch, p.L, i + 1, p.samples, rng));
  ctx.progress(1, 1);
  return counts.map((c, i) => {
    const H = i + 1;
    const exact = exactCooccurrence(ch, p.L, H);
    const mc = c.both / c.m;
    const se = Math.sqrt(exact * (1 - exact) / c.m);
    return {
      b: p.b,
      L: p.L,
      H,
      rho,
      sampler: whole ? "tree" : "paths",
      exact,
      closed_form: rho ** H,
      approx: 1 - H / p.L,
      error: exact - (1 - H / p.L),
      mc,
      mc_m: c.m,
      z: se > 0 ? (mc - exact) / se : mc === exact ? 0 : Infinity,
    };
  });
}

// ---------------------------------------------------------------- claim check
/** Monte Carlo agrees with the exact value within this many standard errors. */
const Z_MAX = 4;
/** The exact computation equals the closed form ρ^H to rounding. */
const EXACT_TOL = 1e-12;
/** For H ≤ L/4 (H ≪ L) the approximation is within this of the exact value. */
const SMALL_H_ERR = 0.03;
/** At fixed H ≥ 2, doubling L must shrink the error by at least this factor (theory: 4). */
const SHRINK = 3;

/**
 * The paper's assertion, on every tree: (1) the generator's Monte-Carlo P[l|m] matches the
 * exact value within 4 standard errors at every height; (2) the exact value is ρ^H and falls
 * strictly with H; (3) the error of 1 − H/L is at most (H/L)²/2 at every H (the second-order
 * term) and ≤ 0.03 for H ≤ L/4; (4) where the theorem applies (H ≪ L) it shrinks: at fixed
 * H ≥ 2, doubling L cuts it by ≥ 3× (∝ 1/L²).
 */
export function check(rows: Row[], _profile?: Profile): CheckResult {
  const items: CheckItem[] = [];
  const zs = rows.map((r) => Math.abs(num(r, "z")));
  const worstZ = Math.max(...zs);
  items.push(
    atMost("Monte Carlo vs exact P[l|m]: largest |z| over every tree and height", worstZ, Z_MAX),
  );
  let worstExact = 0, monotone = true;
  for (const [, tree] of groupBy(rows.map((r) => ({ ...r, tree: `${r.b}/${r.L}` })), "tree")) {
    const byH = [...tree].sort((a, b) => num(a, "H") - num(b, "H"));
    for (let i = 0; i < byH.length; i++) {
      worstExact = Math.max(
        worstExact,
        Math.abs(num(byH[i], "exact") - num(byH[i], "closed_form")),
      );
      if (i > 0 && !(num(byH[i], "exact") < num(byH[i - 1], "exact"))) monotone = false;
    }
  }
  items.push(holds(
    "exact P[l|m] = ρ^H, strictly decreasing in the height H of the common ancestor",
    worstExact <= EXACT_TOL && monotone,
    `max |exact − ρ^H| ${fmt(worstExact)}; strictly decreasing: ${monotone}`,
    `≤ ${fmt(EXACT_TOL)}; decreasing`,
  ));
  let boundOk = true, worstSmall = 0;
  for (const r of rows) {
    const x = num(r, "H") / num(r, "L"), e = num(r, "error");
    if (!(e >= -1e-15 && e <= x * x / 2 + 1e-15)) boundOk = false;
    if (x <= 0.25) worstSmall = Math.max(worstSmall, Math.abs(e));
  }
  items.push(holds(
    "error of 1 − H/L: within its second-order bound (H/L)²/2 everywhere, small for H ≤ L/4",
    boundOk && worstSmall <= SMALL_H_ERR,
    `0 ≤ error ≤ (H/L)²/2 at every H: ${boundOk}; max |error| for H ≤ L/4: ${fmt(worstSmall)}`,
    `bound holds; ≤ ${SMALL_H_ERR}`,
  ));
  const shrink: number[] = [];
  for (const [, byB] of groupBy(rows, "b")) {
    const Ls = [...new Set(byB.map((r) => num(r, "L")))].sort((a, b) => a - b);
    for (let i = 1; i < Ls.length; i++) {
      if (Ls[i] !== 2 * Ls[i - 1]) continue;
      for (let H = 2; H <= Ls[i - 1]; H++) {
        const e = (L: number) =>
          num(byB.find((r) => num(r, "L") === L && num(r, "H") === H)!, "error");
        shrink.push(e(Ls[i - 1]) / e(Ls[i]));
      }
    }
  }
  const minShrink = shrink.length ? Math.min(...shrink) : NaN;
  items.push(holds(
    "where the theorem applies (H ≪ L) the error shrinks: fixed H ≥ 2, L doubled",
    minShrink >= SHRINK,
    `smallest error ratio error(L)/error(2L) over H ≥ 2: ${
      fmt(minShrink, { digits: 3 })
    } (${shrink.length} pairs)`,
    `≥ ${SHRINK} (theory: → 4, error ≈ H(H−1)/(2L²))`,
  ));
  const at = (L: number, H: number) =>
    rows.find((r) => num(r, "b") === 2 && num(r, "L") === L && num(r, "H") === H);
  const show = [4, 8, 16].filter((L) => at(L, L / 2)).map((L) => {
    const r = at(L, L / 2)!;
    return `L = ${L}, H = L/2: ${fmt(num(r, "exact"), { digits: 3 })} vs 1 − H/L = 0.5 (MC ${
      fmt(num(r, "mc"), { digits: 3 })
    })`;
  });
  return verdictOf(
    items,
    `P[l|m] = (1 − 1/L)^H; ${show.join("; ")}; max |z| ${fmt(worstZ, { digits: 3 })}; error ≤ ` +
      `${fmt(worstSmall, { digits: 2 })} for H ≤ L/4`,
  );
}

// ---------------------------------------------------------------- the replication
export default defineReplication<Params>({
  title: "JoMA Theorem 5: co-occurrence falls with the height of the common latent ancestor",
  claim,
  grid,
  cell,
  // ≈ seconds on one core: ~6e-8 s per Bernoulli draw (whole tree: all nodes; paths: 1.5 L²)
  cost: (p) =>
    6e-8 * p.samples *
    (p.b ** p.L <= MAX_LEAVES ? (p.b ** (p.L + 1) - 1) / (p.b - 1) : 1.5 * p.L ** 2),
  check,
  tolerances: {
    keys: ["b", "L", "H", "sampler"],
    columns: {
      mc: { atol: 0, why: "seeded sampler (sfc32) with exact integer counts: bit-identical" },
      mc_m: { atol: 0, why: "integer count of the seeded sampler" },
      z: { atol: 1e-9, why: "from exact counts and a Float64 closed form" },
    },
    default: { atol: 1e-14, rtol: 1e-12, why: "Float64 powers and ratios of ρ = 1 − 1/L" },
  },
});

/**
 * scan-snap/relative-gain-bounds — Scan & Snap, Theorem 3: the relative gain of two distinct
 * tokens of a class, r_{l/l'|n}(t) = c̃²_{l|n}/c̃²_{l'|n} − 1, equals r_{l/l'|n}(0)·χ_l(t), and
 * for the dominant token l0, e^{2 f²_{nl0}(0) B_n(t)} ≤ χ_{l0}(t) ≤ e^{2 B_n(t)}.
 *
 * @module
 */

import { integrateRk4 } from "../../../lib/science/math/ode.ts";
import {
  distinctF2,
  relativeGain,
  relativeGainRhs,
  type Support,
} from "../../../lib/science/scansnap/theory.ts";
import { NUM_COMMON, trainBatched, vocabulary } from "../../../lib/science/scansnap/model.ts";
import {
  atMost,
  type CellContext,
  type CheckItem,
  type CheckResult,
  type Claim,
  defineReplication,
  fmt,
  groupBy,
  holds,
  num,
  type Profile,
  type Row,
  verdictOf,
  where,
} from "../../../mod.ts";

// ---------------------------------------------------------------- the claim
const claim: Claim = {
  statement: "For the distinct tokens l, l' of a class n, the relative gain " +
    "r_{l/l'|n}(t) = c̃²_{l|n}(t)/c̃²_{l'|n}(t) − 1 evolves as r_{l/l'|n}(0)·χ_l(t), with " +
    "χ_l(t) = exp(2∫ η_Z ξ_n f²_{nl} dt) independent of l'; for the dominant token l0 " +
    "(largest initial c̃), e^{2 f²_{nl0}(0) B_n(t)} ≤ χ_{l0}(t) ≤ e^{2 B_n(t)} with " +
    "B_n(t) = η_Z ∫₀ᵗ ξ_n: the dominant token's lead grows at least exponentially in B_n.",
  source: "Tian, Wang, Chen, Du, Scan and Snap, NeurIPS 2023, arXiv 2305.16380: Theorem 3 " +
    "(Sec. 5); the dynamics of Theorem 4's proof (App. F) as integrated by " +
    "scan-snap/bn-phase-transition, and the trained model of scan-snap/token-composition",
  paperValue: "e^{2 f²_{nl0}(0) B_n(t)} ≤ χ_{l0}(t) ≤ e^{2 B_n(t)} at every t (a bound, no " +
    "number)",
  scale: {
    quick: "ODE: Fig. 9's right panel (M = 10⁴, ν = 1, η_Z ∈ {0.5, 1, 2, 4, 8}, t ∈ [0, 50], " +
      "RK4 dt 1e-3) with the distinct tokens of one Syn-Small class; trained model: the " +
      "token-composition setting (M = 34, K = 2, batch 128, 127 context tokens, 100 steps, " +
      "SGD momentum 0.9, η = 1, zero init), 2 seeds",
    full: "both panels of Fig. 9 (adds M = 100, ν = 10, t ∈ [0, 5]), RK4 dt 1e-4; 5 seeds of " +
      "the trained model",
  },
  deviations: [
    "The ODE drives the 10 distinct-token logits of one class by Theorem 3's premise " +
    "ż_l = η_Z ξ_n f²_{nl} with η_Z ξ_n = dB_n/dt and the common-token logit z taken from the " +
    "(u, z, B) system of scan-snap/bn-phase-transition (K = 1, C0 = 1, as there); P(l|n) is " +
    "the Syn-Small support (10 commons at 1, distinct linspace(0.1, 1, 10), normalised).",
    "The trained model has no observable B_n: we estimate its increments per step by least " +
    "squares, ξ̂_t = Σ_l Δz_l f²_l / Σ_l f⁴_l over the class's 10 distinct tokens (the " +
    "premise Δz_l = ξ f²_l), and allow the bounds a slack of 5 % of their gap for that " +
    "estimate, finite sequences (127 tokens) and momentum.",
    "The trained model is lib/science/scansnap/model.ts's trainBatched as token-composition " +
    "uses it: float32 tfjs with hand-written gradients; weights and momentum buffers are " +
    "flushed to exact zeros below lib/tf.ts's FLUSH thresholds (no subnormals).",
  ],
};

// ---------------------------------------------------------------- configuration
/** One panel of Scan & Snap's Fig. 9 (as in scan-snap/bn-phase-transition). */
interface Panel {
  name: string;
  M: number;
  nu: number;
  etaZ: number[];
  tMax: number;
}
const RIGHT: Panel = { name: "M=10000,nu=1", M: 10000, nu: 1, etaZ: [0.5, 1, 2, 4, 8], tMax: 50 };
const LEFT: Panel = { name: "M=100,nu=10", M: 100, nu: 10, etaZ: [0.5, 1, 2, 4, 8], tMax: 5 };

const CONFIG: Record<Profile, { panels: Panel[]; points: number; dt: number; seeds: number }> = {
  quick: { panels: [RIGHT], points: 160, dt: 1e-3, seeds: 2 },
  full: { panels: [RIGHT, LEFT], points: 400, dt: 1e-4, seeds: 5 },
};

/** token-composition's settings (replications/scan-snap/token-composition). */
const DATA = { numLast: 2, nextPerLast: 1, contextLength: 127 };
const TRAIN = { steps: 100, batchSize: 128, momentum: 0.9, etaZ: 1, etaY: 1 };

type Params =
  | {
    part: "ode";
    panel: string;
    M: number;
    nu: number;
    etaZ: number;
    tMax: number;
    points: number;
    dt: number;
  }
  | { part: "trained"; seed: number };

function grid({ profile, seed }: { profile: Profile; seed: number }): Params[] {
  const c = CONFIG[profile];
  const cells: Params[] = c.panels.flatMap((p) =>
    p.etaZ.map((etaZ) => ({
      part: "ode" as const,
      panel: p.name,
      M: p.M,
      nu: p.nu,
      etaZ,
      tMax: p.tMax,
      points: c.points,
      dt: c.dt,
    }))
  );
  for (let i = 0; i < c.seeds; i++) cells.push({ part: "trained", seed: seed + i });
  return cells;
}

/** One Syn-Small class's support: P(l|n) of its commons and of its distinct tokens. */
export function synSupport(): Support {
  const v = vocabulary({ numLast: 1, nextPerLast: 1, contextLength: 127 });
  return { common: v.prob[0].slice(0, NUM_COMMON), distinct: v.prob[0].slice(NUM_COMMON) };
}

/** Log-spaced output times from 1e-3·tMax to tMax, plus 0. */
function outputTimes(tMax: number, points: number): number[] {
  const lo = Math.log(1e-3 * tMax), hi = Math.log(tMax);
  return [
    0,
    ...Array.from({ length: points }, (_, i) => Math.exp(lo + ((hi - lo) * i) / (points - 1))),
  ];
}

/**
 * The quantities of Theorem 3 at one time for the dominant token l0 (index `l0` among the
 * distinct tokens): χ from the logits, the bounds, and the spread of r(t)/(r(0)χ) over l'.
 */
export function gainRow(
  s: Support,
  l0: number,
  z0: ArrayLike<number>,
  z: ArrayLike<number>,
  B: number,
  f0sq: number,
): Record<string, number> {
  const logChi = 2 * (z[l0] - z0[l0]);
  let spread = 0;
  for (let l = 0; l < s.distinct.length; l++) {
    if (l === l0) continue;
    const r0 = relativeGain(s.distinct[l0], z0[l0], s.distinct[l], z0[l]);
    const r = relativeGain(s.distinct[l0], z[l0], s.distinct[l], z[l]);
    spread = Math.max(spread, Math.abs(r / (r0 * Math.exp(logChi)) - 1));
  }
  const gap = 2 * B * (1 - f0sq);
  return {
    B,
    log_chi: logChi,
    log_lower: 2 * f0sq * B,
    log_upper: 2 * B,
    lower_margin: logChi - 2 * f0sq * B,
    upper_margin: 2 * B - logChi,
    position: gap > 0 ? (logChi - 2 * f0sq * B) / gap : NaN,
    r_spread: spread,
  };
}

// ---------------------------------------------------------------- cells
function odeCell(p: Extract<Params, { part: "ode" }>): Row[] {
  const s = synSupport();
  const n = s.distinct.length;
  const l0 = n - 1; // the most frequent distinct token
  const etaY = p.nu * p.etaZ;
  const times = outputTimes(p.tMax, p.points);
  const y0 = new Float64Array(3 + n + 1);
  const states = integrateRk4(
    relativeGainRhs({ M: p.M, etaZ: p.etaZ, etaY }, s, l0),
    0,
    y0,
    times,
    { dt: p.dt },
  );
  const zd0 = y0.subarray(3, 3 + n);
  const f0sq = distinctF2(s, 0, zd0)[l0];
  return times.map((t, i) => {
    const y = states[i];
    const g = gainRow(s, l0, zd0, y.subarray(3, 3 + n), y[2], f0sq);
    return {
      part: "ode",
      panel: p.panel,
      eta_z: p.etaZ,
      seed: -1,
      cls: 0,
      t,
      f0sq,
      z_common: y[1],
      ...g,
      // χ from the integral of Theorem 3's definition, exp(2∫f²_{l0} dB), vs from the logits
      chi_identity: Math.abs(2 * y[3 + n] - g.log_chi),
    };
  });
}

async function trainedCell(seed: number, ctx: CellContext): Promise<Row[]> {
  const tf = await ctx.tf();
  const steps = Array.from({ length: TRAIN.steps + 1 }, (_, i) => i);
  const res = await trainBatched(tf, {
    data: DATA,
    runs: [{ etaZ: TRAIN.etaZ, etaY: TRAIN.etaY, seed }],
    steps: TRAIN.steps,
    batchSize: TRAIN.batchSize,
    momentum: TRAIN.momentum,
    init: "zero",
    snapshotSteps: steps,
    onProgress: (d, t) => ctx.progress(d, t),
  });
  const { vocab } = res;
  const rows: Row[] = [];
  for (let n = 0; n < vocab.K; n++) {
    const s: Support = {
      common: vocab.prob[n].slice(0, NUM_COMMON),
      distinct: vocab.prob[n].slice(NUM_COMMON),
    };
    const ids = vocab.support[n].slice(NUM_COMMON);
    const m = vocab.query[n];
    const zAt = (k: number) => Float64Array.from(ids, (l) => res.z[k][0][m * vocab.M + l]);
    const commonAt = (k: number) => res.z[k][0][m * vocab.M + vocab.commons[0]];
    const l0 = s.distinct.length - 1;
    const z0 = zAt(0);
    // f² over the whole support: commons share one logit only at zero init, so use their mean
    const f2At = (k: number) => {
      const Z = res.z[k][0];
      const c = vocab.support[n].map((l, i) =>
        (vocab.prob[n][i] * Math.exp(Z[m * vocab.M + l])) ** 2
      );
      const tot = c.reduce((a, b) => a + b, 0);
      return c.slice(NUM_COMMON).map((x) => x / tot);
    };
    const f0sq = f2At(0)[l0];
    let B = 0;
    for (const k of steps) {
      if (k > 0) {
        const f2 = f2At(k - 1);
        const dz = zAt(k).map((v, i) => v - zAt(k - 1)[i]);
        let num_ = 0, den = 0;
        for (let i = 0; i < dz.length; i++) {
          num_ += dz[i] * f2[i];
          den += f2[i] * f2[i];
        }
        B += num_ / den;
      }
      const g = gainRow(s, l0, z0, zAt(k), B, f0sq);
      rows.push({
        part: "trained",
        panel: "token-composition",
        eta_z: TRAIN.etaZ,
        seed,
        cls: n,
        t: k,
        f0sq,
        z_common: commonAt(k),
        ...g,
        chi_identity: NaN,
      });
    }
  }
  return rows;
}

function cell(p: Params, ctx: CellContext): Row[] | Promise<Row[]> {
  return p.part === "ode" ? odeCell(p) : trainedCell(p.seed, ctx);
}

// ---------------------------------------------------------------- claim check
/** ODE: the bounds hold up to Float64 rounding of the logits. */
const ODE_SLACK = 1e-9;
/** ODE: r(t) = r(0)χ(t) for every l', and χ from the logits = exp(2∫f²_{l0} dB) (RK4). */
const IDENTITY_TOL = 1e-8;
/** Trained model: slack, as a fraction of the gap 2B(1 − f²(0)) between the two log-bounds. */
const TRAINED_SLACK = 0.05;
/** Trained model: B̂ below this (the first, zero-gradient step) leaves the bounds at 0 = 0. */
const B_MIN = 1e-6;

/**
 * The paper's assertion. ODE (every panel and η): (1) the lower bound 2 f²(0) B ≤ ln χ and
 * (2) the upper bound ln χ ≤ 2B hold at every output time (to 1e-9); (3) r_{l0/l'}(t) =
 * r_{l0/l'}(0)·χ_{l0}(t) for every l' and χ = exp(2∫ f² dB) (to 1e-8). Trained model (every
 * seed, class and step with B̂ > 0): (4) both bounds hold within 5 % of their gap. The
 * tightest margins are reported; the trained model's identity spread is reported only.
 */
export function check(rows: Row[], _profile?: Profile): CheckResult {
  const items: CheckItem[] = [];
  const ode = where(rows, { part: "ode" }).filter((r) => num(r, "t") > 0);
  const minLo = Math.min(...ode.map((r) => num(r, "lower_margin")));
  const minUp = Math.min(...ode.map((r) => num(r, "upper_margin")));
  const tightLo = ode.reduce(
    (a, r) => (num(r, "lower_margin") < num(a, "lower_margin") ? r : a),
    ode[0],
  );
  const tightUp = ode.reduce(
    (a, r) => (num(r, "upper_margin") < num(a, "upper_margin") ? r : a),
    ode[0],
  );
  const posMin = Math.min(...ode.map((r) => num(r, "position")));
  const posMax = Math.max(...ode.map((r) => num(r, "position")));
  items.push(holds(
    `ODE (${
      groupBy(ode, "eta_z").size
    } η per panel, ${ode.length} times): lower bound e^{2f²(0)B} ≤ χ`,
    minLo >= -ODE_SLACK,
    `tightest ln χ − 2f²(0)B = ${fmt(minLo)} (panel ${tightLo?.panel}, η_Z ${tightLo?.eta_z}, ` +
      `t = ${fmt(tightLo ? num(tightLo, "t") : NaN)})`,
    `≥ −${fmt(ODE_SLACK)}`,
  ));
  items.push(holds(
    "ODE: upper bound χ ≤ e^{2B}",
    minUp >= -ODE_SLACK,
    `tightest 2B − ln χ = ${fmt(minUp)} (panel ${tightUp?.panel}, η_Z ${tightUp?.eta_z}, ` +
      `t = ${fmt(tightUp ? num(tightUp, "t") : NaN)}); χ sits at ${fmt(posMin, { digits: 3 })}–` +
      `${fmt(posMax, { digits: 3 })} of the log-gap`,
    `≥ −${fmt(ODE_SLACK)}`,
  ));
  const idWorst = Math.max(...ode.map((r) => Math.max(num(r, "r_spread"), num(r, "chi_identity"))));
  items.push(atMost(
    "ODE: r_{l0/l'}(t) = r_{l0/l'}(0)·χ_{l0}(t) for every l', χ = exp(2∫f²_{l0} dB)",
    idWorst,
    IDENTITY_TOL,
  ));
  const tr = where(rows, { part: "trained" }).filter((r) => num(r, "B") > B_MIN);
  const pos = tr.map((r) => num(r, "position"));
  const trMin = Math.min(...pos), trMax = Math.max(...pos);
  const spread = Math.max(...tr.map((r) => num(r, "r_spread")));
  items.push(holds(
    `trained model (${groupBy(tr, "seed").size} seeds × 2 classes × ${
      groupBy(tr, "t").size
    } steps): e^{2f²(0)B̂} ≤ χ ≤ e^{2B̂}`,
    trMin >= -TRAINED_SLACK && trMax <= 1 + TRAINED_SLACK,
    `χ's position in the log-gap [2f²(0)B̂, 2B̂]: ${fmt(trMin, { digits: 3 })} … ${
      fmt(trMax, { digits: 3 })
    }`,
    `within [−${TRAINED_SLACK}, 1 + ${TRAINED_SLACK}]`,
  ));
  return verdictOf(
    items,
    `ODE: tightest margins ${fmt(minLo)} (lower), ${fmt(minUp)} (upper), identity to ` +
      `${fmt(idWorst)}; trained: χ at ${fmt(trMin, { digits: 3 })}–${
        fmt(trMax, { digits: 3 })
      } of ` +
      `the gap, r(t)/(r(0)χ) − 1 up to ${fmt(spread, { digits: 2 })} (not asserted)`,
    [0, 1, 2],
  );
}

// ---------------------------------------------------------------- the replication
export default defineReplication<Params>({
  title: "Scan & Snap Theorem 3: the dominant token's gain is bounded by e^{2f²B_n} and e^{2B_n}",
  claim,
  grid,
  cell,
  cost: (p) => (p.part === "ode" ? (p.tMax / p.dt) * 4e-6 : 1.5),
  check,
  tolerances: {
    keys: ["part", "panel", "eta_z", "seed", "cls", "t"],
    columns: {
      r_spread: {
        atol: 2e-3,
        why: "ratio of relative gains: a float32 logit drift of 3.3e-5 across backends moves it " +
          "by ~1e-4 on trained rows (ODE rows are ~1e-13 and checked by the claim check)",
      },
      position: {
        atol: 0.05,
        rtol: 0.01,
        why: "ln χ's offset over the bound gap, which is ~1e-3 at the first updates: a 3.3e-5 " +
          "cross-backend logit drift moves it by up to ~0.05 there",
      },
      chi_identity: { atol: 1e-9, why: "difference of two RK4 integrals, rounding level" },
    },
    default: {
      atol: 2e-4,
      rtol: 5e-3,
      why: "ODE rows are Float64 (reproduce to ~1e-12); trained rows come from float32 tfjs " +
        "training, whose logits drift ≤ 3.3e-5 across backends (token-composition's " +
        "measurement), here summed over ≤ 100 steps into B̂",
    },
  },
  recorded: {
    quick: {
      verdict: "PARTIAL",
      why: "ODE: both bounds hold at every time of every run (tightest margins 1.1e-8 lower, " +
        "5.8e-4 upper; identity to 2e-13). Trained model: from the third update on χ sits at " +
        "0.018–0.113 of the log-gap, but at the second update (the first non-zero Z " +
        "gradient, B̂ = 6e-4–7e-3) z_{l0} dips by ≤ 8e-4: position −0.23 and −0.13, outside " +
        "the 5 % slack.",
    },
    full: {
      verdict: "PARTIAL",
      why: "As quick (ODE on both Fig. 9 panels: margins 1.1e-10 and 5.7e-5, identity 8e-14). " +
        "Trained, 5 seeds: every step ≥ 4 lies inside the bounds; at steps 2–3 (B̂ ≤ 0.03) " +
        "5 of 10 runs leave the 5 % slack (positions −0.23 … 1.35, |Δ ln χ| ≤ 6e-3).",
    },
  },
});

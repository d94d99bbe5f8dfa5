/**
 * Finite groups for the Li² group-arithmetic tasks: Cayley tables and the real isotypic
 * decomposition of the regular representation (the irreps of Li² Theorem 2, with complex
 * conjugate pairs merged into one real subspace).
 *
 * Elements are 0..M−1; `mul[a*M + b]` is the index of a·b. An {@link IrrepClass} is a real
 * isotypic subspace of functions on the group: either one real irrep of dimension d
 * (subspace dimension d²) or a complex-conjugate pair of complex irreps of dimension d
 * (subspace dimension 2d²). Its real character χ (χ_k + conj χ_k for a pair) gives the
 * orthogonal projector P[x][y] = (d/M)·χ(x·y⁻¹) onto the subspace.
 *
 * @module
 */

/** One real isotypic class of the regular representation. */
export interface IrrepClass {
  /** Label, e.g. "k=3" (cyclic frequency pair), "nyquist", "rho_2" (dihedral 2-dim). */
  label: string;
  /** Dimension d_k of the (complex) irrep. */
  dim: number;
  /** "real": a real irrep; "complex-pair": a complex irrep together with its conjugate. */
  kind: "real" | "complex-pair";
  /** Whether this is the trivial irrep. */
  trivial: boolean;
  /** The real character χ (summed over the pair for complex pairs), length M. */
  character: Float64Array;
  /**
   * Li² Theorem 2's energy at a local maximum in this class for unit-norm input rows and
   * ‖w‖ = 1: M/(8 d) for a real irrep, M/(16 d) for a complex pair (NaN for the trivial one).
   */
  predictedEnergy: number;
}

/** A finite group given by its Cayley table and its real isotypic classes. */
export interface FiniteGroup {
  /** Name, e.g. "Z_13" or "D_7". */
  name: string;
  /** Order M. */
  order: number;
  /** Cayley table, `mul[a*M + b]` = a·b. */
  mul: Int32Array;
  /** Inverse of each element. */
  inv: Int32Array;
  /** The real isotypic classes, trivial first. */
  irreps: IrrepClass[];
}

function predicted(M: number, dim: number, kind: IrrepClass["kind"], trivial: boolean): number {
  if (trivial) return NaN;
  return kind === "real" ? M / (8 * dim) : M / (16 * dim);
}

/** The cyclic group Z_M (modular addition): frequency pairs {k, M−k}, and the Nyquist class for even M. */
export function cyclicGroup(M: number): FiniteGroup {
  if (!(M >= 2 && Number.isInteger(M))) throw new RangeError(`cyclicGroup: M=${M}`);
  const mul = new Int32Array(M * M);
  const inv = new Int32Array(M);
  for (let a = 0; a < M; a++) {
    inv[a] = (M - a) % M;
    for (let b = 0; b < M; b++) mul[a * M + b] = (a + b) % M;
  }
  const irreps: IrrepClass[] = [];
  const char = (f: (g: number) => number) => Float64Array.from({ length: M }, (_, g) => f(g));
  irreps.push({
    label: "k=0",
    dim: 1,
    kind: "real",
    trivial: true,
    character: char(() => 1),
    predictedEnergy: NaN,
  });
  for (let k = 1; 2 * k < M; k++) {
    irreps.push({
      label: `k=${k}`,
      dim: 1,
      kind: "complex-pair",
      trivial: false,
      character: char((g) => 2 * Math.cos(2 * Math.PI * k * g / M)),
      predictedEnergy: predicted(M, 1, "complex-pair", false),
    });
  }
  if (M % 2 === 0) {
    irreps.push({
      label: `k=${M / 2}`,
      dim: 1,
      kind: "real",
      trivial: false,
      character: char((g) => (g % 2 === 0 ? 1 : -1)),
      predictedEnergy: predicted(M, 1, "real", false),
    });
  }
  return { name: `Z_${M}`, order: M, mul, inv, irreps };
}

/**
 * The dihedral group D_n of order M = 2n (symmetries of the n-gon), n ≥ 3. Element s·n + j is
 * s^s r^j (s ∈ {0,1}); relations r^n = s² = 1, r s = s r⁻¹. Irreps (all real): trivial, sign,
 * for even n two more 1-dim ones, and the 2-dim rotation irreps ρ_h, 1 ≤ h < n/2.
 */
export function dihedralGroup(n: number): FiniteGroup {
  if (!(n >= 3 && Number.isInteger(n))) throw new RangeError(`dihedralGroup: n=${n}`);
  const M = 2 * n;
  const mod = (x: number) => ((x % n) + n) % n;
  const mul = new Int32Array(M * M);
  for (let x = 0; x < M; x++) {
    const sx = x >= n ? 1 : 0, jx = x % n;
    for (let y = 0; y < M; y++) {
      const sy = y >= n ? 1 : 0, jy = y % n;
      // s^sx r^jx · s^sy r^jy = s^(sx+sy) r^((sy ? -jx : jx) + jy)
      const s = (sx + sy) % 2;
      const j = mod((sy ? -jx : jx) + jy);
      mul[x * M + y] = s * n + j;
    }
  }
  const inv = new Int32Array(M);
  for (let x = 0; x < M; x++) {
    for (let y = 0; y < M; y++) if (mul[x * M + y] === 0) inv[x] = y;
  }
  const char = (f: (s: number, j: number) => number) =>
    Float64Array.from({ length: M }, (_, g) => f(g >= n ? 1 : 0, g % n));
  const one = (label: string, f: (s: number, j: number) => number, trivial = false) => ({
    label,
    dim: 1,
    kind: "real" as const,
    trivial,
    character: char(f),
    predictedEnergy: predicted(M, 1, "real", trivial),
  });
  const irreps: IrrepClass[] = [one("trivial", () => 1, true), one("sign", (s) => (s ? -1 : 1))];
  if (n % 2 === 0) {
    irreps.push(one("alt_r", (_s, j) => (j % 2 ? -1 : 1)));
    irreps.push(one("alt_rs", (s, j) => ((s + j) % 2 ? -1 : 1)));
  }
  for (let h = 1; 2 * h < n; h++) {
    irreps.push({
      label: `rho_${h}`,
      dim: 2,
      kind: "real",
      trivial: false,
      character: char((s, j) => (s ? 0 : 2 * Math.cos(2 * Math.PI * h * j / n))),
      predictedEnergy: predicted(M, 2, "real", false),
    });
  }
  return { name: `D_${n}`, order: M, mul, inv, irreps };
}

/** Dimension of an isotypic class's subspace of functions on the group (d² or 2d²). */
export function classDimension(c: IrrepClass): number {
  return (c.kind === "real" ? 1 : 2) * c.dim * c.dim;
}

/** The orthogonal projector (M×M, row-major) onto an isotypic class: P[x][y] = (d/M)·χ(x·y⁻¹). */
export function isotypicProjector(g: FiniteGroup, c: IrrepClass): Float64Array {
  const M = g.order;
  const P = new Float64Array(M * M);
  for (let x = 0; x < M; x++) {
    for (let y = 0; y < M; y++) P[x * M + y] = (c.dim / M) * c.character[g.mul[x * M + g.inv[y]]];
  }
  return P;
}

/** Projectors of every class of a group, in `g.irreps` order. */
export function isotypicProjectors(g: FiniteGroup): Float64Array[] {
  return g.irreps.map((c) => isotypicProjector(g, c));
}

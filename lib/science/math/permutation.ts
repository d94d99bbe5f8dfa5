/**
 * Permutations in lexicographic order — the order of Python's `itertools.permutations` over
 * `range(n)` — for searches that must keep the FIRST strict minimum (ties are broken by
 * visiting order, so the order is part of the result).
 *
 * @module
 */

/**
 * Every permutation of 0..n−1 in lexicographic order, starting with the identity. The same
 * array is yielded each time and mutated afterwards: copy it (`[...p]`) to keep one.
 *
 * @example
 * ```ts
 * // copy inside the loop: the yielded array is reused
 * for (const p of permutations(3)) console.log(p.join("")); // 012 021 102 120 201 210
 * ```
 */
export function* permutations(n: number): Generator<readonly number[]> {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`permutations: bad n ${n}`);
  const p = Array.from({ length: n }, (_, i) => i);
  yield p;
  while (nextPermutation(p)) yield p;
}

/**
 * Rearrange `p` in place into its lexicographic successor (Narayana's algorithm); return
 * false (leaving `p` sorted descending) when `p` is the last permutation.
 */
export function nextPermutation(p: number[]): boolean {
  let i = p.length - 2;
  while (i >= 0 && p[i] >= p[i + 1]) i--;
  if (i < 0) return false;
  let j = p.length - 1;
  while (p[j] <= p[i]) j--;
  [p[i], p[j]] = [p[j], p[i]];
  for (let l = i + 1, r = p.length - 1; l < r; l++, r--) [p[l], p[r]] = [p[r], p[l]];
  return true;
}

/**
 * The first permutation (in lexicographic order) with the strictly smallest cost: later
 * permutations replace the best only when their cost is strictly lower (NaN never wins).
 * Returns a copy.
 */
export function argminPermutation(
  n: number,
  cost: (p: readonly number[]) => number,
): { perm: number[]; cost: number } {
  let best = Infinity;
  let perm: number[] | null = null;
  for (const p of permutations(n)) {
    const c = cost(p);
    if (c < best) {
      best = c;
      perm = [...p];
    }
  }
  // no finite cost at all: the identity (the first permutation visited)
  return { perm: perm ?? Array.from({ length: n }, (_, i) => i), cost: best };
}

/**
 * Mid-ranks (R's `rank(ties.method = "average")`) and the tie structure used by the rank tests.
 */

/** Ranks 1..n with ties given their average rank. Example: `midRanks([10, 20, 10])` = [1.5, 3, 1.5]. */
export function midRanks(x: readonly number[]): number[] {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Array<number>(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Sizes of the groups of tied values (only groups of size ≥ 2). Example: `tieGroupSizes([1,1,2,3,3,3])` = [2, 3]. */
export function tieGroupSizes(x: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of x) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.values()].filter((c) => c > 1);
}

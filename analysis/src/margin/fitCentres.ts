/**
 * Fit centres of a surface's local patches: a greedy Poisson-disc subset of its samples, no two closer
 * than a given spacing. A patch's window spans several voxels, so neighbouring samples would refit
 * nearly the same data; one patch per centre and each sample served by its nearest centre suffice.
 */

/**
 * Greedy Poisson-disc subset of the points: a point becomes a centre unless one already chosen lies
 * within `spacingMm` (a hash of cells of that size; each point checks the 27 cells around it).
 */
export function selectCentres(points: Float64Array, count: number, spacingMm: number): Int32Array {
  const chosen: number[] = [];
  const cells = new Map<number, number[]>();
  const key = (a: number, b: number, c: number) => (a * 73856093) ^ (b * 19349663) ^ (c * 83492791);
  const s2 = spacingMm * spacingMm;
  for (let j = 0; j < count; j++) {
    const x = points[3 * j];
    const y = points[3 * j + 1];
    const z = points[3 * j + 2];
    const ci = Math.floor(x / spacingMm);
    const cj = Math.floor(y / spacingMm);
    const ck = Math.floor(z / spacingMm);
    let near = false;
    for (let a = -1; a <= 1 && !near; a++) {
      for (let b = -1; b <= 1 && !near; b++) {
        for (let c = -1; c <= 1 && !near; c++) {
          const list = cells.get(key(ci + a, cj + b, ck + c));
          if (!list) continue;
          for (const k of list) {
            const dx = points[3 * k] - x;
            const dy = points[3 * k + 1] - y;
            const dz = points[3 * k + 2] - z;
            // (a tie at exactly the spacing, common on a lattice, must not hang on coordinate rounding)
            if (dx * dx + dy * dy + dz * dz < s2 * (1 - 1e-6)) {
              near = true;
              break;
            }
          }
        }
      }
    }
    if (near) continue;
    chosen.push(j);
    const k0 = key(ci, cj, ck);
    const list = cells.get(k0);
    if (list) list.push(j);
    else cells.set(k0, [j]);
  }
  return Int32Array.from(chosen);
}

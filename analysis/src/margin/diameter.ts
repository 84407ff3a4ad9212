/**
 * Maximum 3-D diameter of a point set (the tumor's surface samples): the largest pairwise distance.
 * Exact by exhaustive search with pruning: with points sorted by distance r from their centroid,
 * |p − q| ≤ r_p + r_q ≤ r_p + r_max, so once r_p + r_max cannot beat the best pair no later p can.
 * Cost is O(n²) in the worst case (n is a few thousand surface samples, a few ms).
 */

/**
 * Largest distance (same unit as the coordinates) between two of `count` points stored x y z
 * interleaved. Example: the six points (±1, 0, 0), (0, ±2, 0), (0, 0, ±3) give 6.
 */
export function maxPairwiseDistance(points: Float64Array, count: number): number {
  if (count < 2) return 0;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  for (let i = 0; i < count; i++) {
    cx += points[3 * i];
    cy += points[3 * i + 1];
    cz += points[3 * i + 2];
  }
  cx /= count;
  cy /= count;
  cz /= count;
  const radius = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    radius[i] = Math.hypot(points[3 * i] - cx, points[3 * i + 1] - cy, points[3 * i + 2] - cz);
  }
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => radius[b] - radius[a]);
  const sorted = new Float64Array(3 * count);
  for (let t = 0; t < count; t++) sorted.set(points.subarray(3 * order[t], 3 * order[t] + 3), 3 * t);
  const rMax = radius[order[0]];
  let best2 = 0;
  for (let a = 0; a < count; a++) {
    const ra = radius[order[a]];
    const bound = ra + rMax;
    if (bound * bound <= best2) break;
    const ax = sorted[3 * a];
    const ay = sorted[3 * a + 1];
    const az = sorted[3 * a + 2];
    for (let b = 0; b < a; b++) {
      const dx = sorted[3 * b] - ax;
      const dy = sorted[3 * b + 1] - ay;
      const dz = sorted[3 * b + 2] - az;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 > best2) best2 = d2;
    }
  }
  return Math.sqrt(best2);
}

/**
 * What a uniform change of the ice ball does to a margin.
 *
 * Growing the ice ball I by Δ mm everywhere (Minkowski sum with a ball of radius Δ, I ⊕ B_Δ) changes the
 * signed distance s(p) of every tumor point p (positive inside the ice ball) as follows:
 * - p outside I at distance d (s = −d): its distance to I ⊕ B_Δ is exactly max(d − Δ, 0), so while
 *   d > Δ the new signed distance is exactly s + Δ (the nearest ice point moves Δ towards p).
 * - p inside I at depth s, or reached by the growth: the ball B(p, s + Δ) lies in I ⊕ B_Δ (triangle
 *   inequality), so the new signed distance is ≥ s + Δ, with equality when I is convex (every supporting
 *   plane moves out by Δ) and possibly more in a concavity of I that the growth fills.
 * Shrinking by |Δ| (erosion I ⊖ B_|Δ|) is the mirror image: exact (s − |Δ|) for points deeper than |Δ|,
 * and ≤ s − |Δ| elsewhere.
 *
 * The MTM is the minimum of s over the tumor, so MTM(Δ) = MTM + Δ exactly when growing leaves the tumor
 * uncovered (MTM + Δ ≤ 0: the minimum is attained by an outside point) or when shrinking leaves it covered
 * (MTM + Δ ≥ 0), and for a convex ice ball when growing. Otherwise MTM + Δ is a bound on the side of caution:
 * a lower bound when growing (the true margin can only be larger), an upper bound when shrinking. On voxel
 * masks the shift is further limited by the voxel size (the masks themselves move in voxel steps).
 * Physically an ice ball does not grow uniformly (it grows least where a vessel warms it): Δ models a
 * uniform planning error, not a freeze.
 */

/**
 * The MTM after a uniform Δ-mm change of the ice ball: MTM + Δ (see the module comment for when this is
 * exact and when it is a bound). Example: `shiftedMarginMm(-3, 2)` = −1 (exact: still uncovered).
 */
export function shiftedMarginMm(mtmMm: number, iceballDeltaMm: number): number {
  return mtmMm + iceballDeltaMm;
}

/**
 * Whether MTM + Δ is exact for any ice-ball shape: growing that leaves the tumor uncovered
 * (MTM + Δ ≤ 0), shrinking that leaves it covered (MTM + Δ ≥ 0), or Δ = 0.
 * Example: `isShiftExact(-3, 2)` = true; `isShiftExact(-1, 2)` = false (a lower bound).
 */
export function isShiftExact(mtmMm: number, iceballDeltaMm: number): boolean {
  if (iceballDeltaMm === 0) return true;
  const shifted = mtmMm + iceballDeltaMm;
  return iceballDeltaMm > 0 ? shifted <= 0 : shifted >= 0;
}

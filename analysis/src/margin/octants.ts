/**
 * Octants of the tumor: split through its centroid along the world RAS axes. In NIfTI's RAS+ world
 * x increases from the patient's left to the patient's Right, y from posterior to Anterior, z from
 * inferior to Superior (nifti1.h: "+x = Right +y = Anterior +z = Superior"). So a point with
 * x ≥ centroid x is on the patient's right, y ≥ centroid y anterior, z ≥ centroid z superior
 * (ties, a measure-zero set, go to right / anterior / superior).
 */
import type { OctantName } from "./types.js";

/** The eight names, indexed by {@link octantIndex}. */
export const OCTANT_NAMES: readonly OctantName[] = [
  "right-anterior-superior",
  "right-anterior-inferior",
  "right-posterior-superior",
  "right-posterior-inferior",
  "left-anterior-superior",
  "left-anterior-inferior",
  "left-posterior-superior",
  "left-posterior-inferior",
];

/**
 * Octant index (into {@link OCTANT_NAMES}) of a point given its offset from the centroid, RAS mm.
 * Example: `OCTANT_NAMES[octantIndex(-3, 1, -2)]` is "left-anterior-inferior".
 */
export function octantIndex(dxRightMm: number, dyAnteriorMm: number, dzSuperiorMm: number): number {
  return (dxRightMm >= 0 ? 0 : 4) + (dyAnteriorMm >= 0 ? 0 : 2) + (dzSuperiorMm >= 0 ? 0 : 1);
}

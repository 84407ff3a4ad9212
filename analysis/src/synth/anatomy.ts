/**
 * Where things are in the synthetic patient (world RAS mm, origin at the body's centre at kidney
 * level): kidneys, the tumor's seat on its kidney (side, pole, anterior/posterior site), the probes'
 * approach, and the scanner grids. Rough adult anatomy — the kidneys' hila ≈ 5 cm from the midline,
 * their long axes tilted with the upper poles medial and posterior — enough for plausible images and
 * octant names, not an atlas.
 */
import type { ClinicalCode } from "../cohort/schema.js";
import type { Mat4, OctantName, Vec3 } from "../margin/types.js";
import type { Random } from "../stats/random.js";
import { type Ellipsoid, ellipsoidAxis, ellipsoidFromAxes } from "./ellipsoid.js";
import { uniform } from "./sampling.js";
import { addScaled, cross, normalize, rotateAbout } from "./vector.js";
import type { GridSpec } from "./voxelize.js";

/** Voxel spacing of the paper's T2-weighted HASTE scans: 1.2 × 1.2 mm in plane, 3.0 mm slices. */
export const HASTE_SPACING_MM: Vec3 = [1.2, 1.2, 3.0];

/** Grid size of the synthetic scans: 288 × 240 × 48 voxels = 346 × 288 × 144 mm (an axial abdominal FOV). */
export const SCAN_DIMS: [number, number, number] = [288, 240, 48];

/** +1 for the patient's right (RAS +x), −1 for the left. */
export function sideSign(side: ClinicalCode<"side">): number {
  return side === "right" ? 1 : -1;
}

/** The kidney on `side` as an ellipsoid: 55 × 28 × 22 mm semi-axes, long axis tilted 15° medially and 10° back at the top. */
export function kidney(side: ClinicalCode<"side">): Ellipsoid {
  const s = sideSign(side);
  const center: Vec3 = [s * 75, -45, side === "left" ? 5 : -10];
  const long = normalize([-s * Math.tan((15 * Math.PI) / 180), -Math.tan((10 * Math.PI) / 180), 1]);
  const lateral = normalize(cross([0, 1, 0], long));
  const ap = cross(long, lateral);
  return ellipsoidFromAxes(center, [long, lateral, ap], [55, 28, 22]);
}

/**
 * Centre of a tumor of diameter d on its kidney: at the kidney surface point toward the site (anterior
 * or posterior, and lateral), at the pole's height, sunk by a third of its radius (partly exophytic).
 */
export function tumorSeat(
  side: ClinicalCode<"side">,
  location: ClinicalCode<"location">,
  site: ClinicalCode<"site">,
  diameterMm: number,
  rng: Random,
): Vec3 {
  const k = kidney(side);
  const [long, lateral, ap] = [ellipsoidAxis(k, 0), ellipsoidAxis(k, 1), ellipsoidAxis(k, 2)];
  const along = location === "upper_pole" ? 0.6 : location === "lower_pole" ? -0.6 : uniform(rng, -0.15, 0.15);
  const apSign = site === "anterior" ? 1 : -1;
  // Direction from the kidney centre in its frame: mostly lateral and toward the site.
  const local = normalize([along, uniform(rng, 0.5, 0.9), apSign * uniform(rng, 0.6, 1.0)]);
  const dir = normalize([
    local[0] * long[0] + local[1] * lateral[0] + local[2] * ap[0],
    local[0] * long[1] + local[1] * lateral[1] + local[2] * ap[1],
    local[0] * long[2] + local[1] * lateral[2] + local[2] * ap[2],
  ]);
  // Distance to the kidney surface along dir: 1/√Σ (dir·eₖ / aₖ)².
  const [a0, a1, a2] = k.semiAxesMm;
  const dots = [long, lateral, ap].map((e) => dir[0] * e[0] + dir[1] * e[1] + dir[2] * e[2]);
  const rho = 1 / Math.sqrt((dots[0] / a0) ** 2 + (dots[1] / a1) ** 2 + (dots[2] / a2) ** 2);
  return addScaled(k.centre, dir, rho - diameterMm / 6);
}

/** Unit vector of an octant's diagonal: right/left → ±x, anterior/posterior → ±y, superior/inferior → ±z. */
export function octantDirection(octant: OctantName): Vec3 {
  const [lr, ap, si] = octant.split("-");
  return normalize([lr === "right" ? 1 : -1, ap === "anterior" ? 1 : -1, si === "superior" ? 1 : -1]);
}

/**
 * The probes' insertion direction for a percutaneous posterior approach (prone patient): from the back
 * toward the front, angled medially by 15–30° and cranio-caudally by up to ±15°.
 */
export function approachDirection(side: ClinicalCode<"side">, rng: Random): Vec3 {
  const s = sideSign(side);
  const medial = (uniform(rng, 15, 30) * Math.PI) / 180;
  const cranial = (uniform(rng, -15, 15) * Math.PI) / 180;
  const base: Vec3 = [-s * Math.sin(medial), Math.cos(medial), 0];
  return normalize(rotateAbout(base, [1, 0, 0], cranial));
}

/**
 * An axial scanner grid centred at `centerRas`: i runs right → left and j anterior → posterior (the
 * storage of DICOM-derived NIfTI), k inferior → superior; voxel (i, j, k) at centre + diag(−1.2, −1.2, 3)·(idx − (n − 1)/2),
 * every matrix entry rounded to float32 (the precision of the NIfTI sform).
 */
export function axialGrid(centerRas: Readonly<Vec3>): GridSpec {
  const [sx, sy, sz] = HASTE_SPACING_MM;
  const [nx, ny, nz] = SCAN_DIMS;
  const m: Mat4 = new Float64Array(16);
  m[0] = -sx;
  m[5] = -sy;
  m[10] = sz;
  m[15] = 1;
  m[3] = centerRas[0] + (sx * (nx - 1)) / 2;
  m[7] = centerRas[1] + (sy * (ny - 1)) / 2;
  m[11] = centerRas[2] - (sz * (nz - 1)) / 2;
  // NIfTI stores the sform in float32: use exactly the values the file will hold, so a mask measured
  // in memory and the same mask read back from disk are the same geometry.
  for (let i = 0; i < 16; i++) m[i] = Math.fround(m[i]);
  return { dims: [nx, ny, nz], voxelToWorld: m };
}

/**
 * A small rigid motion between the two scans, as a pre → post world transform x ↦ R x + t: rotation
 * about a random axis by up to `maxDegrees`, translation up to `maxMm` per axis.
 */
export function patientMotion(rng: Random, maxDegrees = 4, maxMm = 5): Mat4 {
  const axis = normalize([uniform(rng, -1, 1), uniform(rng, -1, 1), uniform(rng, -1, 1)]);
  const angle = (uniform(rng, 0.5, maxDegrees) * Math.PI) / 180;
  const m: Mat4 = new Float64Array(16);
  for (let c = 0; c < 3; c++) {
    const e: Vec3 = [c === 0 ? 1 : 0, c === 1 ? 1 : 0, c === 2 ? 1 : 0];
    const col = rotateAbout(e, axis, angle);
    for (let r = 0; r < 3; r++) m[4 * r + c] = col[r];
  }
  for (let r = 0; r < 3; r++) m[4 * r + 3] = uniform(rng, -maxMm, maxMm);
  m[15] = 1;
  return m;
}

/**
 * Signed distance to a mask's reconstructed surface, positive inside (the engine's sign convention):
 * the distance from the nearest surface sample's disc, the sign from the mask wherever the mask can
 * decide it.
 *
 * Distance. Each refined sample s (outward unit normal n) stands for a disc of the surface of radius ρ
 * about s in its tangent plane (a surfel): with the query y at height h = (s − y)·n above that plane and
 * lateral offset ℓ from s, the distance to the disc is √(h² + max(0, ℓ − ρ)²). Within the disc that is
 * the tangent-plane distance |h|: with samples δ apart along a surface of curvature radius R, it misreads
 * the distance by about (R ± d)·(δ / 2R)² / 2 — below 0.02 mm for δ ≤ 1.5 mm, R ≥ 10 mm — where |y − s|
 * alone would be off by up to δ/2. Beyond the disc the plane is not trusted: the distance is never less
 * than |y − s| − ρ, so a sample whose normal is wrong (at a crease, a seam, a sliver the grid cannot
 * resolve) cannot read a point deep in the solid as near its surface. ρ is the surface's covering
 * radius, 0.6 × the coarsest spacing (rims of slices 3 mm apart leave points 1.5 mm from the nearest
 * sample).
 *
 * Sign. The nearest tangent plane says which side y is on, and is right near a smooth surface; at a
 * seam where two solids of a union meet, or beside a pocket a few voxels wide, it can be wrong by the
 * whole distance (a point inside one solid, beside the other's surface, sits behind the plane of that
 * surface). The mask itself decides wherever it can: the eight voxel centres around y are inside or
 * outside the object exactly, and when they agree, a surface can cross their cell only as a shallow
 * cap between them (CELL_CLIP_MM deep at most), so beyond that distance y is on their side. In a cell
 * the surface crosses (its centres disagree: within a voxel diagonal of the surface), the sign is the
 * tangent plane's when y lies over the sample's disc and the plane puts the cell's corner nearest to y
 * on that corner's own side, else the mask's (the trilinear level, ≥ ½ inside, off the disc; the
 * nearest corner's class when the plane misplaces it) — unless the distance claimed for that side
 * exceeds the distance to the cell's nearest corner of the other class (the surface must pass between
 * y and that corner), which then decides; and the distance is never more than that corner's.
 */
import { invertAffine, voxelSpacingMm } from "./affine.js";
import { nearestPoint, nearestPointNear, type PointsNear, type PointTree } from "./kdTree.js";
import type { SurfaceSamples } from "./surface.js";
import type { MaskVolume, Mat4 } from "./types.js";

/** The samples a signed distance reads: positions and outward unit normals (world). */
export type SurfelSamples = Pick<SurfaceSamples, "count" | "points" | "normals">;

/** What the signed distance of one mask needs: its refined samples, their tree, and the mask. */
export interface SignedDistanceField {
  samples: SurfelSamples;
  tree: PointTree;
  mask: MaskVolume;
  /** World → voxel index matrix of the mask. */
  worldToVoxel: Mat4;
  /** Disc radius ρ of each sample, mm. */
  discRadiusMm: number;
  /** In a cell whose eight voxel centres agree, the mask decides the sign beyond this distance, mm. */
  cellClipMm: number;
  /** A tangent plane may misplace a voxel centre by this much before the centre's class overrules it, mm. */
  planeToleranceMm: number;
  /**
   * Samples at exactly the same distance from a query: the lowest index is read (the distance is then a
   * function of the point alone), else the first found (which depends on the hint).
   */
  lowestIndexAtTie: boolean;
  /** Further surfels at some samples' points, or null (one surfel per sample). */
  moreNormals: MoreNormals | null;
}

/**
 * Several surfels at one sample's point: sample s also carries the unit normals
 * `normals[3t..3t+2]` for t in [start[s], start[s + 1]), and its reading is the lowest or the highest
 * over all its surfels.
 */
export interface MoreNormals {
  start: Int32Array;
  normals: Float64Array;
  pick: "lowest" | "highest";
}

/** Options of {@link signedDistanceField}. */
export interface SignedDistanceOptions {
  /** Break exact ties between samples by index (default false: the first found). */
  lowestIndexAtTie?: boolean;
  /** Further surfels per sample (default none). */
  moreNormals?: MoreNormals;
}

/** Fraction of the coarsest voxel spacing used as the samples' disc radius (covering radius). */
const DISC_RADIUS_SPACINGS = 0.6;
/**
 * How deep a smooth surface can dip into a grid cell without changing the class of any of its eight
 * voxel centres, mm: a cap of curvature radius R entering through a cell face between its corners has
 * a base radius at most half the face's diagonal, hence a depth ≤ (diagonal/2)²/(2R) — 0.13 mm for
 * R = 10 mm, 0.26 mm for R = 5 mm through a 1.2 × 3.0 mm face.
 */
const CELL_CLIP_MM = 0.3;
/**
 * How far a refined sample's tangent plane may put a voxel centre on the wrong side before the centre's
 * class overrules the plane, mm: the refined surface's position error on smooth surfaces (≤ 0.15 mm on
 * the phantom suites) with room to spare.
 */
const PLANE_TOLERANCE_MM = 0.2;

/**
 * The signed-distance field of a mask's reconstructed surface.
 * Example: `const f = signedDistanceField(ice, samples, tree); signedDistance(f, x, y, z)`. With
 * `lowestIndexAtTie` an exact tie between samples is read at the lowest index (kdTree.ts, nearestPoint);
 * with `moreNormals` a sample stands for several surfels at its point (maskRange.ts).
 */
export function signedDistanceField(
  mask: MaskVolume,
  samples: SurfelSamples,
  tree: PointTree,
  { lowestIndexAtTie = false, moreNormals }: SignedDistanceOptions = {},
): SignedDistanceField {
  return {
    samples,
    tree,
    mask,
    worldToVoxel: invertAffine(mask.voxelToWorld, "iceball"),
    discRadiusMm: DISC_RADIUS_SPACINGS * Math.max(...voxelSpacingMm(mask.voxelToWorld)),
    cellClipMm: CELL_CLIP_MM,
    planeToleranceMm: PLANE_TOLERANCE_MM,
    lowestIndexAtTie,
    moreNormals: moreNormals ?? null,
  };
}

let lastNearest = -1;

/** The sample the last {@link signedDistance} call used (a good hint for the next, nearby query). */
export function lastNearestSample(): number {
  return lastNearest;
}

/**
 * Signed distance (mm, positive inside) from world point (x, y, z) to the field's surface; see the
 * module comment. `hint` is a sample index to start the nearest-sample search from.
 * Example: for a ball of radius 25 mm, its centre reads ≈ +25 and a point 3 mm outside ≈ −3.
 */
export function signedDistance(field: SignedDistanceField, x: number, y: number, z: number, hint = -1): number {
  return signedDistanceFrom(field, nearestPoint(field.tree, x, y, z, hint, field.lowestIndexAtTie), x, y, z);
}

/**
 * {@link signedDistance} at (x, y, z), its nearest sample found among `near` (kdTree.ts, pointsNear: the
 * samples that can be nearest to points near a fixed one) when the list decides, else by the tree
 * from `hint`; the same reading. For a field that breaks ties by index (else the tree always).
 */
export function signedDistanceNear(
  field: SignedDistanceField,
  near: PointsNear,
  x: number,
  y: number,
  z: number,
  hint = -1,
): number {
  const s = field.lowestIndexAtTie ? nearestPointNear(field.tree, near, x, y, z) : -1;
  return s < 0 ? signedDistance(field, x, y, z, hint) : signedDistanceFrom(field, s, x, y, z);
}

/**
 * A lower bound ≥ `floorMm` of {@link signedDistance} at (x, y, z) known without the nearest-sample
 * search, or NaN when there is none: given `nearestBoundMm` ≤ the distance from the point to the nearest
 * sample point, where the point's grid cell is all inside the mask and nearestBoundMm − ρ exceeds the
 * clip, the reading is the distance to the nearest sample's disc (each of its surfels'), at least
 * nearestBoundMm − ρ. The bound must exceed the floor by 1e-9 mm (far beyond the rounding of the
 * distances), so a reading it stands for is surely not below the floor.
 */
export function readingLowerBound(
  field: SignedDistanceField,
  nearestBoundMm: number,
  floorMm: number,
  x: number,
  y: number,
  z: number,
): number {
  const bound = nearestBoundMm - field.discRadiusMm;
  return bound >= floorMm + 1e-9 && bound > field.cellClipMm && maskCell(field, x, y, z).insideCorners === 8
    ? bound
    : Number.NaN;
}

/**
 * {@link signedDistance} at (x, y, z) read from sample s, which must be the sample nearest to the point
 * (as `nearestPoint` finds it for this field): for a caller that found it another way.
 */
function signedDistanceFrom(field: SignedDistanceField, s: number, x: number, y: number, z: number): number {
  const { points, normals } = field.samples;
  lastNearest = s;
  const cell = maskCell(field, x, y, z);
  const dx = points[3 * s] - x;
  const dy = points[3 * s + 1] - y;
  const dz = points[3 * s + 2] - z;
  let reading = surfelReading(field, cell, dx, dy, dz, normals[3 * s], normals[3 * s + 1], normals[3 * s + 2]);
  const more = field.moreNormals;
  if (more !== null) {
    for (let t = more.start[s]; t < more.start[s + 1]; t++) {
      const r = surfelReading(
        field,
        cell,
        dx,
        dy,
        dz,
        more.normals[3 * t],
        more.normals[3 * t + 1],
        more.normals[3 * t + 2],
      );
      if (more.pick === "lowest" ? r < reading : r > reading) reading = r;
    }
  }
  return reading;
}

/**
 * The signed distance read from one surfel: the disc with unit normal (nx, ny, nz) about the sample at
 * offset (dx, dy, dz) from the query, its sign checked against the query's grid cell (see the module comment).
 */
function surfelReading(
  field: SignedDistanceField,
  cell: typeof cellScratch,
  dx: number,
  dy: number,
  dz: number,
  nx: number,
  ny: number,
  nz: number,
): number {
  const height = dx * nx + dy * ny + dz * nz;
  const lateral = Math.sqrt(Math.max(0, dx * dx + dy * dy + dz * dz - height * height));
  const beyond = Math.max(0, lateral - field.discRadiusMm);
  const distance = Math.sqrt(height * height + beyond * beyond);
  if ((cell.insideCorners === 0 || cell.insideCorners === 8) && distance > field.cellClipMm) {
    return cell.insideCorners === 8 ? distance : -distance;
  }
  let inside = beyond === 0 ? height >= 0 : cell.level >= 0.5;
  if (beyond === 0) {
    // The plane's height at the cell's corner nearest to y: a plane that puts that voxel centre on the
    // wrong side (by more than a refined position's error) is no model of the surface here.
    const hc = height - (cell.nearestDx * nx + cell.nearestDy * ny + cell.nearestDz * nz);
    if (cell.nearestInside ? hc < -field.planeToleranceMm : hc > field.planeToleranceMm) inside = cell.nearestInside;
  }
  // A surface between y and a voxel centre of the other class is nearer than that centre: a claimed
  // distance beyond the nearest such corner (plus the clip tolerance) is a wrong side.
  if (inside && distance > cell.outsideMm + field.cellClipMm) inside = false;
  else if (!inside && distance > cell.insideMm + field.cellClipMm) inside = true;
  const bound = inside ? cell.outsideMm : cell.insideMm;
  return inside ? Math.min(distance, bound) : -Math.min(distance, bound);
}

/** Scratch result of {@link maskCell} (no allocation per query). */
const cellScratch = {
  level: 0,
  insideCorners: 0,
  insideMm: 0,
  outsideMm: 0,
  nearestInside: false,
  nearestDx: 0,
  nearestDy: 0,
  nearestDz: 0,
};

/**
 * The grid cell around world point (x, y, z) — its eight voxel centres: the trilinear interpolation of
 * the mask there (1 inside, 0 outside; 0 beyond the grid; its 0.5 level is the mask's own sub-voxel
 * surface, crossing every boundary edge at its midpoint), how many of the eight are inside, the
 * distances (mm) from the point to the nearest inside and nearest outside corner (+∞ when there is
 * none), and the nearest corner's class and world offset from the point. The mask classifies voxel centres exactly, so the true distance to the surface is at most the
 * distance to the nearest corner of the other class.
 */
export function maskCell(field: SignedDistanceField, x: number, y: number, z: number): typeof cellScratch {
  const W = field.worldToVoxel;
  const m = field.mask.voxelToWorld;
  const { data, dims } = field.mask;
  const [nx, ny, nz] = dims;
  const fi = W[0] * x + W[1] * y + W[2] * z + W[3];
  const fj = W[4] * x + W[5] * y + W[6] * z + W[7];
  const fk = W[8] * x + W[9] * y + W[10] * z + W[11];
  const i0 = Math.floor(fi);
  const j0 = Math.floor(fj);
  const k0 = Math.floor(fk);
  let level = 0;
  let insideCorners = 0;
  let inside2 = Number.POSITIVE_INFINITY;
  let outside2 = Number.POSITIVE_INFINITY;
  let nearest2 = Number.POSITIVE_INFINITY;
  for (let c = 0; c < 8; c++) {
    const di = (c & 1) + i0 - fi;
    const dj = ((c >> 1) & 1) + j0 - fj;
    const dk = ((c >> 2) & 1) + k0 - fk;
    const wx = m[0] * di + m[1] * dj + m[2] * dk;
    const wy = m[4] * di + m[5] * dj + m[6] * dk;
    const wz = m[8] * di + m[9] * dj + m[10] * dk;
    const d2 = wx * wx + wy * wy + wz * wz;
    const i = i0 + (c & 1);
    const j = j0 + ((c >> 1) & 1);
    const k = k0 + ((c >> 2) & 1);
    const isInside = !(i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz || data[i + nx * (j + ny * k)] === 0);
    if (d2 < nearest2) {
      nearest2 = d2;
      cellScratch.nearestInside = isInside;
      cellScratch.nearestDx = wx;
      cellScratch.nearestDy = wy;
      cellScratch.nearestDz = wz;
    }
    if (!isInside) {
      if (d2 < outside2) outside2 = d2;
      continue;
    }
    if (d2 < inside2) inside2 = d2;
    insideCorners++;
    level += (1 - Math.abs(di)) * (1 - Math.abs(dj)) * (1 - Math.abs(dk));
  }
  cellScratch.level = level;
  cellScratch.insideCorners = insideCorners;
  cellScratch.insideMm = Math.sqrt(inside2);
  cellScratch.outsideMm = Math.sqrt(outside2);
  return cellScratch;
}

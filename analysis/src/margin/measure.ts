/**
 * The margin engine: tumor mask (pre-ablation scan) + ice-ball mask (post-ablation scan) + rigid
 * transform → minimal treatment margin (MTM), octant coverage, diameter, volumes.
 *
 * Definitions (also in the README):
 * - World space is NIfTI RAS+ in mm (x → patient's Right, y → Anterior, z → Superior).
 * - `preToPost` maps pre-ablation world points to post-ablation world points.
 * - The margin at a tumor point p is the signed distance from T(p) to the ice-ball surface, positive
 *   inside the ice ball. MTM = min over the tumor of that margin: the smallest tumor-to-ice-surface
 *   distance when the ice ball covers the tumor, minus the deepest uncovered extent when it does not.
 *   The minimum over a solid tumor is attained on its surface (a signed distance has no interior local
 *   minimum), so it is taken over the tumor's sub-voxel surface samples.
 * - Coverage classes at threshold t, by tumor volume: green margin ≥ t, yellow 0 ≤ margin < t, red < 0.
 *
 * Masks are never resampled onto each other: each surface is reconstructed on its own grid and the ice
 * ball's signed distance is evaluated at tumor points mapped through the transform.
 */
import { applyAffine, gridShear, invertAffine, linearDeterminant } from "./affine.js";
import { maxPairwiseDistance } from "./diameter.js";
import { MarginInputError } from "./errors.js";
import { buildPointTree, type PointTree } from "./kdTree.js";
import { type MaskBounds, maskBounds } from "./maskBounds.js";
import { OCTANT_NAMES, octantIndex } from "./octants.js";
import { defaultRefineOptions, refineSurfaceSamples, smoothSurfaceSamples } from "./refineSurface.js";
import { lastNearestSample, signedDistanceToSamples } from "./signedDistance.js";
import { estimateAreaVectorNormals, extractSurfaceSamples, type SurfaceSamples } from "./surface.js";
import type { CoverageFractions, MarginOptions, MarginResult, MaskVolume, Mat4, OctantMargin, Vec3 } from "./types.js";

/** Default coverage threshold, mm: the paper's intended margin. */
export const DEFAULT_THRESHOLD_MM = 5;

/** A mask's surface reconstructed on its own grid: samples in world mm and a tree over them. */
export interface ReconstructedSurface {
  samples: SurfaceSamples;
  tree: PointTree;
}

/**
 * Sub-voxel surface of a mask: boundary-edge samples with area-vector normals.
 * Example: `reconstructSurface(ice, maskBounds(ice))` then `signedDistanceToSamples(...)` at any point.
 */
export function reconstructSurface(mask: MaskVolume, bounds: MaskBounds): ReconstructedSurface {
  const samples = extractSurfaceSamples(mask, bounds);
  const maxSpacing = Math.max(...samples.spacingMm);
  const midpointTree = buildPointTree(samples.points, samples.count);
  estimateAreaVectorNormals(samples, midpointTree, 2 * maxSpacing);
  const options = defaultRefineOptions(maxSpacing);
  refineSurfaceSamples(samples, midpointTree, options);
  smoothSurfaceSamples(samples, buildPointTree(samples.points, samples.count), 2.5 * maxSpacing, options.centreSpacingMm);
  return { samples, tree: buildPointTree(samples.points, samples.count) };
}

/**
 * Rounds to the nearest mm with halves away from zero (2.5 → 3, −2.5 → −3), so the rounding is
 * symmetric in sign and an uncovered −0.5 mm margin is reported as −1, never as 0. −0 becomes 0.
 */
export function roundMarginMm(mm: number): number {
  const r = Math.sign(mm) * Math.floor(Math.abs(mm) + 0.5);
  return r === 0 ? 0 : r;
}

/** Throws a MarginInputError unless the mask's dims, data length and matrix are usable. */
function checkMask(mask: MaskVolume, input: "tumor" | "iceball"): void {
  const [nx, ny, nz] = mask.dims;
  if (![nx, ny, nz].every((n) => Number.isInteger(n) && n > 0)) {
    throw new MarginInputError(`the ${input} mask has invalid dimensions ${mask.dims.join(" × ")}`, input);
  }
  if (mask.data.length !== nx * ny * nz) {
    throw new MarginInputError(
      `the ${input} mask has ${mask.data.length} voxels but its dimensions ${nx} × ${ny} × ${nz} need ${nx * ny * nz}`,
      input,
    );
  }
  if (mask.voxelToWorld.length !== 16 || !mask.voxelToWorld.every(Number.isFinite)) {
    throw new MarginInputError(`the ${input} voxel-to-world matrix is not a finite 4×4 matrix`, input);
  }
}

/**
 * Measures the margins of one tumor / ice-ball pair. See the module comment for the definitions.
 *
 * Example: a 10 mm-radius tumor centred in a 20 mm-radius ice ball (identity transform) gives
 * mtmMm ≈ 10, coverage all green at the default 5 mm threshold.
 */
export function measureMargins(
  tumor: MaskVolume,
  iceball: MaskVolume,
  preToPost: Mat4,
  options: MarginOptions = {},
): MarginResult {
  const thresholdMm = options.thresholdMm ?? DEFAULT_THRESHOLD_MM;
  if (!Number.isFinite(thresholdMm)) {
    throw new MarginInputError(`the threshold must be a finite number of mm, got ${thresholdMm}`, "options");
  }
  checkMask(tumor, "tumor");
  checkMask(iceball, "iceball");
  if (preToPost.length !== 16 || !preToPost.every(Number.isFinite)) {
    throw new MarginInputError("the transform is not a finite 4×4 matrix", "transform");
  }
  invertAffine(preToPost, "transform");
  const iceWorldToVoxel = invertAffine(iceball.voxelToWorld, "iceball");
  invertAffine(tumor.voxelToWorld, "tumor");

  const tumorBounds = maskBounds(tumor);
  if (tumorBounds.count === 0) throw new MarginInputError("the tumor mask is empty (no voxel > 0)", "tumor");
  const iceBounds = maskBounds(iceball);
  if (iceBounds.count === 0) throw new MarginInputError("the ice-ball mask is empty (no voxel > 0)", "iceball");

  const warnings: string[] = [];
  for (const [mask, name] of [
    [tumor, "tumor"],
    [iceball, "ice-ball"],
  ] as const) {
    const shear = gridShear(mask.voxelToWorld);
    if (shear > 1e-3)
      warnings.push(`the ${name} grid is sheared (axis cos ${shear.toFixed(4)}); distances assume orthogonal axes`);
  }

  const tumorVoxelMm3 = Math.abs(linearDeterminant(tumor.voxelToWorld));
  const iceVoxelMm3 = Math.abs(linearDeterminant(iceball.voxelToWorld));
  const tumorVolumeMl = (tumorBounds.count * tumorVoxelMm3) / 1000;
  const iceballVolumeMl = (iceBounds.count * iceVoxelMm3) / 1000;
  const centroid = maskCentroid(tumor, tumorBounds);

  const tumorSurface = reconstructSurface(tumor, tumorBounds);
  const iceSurface = reconstructSurface(iceball, iceBounds);
  const [inx, iny, inz] = iceball.dims;
  const T = preToPost;
  const W = iceWorldToVoxel;

  /** Margin at pre-ablation world point p, or NaN when T(p) falls outside the ice ball's field of view. */
  const marginAt = (px: number, py: number, pz: number): number => {
    const qx = T[0] * px + T[1] * py + T[2] * pz + T[3];
    const qy = T[4] * px + T[5] * py + T[6] * pz + T[7];
    const qz = T[8] * px + T[9] * py + T[10] * pz + T[11];
    const i = W[0] * qx + W[1] * qy + W[2] * qz + W[3];
    const j = W[4] * qx + W[5] * qy + W[6] * qz + W[7];
    const k = W[8] * qx + W[9] * qy + W[10] * qz + W[11];
    if (i < -0.5 || j < -0.5 || k < -0.5 || i > inx - 0.5 || j > iny - 0.5 || k > inz - 0.5) return Number.NaN;
    const d = signedDistanceToSamples(iceSurface.samples, iceSurface.tree, qx, qy, qz, hint);
    hint = lastNearestSample();
    return d;
  };
  let hint = -1;

  // Per-voxel pass: coverage classes and octant volumes (by voxel count; each voxel is one volume unit).
  const octantVoxels = new Float64Array(8);
  const octantClass = new Float64Array(24); // [green, yellow, red] per octant
  const octantMin = new Float64Array(8).fill(Number.POSITIVE_INFINITY);
  let outsideVoxels = 0;
  const [tnx, tny] = tumor.dims;
  const tm = tumor.voxelToWorld;
  const voxelMargins = options.voxelMargins ? new Float32Array(tumor.data.length).fill(Number.NaN) : undefined;
  for (let k = tumorBounds.min[2]; k <= tumorBounds.max[2]; k++) {
    for (let j = tumorBounds.min[1]; j <= tumorBounds.max[1]; j++) {
      let idx = tumorBounds.min[0] + tnx * (j + tny * k);
      for (let i = tumorBounds.min[0]; i <= tumorBounds.max[0]; i++, idx++) {
        if (tumor.data[idx] === 0) continue;
        const px = tm[0] * i + tm[1] * j + tm[2] * k + tm[3];
        const py = tm[4] * i + tm[5] * j + tm[6] * k + tm[7];
        const pz = tm[8] * i + tm[9] * j + tm[10] * k + tm[11];
        const o = octantIndex(px - centroid[0], py - centroid[1], pz - centroid[2]);
        octantVoxels[o]++;
        const margin = marginAt(px, py, pz);
        if (Number.isNaN(margin)) {
          outsideVoxels++;
          continue;
        }
        if (voxelMargins) voxelMargins[idx] = margin;
        const c = margin >= thresholdMm ? 0 : margin >= 0 ? 1 : 2;
        octantClass[3 * o + c]++;
        if (margin < octantMin[o]) octantMin[o] = margin;
      }
    }
  }

  // Surface pass: the MTM and where it is attained.
  const tumorSamples = tumorSurface.samples;
  let mtmMm = Number.POSITIVE_INFINITY;
  let minPoint: Vec3 = [Number.NaN, Number.NaN, Number.NaN];
  for (let s = 0; s < tumorSamples.count; s++) {
    const px = tumorSamples.points[3 * s];
    const py = tumorSamples.points[3 * s + 1];
    const pz = tumorSamples.points[3 * s + 2];
    const margin = marginAt(px, py, pz);
    if (Number.isNaN(margin)) continue;
    const o = octantIndex(px - centroid[0], py - centroid[1], pz - centroid[2]);
    if (margin < octantMin[o]) octantMin[o] = margin;
    if (margin < mtmMm) {
      mtmMm = margin;
      minPoint = [px, py, pz];
    }
  }
  const fractionOutsideFieldOfView = outsideVoxels / tumorBounds.count;
  if (fractionOutsideFieldOfView >= 1) {
    warnings.push("the whole tumor maps outside the post-ablation scan's field of view; no margin can be measured");
    mtmMm = Number.NaN;
  } else if (fractionOutsideFieldOfView > 0) {
    warnings.push(
      `${(100 * fractionOutsideFieldOfView).toFixed(1)}% of the tumor volume maps outside the post-ablation scan's field of view; margins and coverage are over the rest`,
    );
  }
  if (!Number.isFinite(mtmMm)) mtmMm = Number.NaN;

  const octants: OctantMargin[] = OCTANT_NAMES.map((name, o) => {
    const measured = octantClass[3 * o] + octantClass[3 * o + 1] + octantClass[3 * o + 2];
    return {
      name,
      tumorVolumeMl: (octantVoxels[o] * tumorVoxelMm3) / 1000,
      minMarginMm: Number.isFinite(octantMin[o]) ? octantMin[o] : Number.NaN,
      ...fractions(octantClass[3 * o], octantClass[3 * o + 1], octantClass[3 * o + 2], measured),
    };
  });
  let green = 0;
  let yellow = 0;
  let red = 0;
  for (let o = 0; o < 8; o++) {
    green += octantClass[3 * o];
    yellow += octantClass[3 * o + 1];
    red += octantClass[3 * o + 2];
  }

  const minOctant = Number.isNaN(minPoint[0])
    ? OCTANT_NAMES[0]
    : OCTANT_NAMES[octantIndex(minPoint[0] - centroid[0], minPoint[1] - centroid[1], minPoint[2] - centroid[2])];
  const result: MarginResult = {
    mtmMm,
    mtmMmRounded: Number.isNaN(mtmMm) ? Number.NaN : roundMarginMm(mtmMm),
    minMarginPointRas: minPoint,
    minMarginOctant: minOctant,
    thresholdMm,
    tumorVolumeMl,
    iceballVolumeMl,
    tumorMaxDiameterMm: maxPairwiseDistance(tumorSamples.points, tumorSamples.count),
    tumorCentroidRas: centroid,
    coverage: fractions(green, yellow, red, green + yellow + red),
    octants,
    fractionOutsideFieldOfView,
    warnings,
  };
  if (voxelMargins) result.voxelMarginsMm = voxelMargins;
  return result;
}

/** Class counts → fractions of their total (all NaN when nothing was measured). */
function fractions(green: number, yellow: number, red: number, total: number): CoverageFractions {
  if (total === 0) return { fractionGreen: Number.NaN, fractionYellow: Number.NaN, fractionRed: Number.NaN };
  return { fractionGreen: green / total, fractionYellow: yellow / total, fractionRed: red / total };
}

/** Mean world position of the mask's voxel centres (RAS mm). */
export function maskCentroid(mask: MaskVolume, bounds: MaskBounds): Vec3 {
  const [nx, ny] = mask.dims;
  let si = 0;
  let sj = 0;
  let sk = 0;
  for (let k = bounds.min[2]; k <= bounds.max[2]; k++) {
    for (let j = bounds.min[1]; j <= bounds.max[1]; j++) {
      let idx = bounds.min[0] + nx * (j + ny * k);
      for (let i = bounds.min[0]; i <= bounds.max[0]; i++, idx++) {
        if (mask.data[idx] === 0) continue;
        si += i;
        sj += j;
        sk += k;
      }
    }
  }
  const n = bounds.count;
  return applyAffine(mask.voxelToWorld, [si / n, sj / n, sk / n]);
}

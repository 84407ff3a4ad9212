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
 *   A signed distance has no local minimum inside a solid, so the minimum over the tumor is attained
 *   on its surface and is taken over the tumor's sub-voxel surface samples.
 * - Coverage classes at threshold t, by tumor volume: green margin ≥ t, yellow 0 ≤ margin < t, red < 0,
 *   each tumor voxel (centre) counting for its volume.
 * - Volumes are voxel counts × voxel volume: unbiased (the lattice-counting error has mean zero), within
 *   3% on the phantom suite down to 1.4 ml tumors on 1.2 × 1.2 × 3.0 mm voxels. (A sub-voxel
 *   Cavalieri correction from the refined surface crossings was tried and was worse on small tumors,
 *   whose refined surfaces sit ~0.05 mm inside: −4% against −2.7% for voxel counting.)
 * - Octants split the tumor through its centroid along the world axes (octants.ts).
 *
 * Masks are never resampled onto each other: each surface is reconstructed on its own grid
 * (refineSurface.ts) and the ice ball's signed distance (signedDistance.ts) is evaluated at tumor
 * points mapped through the transform. Cost: one scan of the masks' voxels for the bounding boxes, the
 * surfaces' reconstruction, and one signed-distance reading per tumor surface sample and voxel centre.
 */
import { applyAffine, gridShear, invertAffine, linearDeterminant } from "./affine.js";
import { CONCAVE_CREASE_WARNING, concaveCreaseAngleDeg } from "./crease.js";
import { maxPairwiseDistance } from "./diameter.js";
import { type TumorOutlineMode, tumorOutlineWarning } from "./drawnOutline.js";
import { MarginInputError } from "./errors.js";
import { FALLBACK_AT_MINIMUM_WARNING, fallbackAtMinimum } from "./fallbacks.js";
import { buildPointTree, type PointTree } from "./kdTree.js";
import { type MaskBounds, maskBounds } from "./maskBounds.js";
import { type MaskRangeIce, maskRangeIce, mtmMaskRangeWithIce } from "./maskRange.js";
import { OCTANT_NAMES, octantIndex } from "./octants.js";
import { defaultRefineOptions, type RefineStats, refineSurfaceSamples } from "./refineSurface.js";
import { lastNearestSample, type SignedDistanceField, signedDistance, signedDistanceField } from "./signedDistance.js";
import { smoothSurfaceSamples } from "./smoothSurface.js";
import {
  edgeMidpointMm,
  estimateAreaVectorNormals,
  extractSurfaceSamples,
  SAMPLE_AT_VOXEL_CENTRE,
  type SurfaceSamples,
  voxelKey,
} from "./surface.js";
import type { CoverageFractions, MarginOptions, MarginResult, MaskVolume, Mat4, OctantMargin, Vec3 } from "./types.js";

/** Neighbourhood of the minimum's nearest ice-surface sample searched for a concave crease, × coarsest spacing. */
const CREASE_RADIUS_SPACINGS = 2.5;
/** Default coverage threshold, mm: the paper's intended margin. */
export const DEFAULT_THRESHOLD_MM = 5;

/** A mask's surface reconstructed on its own grid: samples in world mm and a tree over them. */
export interface ReconstructedSurface {
  samples: SurfaceSamples;
  tree: PointTree;
  refine: RefineStats;
}

/** How a mask's surface is reconstructed. */
export interface ReconstructOptions {
  /**
   * Read ragged rims on the mask's 0.5 iso-surface instead of fitting them (keepsMidpoint,
   * refineSurface.ts): on for tumors, whose hand-drawn outlines the engine must not shave; off for ice
   * balls, whose masks the phantom suites validate with the fit everywhere.
   */
  raggedRimsAsDrawn?: boolean;
  /** Tumors: the outline test and how it decides (RefineOptions.tumorOutline, drawnOutline.ts); absent, none. */
  tumorOutline?: TumorOutlineMode;
}

/**
 * Sub-voxel surface of a mask: boundary-edge samples, area-vector normals, corrected-least-squares
 * quadric patches, then a smoothing pass (refineSurface.ts explains each step).
 * Example: `reconstructSurface(ice, maskBounds(ice))`, then `signedDistanceField(ice, samples, tree)`;
 * a tumor: `reconstructSurface(tumor, maskBounds(tumor), { raggedRimsAsDrawn: true, tumorOutline: "auto" })`.
 */
export function reconstructSurface(
  mask: MaskVolume,
  bounds: MaskBounds,
  { raggedRimsAsDrawn = false, tumorOutline }: ReconstructOptions = {},
): ReconstructedSurface {
  const samples = extractSurfaceSamples(mask, bounds);
  const maxSpacing = Math.max(...samples.spacingMm);
  const midpointTree = buildPointTree(samples.points, samples.count);
  estimateAreaVectorNormals(samples, midpointTree, 2 * maxSpacing);
  const options = defaultRefineOptions(maxSpacing);
  if (!raggedRimsAsDrawn) options.raggedThinShare = Number.POSITIVE_INFINITY;
  options.tumorOutline = tumorOutline;
  // A patch cannot usefully reach beyond the object: cap the window at 1.5 × the object's smallest
  // half-extent (a 12 mm tumor on 3 mm slices otherwise fits one quadric to all of itself, with a
  // measured −0.14 mm inward bias; capped, −0.04 mm).
  options.maxRadiusMm = Math.max(options.radiusMm, Math.min(options.maxRadiusMm, 1.5 * smallestHalfExtentMm(samples)));
  const refine = refineSurfaceSamples(samples, midpointTree, options);
  smoothSurfaceSamples(
    samples,
    buildPointTree(samples.points, samples.count),
    2.5 * maxSpacing,
    options.centreSpacingMm,
  );
  markVoxelCentreSamples(samples);
  return { samples, tree: buildPointTree(samples.points, samples.count), refine };
}

/**
 * Flags the samples that sit at an end of their edge (on a voxel centre) after both passes, and puts
 * each exactly on that centre's grid position, so samples of several edges ending on one voxel centre
 * share one point bit for bit ({@link surfaceDistanceField}).
 */
function markVoxelCentreSamples(samples: SurfaceSamples): void {
  const { count, axis, spacingMm, edgeOffsetMm, flags, points, edgeVoxels, voxelToWorld: m } = samples;
  for (let j = 0; j < count; j++) {
    if (Math.abs(edgeOffsetMm[j]) < spacingMm[axis[j]] / 2 - 1e-9) continue;
    flags[j] |= SAMPLE_AT_VOXEL_CENTRE;
    const v = 6 * j + (edgeOffsetMm[j] > 0 ? 3 : 0);
    for (let c = 0; c < 3; c++) {
      points[3 * j + c] =
        m[4 * c] * edgeVoxels[v] + m[4 * c + 1] * edgeVoxels[v + 1] + m[4 * c + 2] * edgeVoxels[v + 2] + m[4 * c + 3];
    }
  }
}

/**
 * The signed-distance field (signedDistance.ts) the engine reads a reconstructed surface with. Where
 * the fit put several samples on one voxel centre (SAMPLE_AT_VOXEL_CENTRE: edges of one voxel, each
 * clamped to that end), the point has several surfels, one per sample's normal; each of those samples
 * carries the others' normals and a query near the point reads the lowest of them. For a convex solid
 * the signed distance (positive inside) is the minimum over its supporting planes, inside and out, so
 * the lowest is that reading; and it is the same whichever coincident sample the nearest-sample search
 * meets. Exact ties between distinct samples go to the lowest index. A reading is then a function of
 * the query point alone, whatever the order of the queries (the mask range reads the extremes over
 * the same surfels: maskRange.ts).
 * Example: `signedDistance(surfaceDistanceField(ice, reconstructSurface(ice, maskBounds(ice))), x, y, z)`.
 */
export function surfaceDistanceField(mask: MaskVolume, surface: ReconstructedSurface): SignedDistanceField {
  const { count, flags, edgeVoxels, edgeOffsetMm, normals } = surface.samples;
  const members = new Map<number, number[]>();
  for (let j = 0; j < count; j++) {
    if ((flags[j] & SAMPLE_AT_VOXEL_CENTRE) === 0) continue;
    const v = 6 * j + (edgeOffsetMm[j] > 0 ? 3 : 0);
    const key = voxelKey(edgeVoxels[v], edgeVoxels[v + 1], edgeVoxels[v + 2]);
    const list = members.get(key);
    if (list === undefined) members.set(key, [j]);
    else list.push(j);
  }
  const start = new Int32Array(count + 1);
  for (const list of members.values()) for (const j of list) start[j + 1] = list.length - 1;
  for (let j = 0; j < count; j++) start[j + 1] += start[j];
  const more = new Float64Array(3 * start[count]);
  for (const list of members.values()) {
    for (const j of list) {
      let t = start[j];
      for (const other of list) {
        if (other === j) continue;
        more.set(normals.subarray(3 * other, 3 * other + 3), 3 * t);
        t++;
      }
    }
  }
  return signedDistanceField(mask, surface.samples, surface.tree, {
    lowestIndexAtTie: true,
    moreNormals: start[count] > 0 ? { start, normals: more, pick: "lowest" } : undefined,
  });
}

/**
 * What the margins of a tumor / ice-ball pair are read from, built from the two masks alone (no
 * transform): their bounding boxes, the tumor's centroid (the octants' and the perturbations' origin),
 * both reconstructed surfaces and the ice ball's signed-distance field; the mask range's extreme ice
 * surfaces are built on first use. `measureMargins` and `marginUncertainty` take it (`surfaces`) so a
 * caller running both builds it once; either builds its own when none is given, the same bit for bit.
 */
export interface MarginSurfaces {
  /** The masks it was built from (a call with other masks is refused). */
  tumor: MaskVolume;
  iceball: MaskVolume;
  tumorBounds: MaskBounds;
  iceBounds: MaskBounds;
  /** Mean world position of the tumor's voxel centres (RAS mm). */
  tumorCentroid: Vec3;
  /**
   * The tumor's surface, ragged rims read as drawn (`reconstructSurface`'s `raggedRimsAsDrawn`), and all
   * of it read as drawn when the outline test says so (`tumorSurface.refine.tumorOutline`, drawnOutline.ts).
   */
  tumorSurface: ReconstructedSurface;
  /** How the outline test was told to decide (MarginOptions.tumorOutline). */
  tumorOutlineMode: TumorOutlineMode;
  iceSurface: ReconstructedSurface;
  /** The ice ball's signed distance (`surfaceDistanceField`). */
  iceField: SignedDistanceField;
  /** The extreme ice surfaces of the mask range (maskRange.ts, `maskRangeIce`), built on the first call. */
  maskRangeIce(): MaskRangeIce;
}

/**
 * Builds the {@link MarginSurfaces} of a tumor / ice-ball pair. Throws a MarginInputError when a mask
 * is malformed or empty. Example: `const surfaces = marginSurfaces(tumor, ice);
 * measureMargins(tumor, ice, T, { surfaces }); marginUncertainty(tumor, ice, T, { surfaces })`.
 */
export function marginSurfaces(
  tumor: MaskVolume,
  iceball: MaskVolume,
  tumorOutlineMode: TumorOutlineMode = "auto",
): MarginSurfaces {
  checkMask(tumor, "tumor");
  checkMask(iceball, "iceball");
  const tumorBounds = maskBounds(tumor);
  if (tumorBounds.count === 0) throw new MarginInputError("the tumor mask is empty (no voxel > 0)", "tumor");
  const iceBounds = maskBounds(iceball);
  if (iceBounds.count === 0) throw new MarginInputError("the ice-ball mask is empty (no voxel > 0)", "iceball");
  const tumorSurface = reconstructSurface(tumor, tumorBounds, {
    raggedRimsAsDrawn: true,
    tumorOutline: tumorOutlineMode,
  });
  const iceSurface = reconstructSurface(iceball, iceBounds);
  let rangeIce: MaskRangeIce | undefined;
  return {
    tumor,
    iceball,
    tumorBounds,
    iceBounds,
    tumorCentroid: maskCentroid(tumor, tumorBounds),
    tumorSurface,
    tumorOutlineMode,
    iceSurface,
    iceField: surfaceDistanceField(iceball, iceSurface),
    maskRangeIce() {
      rangeIce ??= maskRangeIce(iceball, iceSurface.samples);
      return rangeIce;
    },
  };
}

/**
 * `surfaces` when given (refused unless built from these masks with this outline mode), else those of
 * the masks built now.
 */
export function surfacesOf(
  tumor: MaskVolume,
  iceball: MaskVolume,
  surfaces?: MarginSurfaces,
  tumorOutlineMode: TumorOutlineMode = "auto",
): MarginSurfaces {
  if (surfaces === undefined) return marginSurfaces(tumor, iceball, tumorOutlineMode);
  if (surfaces.tumor !== tumor || surfaces.iceball !== iceball)
    throw new Error("the margin surfaces given were built from other masks than the tumor and ice ball measured");
  if (surfaces.tumorOutlineMode !== tumorOutlineMode)
    throw new Error(
      `the margin surfaces given were built with tumor outline "${surfaces.tumorOutlineMode}", not "${tumorOutlineMode}"`,
    );
  return surfaces;
}

/** Half the smallest world-axis extent of the samples' bounding box, mm. */
function smallestHalfExtentMm(samples: SurfaceSamples): number {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let k = 0; k < samples.count; k++) {
    for (let a = 0; a < 3; a++) {
      const v = samples.points[3 * k + a];
      if (v < lo[a]) lo[a] = v;
      if (v > hi[a]) hi[a] = v;
    }
  }
  return Math.min(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) / 2;
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
  const name = input === "tumor" ? "tumor" : "ice-ball";
  if (![nx, ny, nz].every((n) => Number.isInteger(n) && n > 0)) {
    throw new MarginInputError(`the ${name} mask has invalid dimensions ${mask.dims.join(" × ")}`, input);
  }
  if (mask.data.length !== nx * ny * nz) {
    throw new MarginInputError(
      `the ${name} mask has ${mask.data.length} voxels but its dimensions ${nx} × ${ny} × ${nz} need ${nx * ny * nz}`,
      input,
    );
  }
  if (mask.voxelToWorld.length !== 16 || !mask.voxelToWorld.every(Number.isFinite)) {
    throw new MarginInputError(`the ${name} voxel-to-world matrix is not a finite 4×4 matrix`, input);
  }
  invertAffine(mask.voxelToWorld, input);
}

/** True when the mask has an inside voxel on the first or last index of some axis. */
function touchesGridEdge(mask: MaskVolume, bounds: MaskBounds): boolean {
  return bounds.min.some((v) => v === 0) || bounds.max.some((v, a) => v === mask.dims[a] - 1);
}

/**
 * The ice ball's signed distance at pre-ablation points: maps p through the transform, returns NaN
 * when T(p) falls outside the post-ablation scan's field of view (voxel-index box [−½, n − ½]), else
 * the signed distance to the reconstructed ice surface. Consecutive nearby queries reuse the previous
 * nearest sample as a search hint.
 */
function createMarginProbe(iceball: MaskVolume, field: SignedDistanceField, preToPost: Mat4) {
  const T = preToPost;
  const W = invertAffine(iceball.voxelToWorld, "iceball");
  const [nx, ny, nz] = iceball.dims;
  let hint = -1;
  const insideFieldOfView = (qx: number, qy: number, qz: number) => {
    const i = W[0] * qx + W[1] * qy + W[2] * qz + W[3];
    const j = W[4] * qx + W[5] * qy + W[6] * qz + W[7];
    const k = W[8] * qx + W[9] * qy + W[10] * qz + W[11];
    return i >= -0.5 && j >= -0.5 && k >= -0.5 && i <= nx - 0.5 && j <= ny - 0.5 && k <= nz - 0.5;
  };
  return {
    /** Margin (mm) at pre-ablation point p; NaN outside the field of view. */
    margin(px: number, py: number, pz: number): number {
      const qx = T[0] * px + T[1] * py + T[2] * pz + T[3];
      const qy = T[4] * px + T[5] * py + T[6] * pz + T[7];
      const qz = T[8] * px + T[9] * py + T[10] * pz + T[11];
      if (!insideFieldOfView(qx, qy, qz)) return Number.NaN;
      const d = signedDistance(field, qx, qy, qz, hint);
      hint = lastNearestSample();
      return d;
    },
  };
}

/**
 * Coverage class of a margin at threshold t: 0 green (≥ t), 1 yellow ([0, t)), 2 red (< 0, not covered).
 * Example: `coverageClass(3, 5)` = 1 (covered, by less than the intended margin).
 */
export function coverageClass(marginMm: number, thresholdMm: number): 0 | 1 | 2 {
  return marginMm >= thresholdMm ? 0 : marginMm >= 0 ? 1 : 2;
}

/**
 * Measures the margins of one tumor / ice-ball pair. See the module comment for the definitions.
 *
 * Example: a 10 mm-radius tumor centred in a 20 mm-radius ice ball (identity transform) gives
 * mtmMm ≈ 10 and coverage all green at the default 5 mm threshold.
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

  const surfaces = surfacesOf(tumor, iceball, options.surfaces, options.tumorOutline ?? "auto");
  const { tumorBounds, iceBounds, tumorSurface, iceSurface } = surfaces;

  const warnings: string[] = [];
  for (const [mask, name] of [
    [tumor, "tumor"],
    [iceball, "ice-ball"],
  ] as const) {
    const shear = gridShear(mask.voxelToWorld);
    if (shear > 1e-3) {
      warnings.push(`the ${name} grid is sheared (axis cosine ${shear.toFixed(4)}); distances assume orthogonal axes`);
    }
  }
  if (touchesGridEdge(iceball, iceBounds)) {
    warnings.push("the ice-ball mask touches the edge of its scan; the ice ball may extend beyond the field of view");
  }
  if (touchesGridEdge(tumor, tumorBounds)) {
    warnings.push("the tumor mask touches the edge of its scan; the tumor may extend beyond the field of view");
  }

  const tumorVoxelMm3 = Math.abs(linearDeterminant(tumor.voxelToWorld));
  const iceVoxelMm3 = Math.abs(linearDeterminant(iceball.voxelToWorld));
  const centroid = surfaces.tumorCentroid;
  const probe = createMarginProbe(iceball, surfaces.iceField, preToPost);
  for (const [surface, name] of [
    [tumorSurface, "tumor"],
    [iceSurface, "ice-ball"],
  ] as const) {
    const share = surface.refine.fallbacks / surface.samples.count;
    if (share > 0.05) {
      warnings.push(
        `the ${name} surface could not be refined at ${(100 * share).toFixed(0)}% of its boundary (thin or ragged mask); margins there are only voxel-accurate`,
      );
    }
  }

  const outline = tumorSurface.refine.tumorOutline;
  const outlineWarning = outline ? tumorOutlineWarning(outline, Math.max(...tumorSurface.samples.spacingMm)) : null;
  if (outlineWarning !== null) warnings.push(outlineWarning);

  // Surface pass: the MTM, where it is attained, and each octant's minimum over its part of the surface.
  const octantMin = new Float64Array(8).fill(Number.POSITIVE_INFINITY);
  const ts = tumorSurface.samples;
  let mtmMm = Number.POSITIVE_INFINITY;
  let minPoint: Vec3 = [Number.NaN, Number.NaN, Number.NaN];
  const sampleMargins = new Float64Array(ts.count);
  let minOctantIndex = 0;
  const surfaceMarginsMm = options.surfaceMargins === true ? sampleMargins : undefined;
  for (let s = 0; s < ts.count; s++) {
    const px = ts.points[3 * s];
    const py = ts.points[3 * s + 1];
    const pz = ts.points[3 * s + 2];
    const margin = probe.margin(px, py, pz);
    sampleMargins[s] = margin;
    if (Number.isNaN(margin)) continue;
    // A sample belongs to the octant of the tumor voxel it bounds (its edge's inside centre): an octant
    // holding no voxel then holds no sample, and the MTM is the smallest octant minimum.
    const o = sampleOctant(ts, s, centroid);
    if (margin < octantMin[o]) octantMin[o] = margin;
    if (margin < mtmMm) {
      mtmMm = margin;
      minPoint = [px, py, pz];
      minOctantIndex = o;
    }
  }

  const mtmAsDrawnMm = asDrawnMinimumMm(ts, sampleMargins, probe.margin);

  const range: [number, number] = Number.isFinite(mtmMm)
    ? mtmMaskRangeWithIce(ts, sampleMargins, mtmMm, surfaces.maskRangeIce(), preToPost)
    : [Number.NaN, Number.NaN];
  if (Number.isFinite(mtmMm)) {
    const rangeText = `the masks allow an MTM from ${range[0].toFixed(2)} to ${range[1].toFixed(2)} mm (mtm_mask_range_mm)`;
    // A concave crease of the ice ball at the minimum: its narrowest part is not in the mask (crease.ts).
    const q = applyAffine(preToPost, minPoint);
    const iceSpacingMm = Math.max(...iceSurface.samples.spacingMm);
    const radiusMm = CREASE_RADIUS_SPACINGS * iceSpacingMm;
    const angle = concaveCreaseAngleDeg(iceSurface.samples, iceSurface.tree, q[0], q[1], q[2], radiusMm);
    if (angle !== null) {
      warnings.push(
        `${CONCAVE_CREASE_WARNING} (it turns inward by ${angle.toFixed(0)}° within ${radiusMm.toFixed(1)} mm, as where two probes' ice meets); the narrowest part of such a crease falls between voxel centres, so the margin there may read high: ${rangeText}`,
      );
    }
    const fallback = fallbackAtMinimum(tumorSurface, sampleMargins, mtmMm, minPoint, iceSurface, q, probe.margin);
    if (fallback !== null) {
      warnings.push(
        `${FALLBACK_AT_MINIMUM_WARNING}: ${fallback.description}; its voxel edges there allow a margin up to ${fallback.lowerByMm.toFixed(2)} mm lower; ${rangeText}`,
      );
    }
  }

  const voxels = voxelPass(tumor, tumorBounds, centroid, probe, thresholdMm, octantMin, options.voxelMargins === true);
  const fractionOutsideFieldOfView = voxels.outside / tumorBounds.count;
  if (fractionOutsideFieldOfView >= 1) {
    warnings.push("the whole tumor maps outside the post-ablation scan's field of view; no margin can be measured");
  } else if (fractionOutsideFieldOfView > 0) {
    warnings.push(
      `${(100 * fractionOutsideFieldOfView).toFixed(1)}% of the tumor volume maps outside the post-ablation scan's field of view; margins and coverage are over the rest`,
    );
  }
  if (!Number.isFinite(mtmMm)) mtmMm = Number.NaN;

  const octants: OctantMargin[] = OCTANT_NAMES.map((name, o) => {
    const [g, y, r] = [voxels.octantClass[3 * o], voxels.octantClass[3 * o + 1], voxels.octantClass[3 * o + 2]];
    return {
      name,
      tumorVolumeMl: (voxels.octantVoxels[o] * tumorVoxelMm3) / 1000,
      // An octant holding no tumor voxel has no margin (its surface samples are the neighbours' edges).
      minMarginMm: voxels.octantVoxels[o] > 0 && Number.isFinite(octantMin[o]) ? octantMin[o] : Number.NaN,
      ...fractions(g, y, r),
    };
  });
  const total = [0, 0, 0];
  for (let o = 0; o < 8; o++) for (let c = 0; c < 3; c++) total[c] += voxels.octantClass[3 * o + c];

  const minOctant = OCTANT_NAMES[minOctantIndex];
  const result: MarginResult = {
    mtmMm,
    mtmMmRounded: Number.isNaN(mtmMm) ? Number.NaN : roundMarginMm(mtmMm),
    minMarginPointRas: minPoint,
    minMarginOctant: minOctant,
    thresholdMm,
    tumorVolumeMl: (tumorBounds.count * tumorVoxelMm3) / 1000,
    iceballVolumeMl: (iceBounds.count * iceVoxelMm3) / 1000,
    tumorMaxDiameterMm: maxPairwiseDistance(ts.points, ts.count),
    tumorCentroidRas: centroid,
    coverage: fractions(total[0], total[1], total[2]),
    octants,
    fractionOutsideFieldOfView,
    mtmMaskRangeMm: range,
    mtmAsDrawnMm,
    warnings,
  };
  if (outline) result.tumorOutline = outline;
  if (voxels.margins) result.voxelMarginsMm = voxels.margins;
  if (surfaceMarginsMm) result.tumorSurface = { samples: ts, marginsMm: surfaceMarginsMm };
  return result;
}

/**
 * The MTM of the tumor mask as drawn: the minimum, over the tumor's boundary-edge midpoints (the
 * vertices of the binary mask's 0.5 iso-surface, marchingCubes.ts, before any fit), of the same ice
 * signed distance the MTM reads (`margin`: through the transform; NaN outside the post scan's field of
 * view, skipped). NaN when no midpoint maps inside it. For a convex ice ball the minimum over the
 * triangulated iso-surface is at a vertex, so this is the MTM of that surface.
 *
 * Why beside the fitted MTM: on hand-drawn thick-slice masks the fit reads the margin high. Thick masks
 * made from 49 KiTS19 masks with ≤ 1 mm slices (bench real-shapes, reslice mode) read +0.47 … +1.07 mm
 * above the thin mask's iso-surface with the fit (mean signed, 2.5–5 mm slices, two seeds), and
 * −0.40 … +0.32 mm on their own iso-surface; on smooth rasterisations it is the other way round (fit
 * ≈ 0, iso-surface 0.6–1.0 mm low at 2.5–5 mm slices). README, "Thick from thin".
 *
 * Each midpoint is its edge's inside voxel centre plus half the edge (surface.ts, edgeMidpointMm: the
 * samples' starting points), so it is read from the samples whatever the refinement did to their positions. A sample still at its
 * midpoint (a ragged rim, an unfitted patch) has been read already (`sampleMargins`): a reading is a
 * function of the point alone (surfaceDistanceField), so it is reused.
 */
function asDrawnMinimumMm(
  samples: SurfaceSamples,
  sampleMargins: Float64Array,
  margin: (x: number, y: number, z: number) => number,
): number {
  const { count, points, edges, edgeVoxels, voxelToWorld: m } = samples;
  let least = Number.POSITIVE_INFINITY;
  for (let s = 0; s < count; s++) {
    const i = edgeVoxels[6 * s];
    const j = edgeVoxels[6 * s + 1];
    const k = edgeVoxels[6 * s + 2];
    const x = edgeMidpointMm(m, i, j, k, edges[3 * s], 0);
    const y = edgeMidpointMm(m, i, j, k, edges[3 * s + 1], 1);
    const z = edgeMidpointMm(m, i, j, k, edges[3 * s + 2], 2);
    const atMidpoint = x === points[3 * s] && y === points[3 * s + 1] && z === points[3 * s + 2];
    const value = atMidpoint ? sampleMargins[s] : margin(x, y, z);
    if (value < least) least = value;
  }
  return Number.isFinite(least) ? least : Number.NaN;
}

/**
 * Octant of surface sample s: that of its edge's inside voxel centre (sample − (offset + L/2)·ê), the
 * tumor voxel whose face it lies on.
 */
function sampleOctant(samples: SurfaceSamples, s: number, centroid: Vec3): number {
  const L = samples.spacingMm[samples.axis[s]];
  const back = (samples.edgeOffsetMm[s] + L / 2) / L;
  const e = samples.edges;
  const p = samples.points;
  return octantIndex(
    p[3 * s] - back * e[3 * s] - centroid[0],
    p[3 * s + 1] - back * e[3 * s + 1] - centroid[1],
    p[3 * s + 2] - back * e[3 * s + 2] - centroid[2],
  );
}

/**
 * Per-voxel pass: octant volumes, coverage classes and (voxel centres being tumor points too) octant
 * minima. Every tumor voxel centre's margin is read from the ice ball's signed-distance field, so the
 * classes are those of the margins returned with `voxelMargins` (for viewers), bit for bit.
 *
 * No voxel is classed from a neighbour's margin: the field's reading is the distance to the nearest
 * sample's surfel (signedDistance.ts), which jumps where the nearest sample changes, so it is not
 * 1-Lipschitz (face-neighbouring voxel centres of data/cohort's tumors read up to 2.2 mm apart per mm of
 * distance, up to 1.5 mm more than their distance), and a class bound of the form m(w) ± |v − w|
 * misclasses voxels near 0 and near the threshold.
 */
function voxelPass(
  tumor: MaskVolume,
  bounds: MaskBounds,
  centroid: Vec3,
  probe: ReturnType<typeof createMarginProbe>,
  thresholdMm: number,
  octantMin: Float64Array,
  keepMargins: boolean,
) {
  const octantVoxels = new Float64Array(8);
  const octantClass = new Float64Array(24);
  let outside = 0;
  const [nx, ny] = tumor.dims;
  const m = tumor.voxelToWorld;
  const margins = keepMargins ? new Float32Array(tumor.data.length).fill(Number.NaN) : undefined;
  for (let k = bounds.min[2]; k <= bounds.max[2]; k++) {
    for (let j = bounds.min[1]; j <= bounds.max[1]; j++) {
      let idx = bounds.min[0] + nx * (j + ny * k);
      for (let i = bounds.min[0]; i <= bounds.max[0]; i++, idx++) {
        if (tumor.data[idx] === 0) continue;
        const px = m[0] * i + m[1] * j + m[2] * k + m[3];
        const py = m[4] * i + m[5] * j + m[6] * k + m[7];
        const pz = m[8] * i + m[9] * j + m[10] * k + m[11];
        const o = octantIndex(px - centroid[0], py - centroid[1], pz - centroid[2]);
        octantVoxels[o]++;
        const margin = probe.margin(px, py, pz);
        if (Number.isNaN(margin)) {
          outside++;
          continue;
        }
        if (margin < octantMin[o]) octantMin[o] = margin;
        if (margins) margins[idx] = margin;
        octantClass[3 * o + coverageClass(margin, thresholdMm)]++;
      }
    }
  }
  return { octantVoxels, octantClass, outside, margins };
}

/** Class counts → fractions of their total (all NaN when nothing was measured). */
function fractions(green: number, yellow: number, red: number): CoverageFractions {
  const total = green + yellow + red;
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
  const m = mask.voxelToWorld;
  const i = si / n;
  const j = sj / n;
  const k = sk / n;
  return [
    m[0] * i + m[1] * j + m[2] * k + m[3],
    m[4] * i + m[5] * j + m[6] * k + m[7],
    m[8] * i + m[9] * j + m[10] * k + m[11],
  ];
}

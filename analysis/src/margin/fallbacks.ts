/**
 * Does the MTM rest on a part of a surface the reconstruction could not model? The quadric patches
 * (refineSurface.ts) are a local model of a smooth surface; where the mask is not one — a spur or
 * bridge one voxel wide, a part present on a single slice, a ragged rim — the fit fails (the sample
 * stays at its edge's midpoint), or puts the surface beyond the edge and is clamped to the edge's end
 * (a voxel centre), or mixes both sides of a one-voxel-thick part. The samples carry those facts
 * (surface.ts, SAMPLE_* flags); a margin read there is only as good as the mask's voxel edges, so
 * measureMargins says so, with the interval the masks allow (maskRange.ts).
 *
 * Which samples count: on the tumor, those within its coarsest spacing of the minimum's point whose
 * margin is within 0.3 mm of the MTM (the minimum could as well be read at any of them); on the ice
 * ball, those within its coarsest spacing of the ice sample nearest to the mapped minimum point.
 */
import { forEachWithinRadius, nearestPoint } from "./kdTree.js";
import type { ReconstructedSurface } from "./measure.js";
import { SAMPLE_AT_VOXEL_CENTRE, SAMPLE_THIN, SAMPLE_UNREFINED, type SurfaceSamples } from "./surface.js";
import type { Vec3 } from "./types.js";

/** How measureMargins' warning of a fallback at the minimum begins (for readers that count them). */
export const FALLBACK_AT_MINIMUM_WARNING =
  "the minimum margin rests on a part of a surface the reconstruction could not model, so it is only as accurate as the voxel edges there";

/** Margin band above the MTM within which a tumor sample could carry the minimum, mm. */
const MINIMUM_BAND_MM = 0.3;

/** The kinds of fallback among `flagged` samples, in words (slice caps apart from in-plane parts). */
function describe(samples: SurfaceSamples, flagged: number[], name: string, side: -1 | 1): string[] {
  const spacing = samples.spacingMm;
  const coarsest = spacing.indexOf(Math.max(...spacing));
  const anisotropic = Math.max(...spacing) > 1.5 * Math.min(...spacing);
  const kinds = new Set<string>();
  for (const j of flagged) {
    const f = samples.flags[j];
    const cap = anisotropic && samples.axis[j] === coarsest;
    if (f & SAMPLE_THIN) kinds.add(cap ? "a part one slice thick" : "a one-voxel-wide spur or bridge");
    if (f & SAMPLE_UNREFINED) kinds.add("a patch that could not be fitted (edge midpoints)");
    if (f & SAMPLE_AT_VOXEL_CENTRE && side * samples.edgeOffsetMm[j] > 0)
      kinds.add(cap ? "a slice cap clamped to a voxel centre" : "a rim clamped to a voxel centre");
  }
  return [...kinds].map((k) => `${k} of the ${name}`);
}

/**
 * True when sample k rests on a fallback that can make the margin read high: no fit, a one-voxel-thick
 * part, or a clamp to the end of its edge on the optimistic side (`side` −1: the inside end, a tumor
 * surface drawn in; +1: the outside end, an ice surface pushed out). A clamp to the other end reads low,
 * the safe direction, and is not reported.
 */
function optimistic(samples: SurfaceSamples, k: number, side: -1 | 1): boolean {
  const f = samples.flags[k];
  if (f & (SAMPLE_UNREFINED | SAMPLE_THIN)) return true;
  return (f & SAMPLE_AT_VOXEL_CENTRE) !== 0 && side * samples.edgeOffsetMm[k] > 0;
}

/**
 * The fallbacks the MTM rests on, in words ("a part one slice thick of the tumor; …"), or null when the
 * samples at the minimum are all refined (see the module comment). `q` is the minimum's point mapped
 * to the post-ablation world.
 */
export function fallbackAtMinimum(
  tumor: ReconstructedSurface,
  tumorMargins: Float64Array,
  mtmMm: number,
  minPoint: Vec3,
  ice: ReconstructedSurface,
  q: Vec3,
): string | null {
  const flaggedTumor: number[] = [];
  const ts = tumor.samples;
  forEachWithinRadius(tumor.tree, minPoint[0], minPoint[1], minPoint[2], Math.max(...ts.spacingMm), (k) => {
    if (tumorMargins[k] <= mtmMm + MINIMUM_BAND_MM && optimistic(ts, k, -1)) flaggedTumor.push(k);
  });
  const flaggedIce: number[] = [];
  const is = ice.samples;
  if (is.count > 0) {
    const foot = nearestPoint(ice.tree, q[0], q[1], q[2]);
    const p = is.points;
    forEachWithinRadius(ice.tree, p[3 * foot], p[3 * foot + 1], p[3 * foot + 2], Math.max(...is.spacingMm), (k) => {
      if (optimistic(is, k, 1)) flaggedIce.push(k);
    });
  }
  const kinds = [...describe(ts, flaggedTumor, "tumor", -1), ...describe(is, flaggedIce, "ice ball", 1)];
  return kinds.length > 0 ? kinds.join("; ") : null;
}

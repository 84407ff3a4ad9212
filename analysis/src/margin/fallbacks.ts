/**
 * Does the MTM rest on a part of a surface the reconstruction could not model, by enough to matter?
 * The quadric patches (refineSurface.ts) are a local model of a smooth surface; where the mask is not
 * one — a spur or bridge one voxel wide, a ragged rim, a patch whose fit failed — a sample stays at its
 * edge's midpoint, the mask's 0.5 iso-surface, with no model of where on the edge the surface crosses
 * (surface.ts: SAMPLE_THIN in-plane, SAMPLE_RAGGED, SAMPLE_UNREFINED). A margin read there is only as
 * good as the mask's voxel edges: the surface may cross anywhere on each edge.
 *
 * Criterion: measureMargins warns when the mask lets the margin at the minimum be lower than the
 * engine's reading by more than {@link FALLBACK_WARNING_MM} because of such samples — on the tumor,
 * MTM − min over them of the margin at their edge's outside end (the tumor as large as its voxel edges
 * allow there); on the ice ball, max over them of (L/2)|ê·n| (the ice surface moved along its normal
 * to its edges' inside ends). Over-reading is the unsafe direction; a reading the mask lets move by
 * less is not worth a warning, and the range the masks allow is reported anyway (maskRange.ts).
 * A tumor sample on a through-slice edge whose fit was clamped to the edge's inside end (the fit put
 * the surface inside a voxel the mask marks as tumor, so the engine reads it at that voxel's centre,
 * the smallest tumor the mask allows there) is counted too: that is where the engine reads real
 * tumor masks high against their 0.5 iso-surface (bench/real-shapes.ts: the iso-surface's vertex half
 * a slice beyond the last tumor voxel). Other samples whose fit the mask bounded — clamped in-plane or
 * to an outside end, or on a part one slice thick — keep a model and are not counted: on the smooth
 * realistic suite the minima resting on them read −0.11…+0.20 mm (clamps, 13 cases) and −0.32…+0.16 mm
 * (one-slice caps, 8) from the truth.
 *
 * Which samples count: on the tumor, those within its coarsest spacing of the minimum's point whose
 * margin is within 0.3 mm of the MTM (the minimum could as well be read at any of them); on the ice
 * ball, those within its coarsest spacing of the ice sample nearest to the mapped minimum point.
 */
import { forEachWithinRadius, nearestPoint } from "./kdTree.js";
import type { ReconstructedSurface } from "./measure.js";
import { keepsMidpoint } from "./refineSurface.js";
import {
  isSliceAxis,
  SAMPLE_AT_VOXEL_CENTRE,
  SAMPLE_RAGGED,
  SAMPLE_UNREFINED,
  type SurfaceSamples,
} from "./surface.js";
import type { Vec3 } from "./types.js";

/** How measureMargins' warning of a fallback at the minimum begins (for readers that count them). */
export const FALLBACK_AT_MINIMUM_WARNING =
  "the minimum margin rests on a part of a surface the reconstruction could not model, so it is only as accurate as the voxel edges there";

/** The warning fires when the mask lets the MTM be lower than read by more than this, mm. */
export const FALLBACK_WARNING_MM = 0.3;

/** Margin band above the MTM within which a tumor sample could carry the minimum, mm. */
const MINIMUM_BAND_MM = 0.3;

/** True when sample j sits at its edge's midpoint with no model of the surface there. */
function unmodelled(samples: SurfaceSamples, j: number): boolean {
  return (samples.flags[j] & SAMPLE_UNREFINED) !== 0 || keepsMidpoint(samples, j);
}

/** True when tumor sample j is on a through-slice edge, its fit clamped to the edge's inside voxel centre. */
function sliceEndAtVoxelCentre(samples: SurfaceSamples, j: number): boolean {
  return (
    (samples.flags[j] & SAMPLE_AT_VOXEL_CENTRE) !== 0 &&
    samples.edgeOffsetMm[j] < 0 &&
    isSliceAxis(samples.spacingMm, samples.axis[j])
  );
}

/** The kinds of unmodelled part among `flagged` samples, in words. */
function describe(samples: SurfaceSamples, flagged: number[], name: string): string[] {
  const kinds = new Set<string>();
  for (const j of flagged) {
    const f = samples.flags[j];
    if (f & SAMPLE_RAGGED) kinds.add("a ragged rim (read on the mask's 0.5 iso-surface)");
    else if (f & SAMPLE_UNREFINED) kinds.add("a patch that could not be fitted (edge midpoints)");
    else if (sliceEndAtVoxelCentre(samples, j))
      kinds.add("a slice end read at its last voxel's centre (the fit put the surface inside the mask there)");
    else kinds.add("a one-voxel-wide spur or bridge");
  }
  return [...kinds].map((k) => `${k} of the ${name}`);
}

/** What the MTM rests on where the reconstruction has no model, and how far the mask lets it fall. */
export interface FallbackAtMinimum {
  /** The unmodelled parts, in words ("a ragged rim … of the tumor; …"). */
  description: string;
  /** How much lower than read the mask lets the MTM be there, mm (> FALLBACK_WARNING_MM). */
  lowerByMm: number;
}

/**
 * The unmodelled parts the MTM rests on and how much lower the masks let it be there (see the module
 * comment), or null when that is at most FALLBACK_WARNING_MM. `q` is the minimum's point mapped to the
 * post-ablation world; `marginAt` is the engine's margin at a pre-ablation point.
 */
export function fallbackAtMinimum(
  tumor: ReconstructedSurface,
  tumorMargins: Float64Array,
  mtmMm: number,
  minPoint: Vec3,
  ice: ReconstructedSurface,
  q: Vec3,
  marginAt: (x: number, y: number, z: number) => number,
): FallbackAtMinimum | null {
  const ts = tumor.samples;
  const flaggedTumor: number[] = [];
  let lowestMm = mtmMm;
  forEachWithinRadius(tumor.tree, minPoint[0], minPoint[1], minPoint[2], Math.max(...ts.spacingMm), (k) => {
    if (!(tumorMargins[k] <= mtmMm + MINIMUM_BAND_MM)) return;
    if (!unmodelled(ts, k) && !sliceEndAtVoxelCentre(ts, k)) return;
    // The edge's outside end: the sample moved along its edge (unit ê = edge / L) to offset L/2.
    const L = ts.spacingMm[ts.axis[k]];
    const t = (L / 2 - ts.edgeOffsetMm[k]) / L;
    const m = marginAt(
      ts.points[3 * k] + t * ts.edges[3 * k],
      ts.points[3 * k + 1] + t * ts.edges[3 * k + 1],
      ts.points[3 * k + 2] + t * ts.edges[3 * k + 2],
    );
    flaggedTumor.push(k);
    if (m < lowestMm) lowestMm = m;
  });
  const flaggedIce: number[] = [];
  let iceInwardMm = 0;
  const is = ice.samples;
  if (is.count > 0) {
    const foot = nearestPoint(ice.tree, q[0], q[1], q[2]);
    const p = is.points;
    forEachWithinRadius(ice.tree, p[3 * foot], p[3 * foot + 1], p[3 * foot + 2], Math.max(...is.spacingMm), (k) => {
      if (!unmodelled(is, k)) return;
      flaggedIce.push(k);
      const along = Math.abs(
        is.edges[3 * k] * is.normals[3 * k] +
          is.edges[3 * k + 1] * is.normals[3 * k + 1] +
          is.edges[3 * k + 2] * is.normals[3 * k + 2],
      );
      if (along / 2 > iceInwardMm) iceInwardMm = along / 2;
    });
  }
  const lowerByMm = (Number.isFinite(lowestMm) ? mtmMm - lowestMm : 0) + iceInwardMm;
  if (!(lowerByMm > FALLBACK_WARNING_MM)) return null;
  const kinds = [...describe(ts, flaggedTumor, "tumor"), ...describe(is, flaggedIce, "ice ball")];
  return { description: kinds.join("; "), lowerByMm };
}

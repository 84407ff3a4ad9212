/**
 * The data the margin engine works on. Pure data: loaders/ fills these from NIfTI files and transform
 * files; analysis/ never touches a file.
 *
 * Conventions (also in the README):
 * - World space is NIfTI RAS+ in mm: x → patient's Right, y → Anterior, z → Superior.
 * - A 4×4 matrix is a Float64Array(16) in row-major order: m[4*r + c]. Points are column vectors,
 *   world = M · [i, j, k, 1]ᵀ.
 * - The registration transform maps pre-ablation world points to post-ablation world points.
 * - Signed distance to the ice-ball surface is positive inside the ice ball.
 */
import type { TumorOutlineMode, TumorOutlineReading } from "./drawnOutline.js";
import type { MarginSurfaces } from "./measure.js";
import type { SurfaceSamples } from "./surface.js";

/** A row-major 4×4 homogeneous matrix. */
export type Mat4 = Float64Array;

/** A point in RAS+ world space, mm. */
export type Vec3 = [number, number, number];

/** A binary mask on a voxel grid. Voxel (i, j, k) is at index i + nx·(j + ny·k) (NIfTI's order). */
export interface MaskVolume {
  /** Grid size [nx, ny, nz]. */
  dims: [number, number, number];
  /** Voxel index → RAS world mm (the NIfTI sform/qform, converted to RAS). */
  voxelToWorld: Mat4;
  /** 1 inside the object, 0 outside; length nx·ny·nz. */
  data: Uint8Array;
}

/**
 * The eight octants of the tumor, split through its centroid along the patient's left-right,
 * antero-posterior and cranio-caudal (world RAS) axes. Named right|left - anterior|posterior -
 * superior|inferior.
 */
export type OctantName =
  | "right-anterior-superior"
  | "right-anterior-inferior"
  | "right-posterior-superior"
  | "right-posterior-inferior"
  | "left-anterior-superior"
  | "left-anterior-inferior"
  | "left-posterior-superior"
  | "left-posterior-inferior";

/** Fractions of tumor volume per coverage class at a threshold t: green ≥ t, yellow in [0, t), red < 0. */
export interface CoverageFractions {
  fractionGreen: number;
  fractionYellow: number;
  fractionRed: number;
}

export interface OctantMargin extends CoverageFractions {
  name: OctantName;
  tumorVolumeMl: number;
  /**
   * Minimum signed margin over the octant's part of the tumor, mm; NaN (null in JSON) when the octant
   * holds no tumor voxel, as are then its fractions.
   */
  minMarginMm: number;
}

export interface MarginOptions {
  /** Coverage threshold in mm (default 5, the paper's intended margin). */
  thresholdMm?: number;
  /** Also return the per-voxel margin on the tumor grid (for viewers). Default false. */
  voxelMargins?: boolean;
  /** Also return the tumor's refined surface samples and the margin at each (for meshes). Default false. */
  surfaceMargins?: boolean;
  /** The masks' surfaces built beforehand (`marginSurfaces` of the same masks); built here when absent. */
  surfaces?: MarginSurfaces;
  /**
   * How the tumor's surface is read (drawnOutline.ts): "auto" (default) fits a smooth surface unless
   * the outline test finds the mask drawn slice by slice, then reads it as drawn; "smooth" always fits;
   * "drawn" always reads the mask as drawn (its boundary-edge midpoints).
   */
  tumorOutline?: TumorOutlineMode;
}

/** Everything the margin engine reports for one tumor / ice ball pair. */
export interface MarginResult {
  /** Minimal treatment margin, mm (signed: negative = tumor not covered), unrounded. */
  mtmMm: number;
  /** The MTM rounded to the nearest mm, as the paper reports it. */
  mtmMmRounded: number;
  /** Where the minimum is attained, pre-ablation RAS world mm. */
  minMarginPointRas: Vec3;
  minMarginOctant: OctantName;
  thresholdMm: number;
  tumorVolumeMl: number;
  iceballVolumeMl: number;
  tumorMaxDiameterMm: number;
  /** Tumor centroid, pre-ablation RAS world mm (the octant origin). */
  tumorCentroidRas: Vec3;
  coverage: CoverageFractions;
  octants: OctantMargin[];
  /** Fraction of tumor volume that maps outside the post-ablation field of view (0 normally). */
  fractionOutsideFieldOfView: number;
  /**
   * [lo, hi]: the range of the MTM over all tumor and ice-ball surfaces consistent with both masks
   * (each crossing its boundary voxel edges between the inside and outside voxel centres), mm;
   * maskRange.ts. [NaN, NaN] when no margin was measured.
   */
  mtmMaskRangeMm: [number, number];
  /**
   * The MTM of the tumor mask as drawn: the minimum over the tumor's boundary-edge midpoints (its 0.5
   * iso-surface, before any fit) of the same ice signed distance, mm (measure.ts, asDrawnMinimumMm).
   * NaN when no margin was measured.
   */
  mtmAsDrawnMm: number;
  /**
   * The outline test (drawnOutline.ts): the tumor's outline misfit, the limit smooth shapes stay below
   * at its slice spacing, and whether its surface was read as drawn (then `mtmMm` equals `mtmAsDrawnMm`
   * and octants and coverage are those of the mask as drawn).
   */
  tumorOutline?: TumorOutlineReading;
  warnings: string[];
  /** With `voxelMargins`: signed margin (mm) per tumor-grid voxel, NaN outside the tumor. */
  voxelMarginsMm?: Float32Array;
  /**
   * With `surfaceMargins`: the tumor's refined surface samples (pre-ablation world mm; the points the
   * MTM is the minimum over) and the signed margin at each, mm (NaN where it maps outside the post scan).
   */
  tumorSurface?: { samples: SurfaceSamples; marginsMm: Float64Array };
}

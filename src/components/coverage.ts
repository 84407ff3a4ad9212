/**
 * Coverage of a tumor at any threshold, recomputed in the browser from the margin engine's per-voxel
 * margins (the case viewer's slider). The classes are the engine's (analysis/src/margin/measure.ts):
 *
 *   green  margin ≥ t         (covered by at least the intended margin)
 *   yellow 0 ≤ margin < t     (covered, by less)
 *   red    margin < 0         (not covered)
 *
 * as fractions of the measured tumor voxels (NaN voxels — outside the tumor or outside the post-ablation
 * field of view — do not count), overall and per octant (split through the tumor centroid with the
 * engine's `octantIndex`, voxel positions computed exactly as the engine does, on the tumor grid).
 * At the engine's own threshold the fractions equal `cryomargin margins`' (tested).
 */
import { coverageClass, OCTANT_NAMES, type OctantName, octantIndex, type Vec3 } from "@cryomargin/analysis";

/** Label values of the coverage volume the viewer colours. */
export const COVERAGE_LABELS = { none: 0, green: 1, yellow: 2, red: 3 } as const;

/** The viewer's label of one margin at threshold t: the engine's `coverageClass` + 1. Example: `coverageLabel(3, 5)` = 2 (yellow). */
export function coverageLabel(marginMm: number, thresholdMm: number): 1 | 2 | 3 {
  return (coverageClass(marginMm, thresholdMm) + 1) as 1 | 2 | 3;
}

export interface CoverageShares {
  fractionGreen: number;
  fractionYellow: number;
  fractionRed: number;
  /** Measured voxels behind the fractions. */
  voxels: number;
}

export interface CoverageMap {
  thresholdMm: number;
  /** One label per voxel of the crop (COVERAGE_LABELS), for the viewer's coverage volume. */
  classes: Uint8Array;
  overall: CoverageShares;
  octants: ({ name: OctantName } & CoverageShares)[];
}

/** Where the per-voxel margins sit: the crop's size, and its first voxel on the tumor grid. */
export interface MarginGrid {
  dims: [number, number, number];
  /** The tumor grid's voxel → RAS matrix (row-major 16), the one the engine used. */
  sourceVoxelToWorld: readonly number[];
  /** Index of the crop's voxel (0, 0, 0) on the tumor grid. */
  offset: [number, number, number];
}

/** Counts → fractions (NaN when nothing was measured). */
function shares(green: number, yellow: number, red: number): CoverageShares {
  const n = green + yellow + red;
  if (n === 0) return { fractionGreen: Number.NaN, fractionYellow: Number.NaN, fractionRed: Number.NaN, voxels: 0 };
  return { fractionGreen: green / n, fractionYellow: yellow / n, fractionRed: red / n, voxels: n };
}

/**
 * Classes and fractions at `thresholdMm` from per-voxel margins (NaN outside the tumor) on the crop.
 * Example: margins [6, 2, −1, NaN] at t = 5 → classes [1, 2, 3, 0], one third each.
 */
export function coverageAtThreshold(
  margins: ArrayLike<number>,
  grid: MarginGrid,
  centroidRas: Readonly<Vec3>,
  thresholdMm: number,
): CoverageMap {
  const [nx, ny, nz] = grid.dims;
  const m = grid.sourceVoxelToWorld;
  const [oi, oj, ok] = grid.offset;
  const classes = new Uint8Array(nx * ny * nz);
  const counts = new Float64Array(24); // [green, yellow, red] per octant
  let idx = 0;
  for (let k = ok; k < ok + nz; k++)
    for (let j = oj; j < oj + ny; j++)
      for (let i = oi; i < oi + nx; i++, idx++) {
        const margin = margins[idx];
        if (Number.isNaN(margin)) continue;
        const c = coverageLabel(margin, thresholdMm);
        classes[idx] = c;
        // The engine's arithmetic, in its order, so a voxel on a centroid plane falls in the same octant.
        const px = m[0] * i + m[1] * j + m[2] * k + m[3];
        const py = m[4] * i + m[5] * j + m[6] * k + m[7];
        const pz = m[8] * i + m[9] * j + m[10] * k + m[11];
        const o = octantIndex(px - centroidRas[0], py - centroidRas[1], pz - centroidRas[2]);
        counts[3 * o + c - 1]++;
      }
  let green = 0;
  let yellow = 0;
  let red = 0;
  const octants = OCTANT_NAMES.map((name, o) => {
    green += counts[3 * o];
    yellow += counts[3 * o + 1];
    red += counts[3 * o + 2];
    return { name, ...shares(counts[3 * o], counts[3 * o + 1], counts[3 * o + 2]) };
  });
  return { thresholdMm, classes, overall: shares(green, yellow, red), octants };
}

/**
 * Surface samples of a binary mask: one per boundary edge of the voxel grid.
 *
 * A mask says, for each voxel centre, whether it is inside the object. Wherever an inside centre a and
 * an outside centre b are 6-neighbours, the object's continuous surface crosses the segment [a, b] —
 * that is all the mask knows about the surface, and it is exact information: the crossing lies within
 * half a voxel of the midpoint along that axis (±0.6 mm in-plane and ±1.5 mm across 3 mm slices for
 * 1.2 × 1.2 × 3.0 mm MRI). This module extracts those crossings ("samples": midpoint, edge, outward
 * normal); refineSurface.ts then moves each one to a sub-voxel position on a smooth surface.
 */
import { linearDeterminant, voxelSpacingMm } from "./affine.js";
import { forEachWithinRadius, type PointTree } from "./kdTree.js";
import type { MaskBounds } from "./maskBounds.js";
import type { MaskVolume, Mat4 } from "./types.js";

/** Sample flag: no usable local fit, the sample stays at its edge's midpoint (the 0.5 iso-surface). */
export const SAMPLE_UNREFINED = 1;
/** Sample flag: the sample sits at an end of its edge, on a voxel centre. */
export const SAMPLE_AT_VOXEL_CENTRE = 2;
/** Sample flag: the sample's inside voxel has outside neighbours on both sides along the edge's axis. */
export const SAMPLE_THIN = 4;
/** Sample flag: its outside voxel is a one-voxel gap along the edge's axis (inside voxels on both sides: a notch). */
export const SAMPLE_NOTCH = 16;
/** Sample flag: its patch's window is a ragged rim (refineSurface.ts, keepsMidpoint): the sample stays at its edge's midpoint. */
export const SAMPLE_RAGGED = 8;

/** A key for grid voxel (i, j, k), i, j, k ∈ [−1, 65534] (NIfTI dimensions are below 32768). */
export function voxelKey(i: number, j: number, k: number): number {
  return i + 1 + 65536 * (j + 1 + 65536 * (k + 1));
}

/**
 * True when grid axis `a` is a slice axis: the coarsest axis of a grid at least 1.5 times coarser
 * across slices than in-plane (1 mm slices at 0.7–1.0 mm in-plane are not).
 * Example: `isSliceAxis([1.2, 1.2, 3], 2)` is true, `isSliceAxis([1, 1, 1], 2)` false.
 */
export function isSliceAxis(spacingMm: readonly number[], a: number): boolean {
  const max = Math.max(...spacingMm);
  return spacingMm[a] === max && max > 1.5 * Math.min(...spacingMm);
}

export interface SurfaceSamples {
  count: number;
  /** Sample positions in world mm, x y z interleaved (edge midpoints until refined). */
  points: Float64Array;
  /** Outward unit surface normals, world. */
  normals: Float64Array;
  /** World vector from the inside voxel centre to the outside one (its length is the spacing on that axis). */
  edges: Float64Array;
  /** Grid axis (0, 1, 2) of each sample's edge. */
  axis: Uint8Array;
  /**
   * Where each sample sits on its edge: mm from the edge's midpoint towards its outside end (0 until
   * refined; within ± half the spacing on that axis, where the true crossing is).
   */
  edgeOffsetMm: Float64Array;
  /**
   * What each sample's position rests on (bits): {@link SAMPLE_UNREFINED} no local fit, still at its
   * edge's midpoint; {@link SAMPLE_AT_VOXEL_CENTRE} at an end of its edge (a voxel centre: the fit put
   * the surface beyond the edge and it was clamped there); {@link SAMPLE_THIN} its inside voxel is the
   * only one along the edge's axis (a one-voxel-thick part: a spur, a bridge, a single-slice cap);
   * {@link SAMPLE_RAGGED} on a ragged rim, kept at its edge's midpoint.
   */
  flags: Uint8Array;
  /** Area of the voxel face each edge crosses, mm² (voxel volume / spacing on that axis), per axis. */
  faceAreaMm2: [number, number, number];
  /** Voxel spacing of the grid the samples came from, mm. */
  spacingMm: [number, number, number];
  /** Voxel index → world matrix of that grid. */
  voxelToWorld: Mat4;
  /**
   * Grid indices of each sample's edge ends, six per sample: the inside voxel (i, j, k), then the
   * outside one (one step along the edge's axis; may lie one step beyond the grid).
   */
  edgeVoxels: Int32Array;
}

/**
 * Every inside/outside 6-neighbour pair of the mask within `bounds` (the grid outside the volume counts
 * as outside, so an object touching the field-of-view edge gets a closed surface there), as samples
 * at the edge midpoints with the edge direction as a provisional normal.
 *
 * Example: a single inside voxel gives 6 samples, half a voxel from its centre along ±i, ±j, ±k.
 */
export function extractSurfaceSamples(mask: MaskVolume, bounds: MaskBounds): SurfaceSamples {
  const [nx, ny, nz] = mask.dims;
  const data = mask.data;
  const m = mask.voxelToWorld;
  const spacing = voxelSpacingMm(m);
  const voxelVolume = Math.abs(linearDeterminant(m));
  const sliceStride = nx * ny;
  // First pass counts, second fills: no growing arrays.
  let count = 0;
  const forEachCrossing = (
    emit: (i: number, j: number, k: number, axis: number, dir: number, thin: boolean, notch: boolean) => void,
  ) => {
    for (let k = bounds.min[2]; k <= bounds.max[2]; k++) {
      for (let j = bounds.min[1]; j <= bounds.max[1]; j++) {
        let idx = bounds.min[0] + nx * (j + ny * k);
        for (let i = bounds.min[0]; i <= bounds.max[0]; i++, idx++) {
          if (data[idx] === 0) continue;
          const iLow = i === 0 || data[idx - 1] === 0;
          const iHigh = i === nx - 1 || data[idx + 1] === 0;
          const jLow = j === 0 || data[idx - nx] === 0;
          const jHigh = j === ny - 1 || data[idx + nx] === 0;
          const kLow = k === 0 || data[idx - sliceStride] === 0;
          const kHigh = k === nz - 1 || data[idx + sliceStride] === 0;
          if (iLow) emit(i, j, k, 0, -1, iHigh, i >= 2 && data[idx - 2] !== 0);
          if (iHigh) emit(i, j, k, 0, 1, iLow, i < nx - 2 && data[idx + 2] !== 0);
          if (jLow) emit(i, j, k, 1, -1, jHigh, j >= 2 && data[idx - 2 * nx] !== 0);
          if (jHigh) emit(i, j, k, 1, 1, jLow, j < ny - 2 && data[idx + 2 * nx] !== 0);
          if (kLow) emit(i, j, k, 2, -1, kHigh, k >= 2 && data[idx - 2 * sliceStride] !== 0);
          if (kHigh) emit(i, j, k, 2, 1, kLow, k < nz - 2 && data[idx + 2 * sliceStride] !== 0);
        }
      }
    }
  };
  forEachCrossing(() => count++);
  const points = new Float64Array(3 * count);
  const normals = new Float64Array(3 * count);
  const edges = new Float64Array(3 * count);
  const axis = new Uint8Array(count);
  const flags = new Uint8Array(count);
  const edgeVoxels = new Int32Array(6 * count);
  let n = 0;
  forEachCrossing((i, j, k, a, dir, thin, notch) => {
    const v = 6 * n;
    edgeVoxels[v] = edgeVoxels[v + 3] = i;
    edgeVoxels[v + 1] = edgeVoxels[v + 4] = j;
    edgeVoxels[v + 2] = edgeVoxels[v + 5] = k;
    edgeVoxels[v + 3 + a] += dir;
    for (let c = 0; c < 3; c++) {
      const e = dir * m[4 * c + a];
      edges[3 * n + c] = e;
      points[3 * n + c] = edgeMidpointMm(m, i, j, k, e, c);
      normals[3 * n + c] = e / spacing[a];
    }
    axis[n] = a;
    flags[n] = (thin ? SAMPLE_THIN : 0) | (notch ? SAMPLE_NOTCH : 0);
    n++;
  });
  return {
    count,
    points,
    normals,
    edges,
    axis,
    edgeOffsetMm: new Float64Array(count),
    flags,
    faceAreaMm2: [voxelVolume / spacing[0], voxelVolume / spacing[1], voxelVolume / spacing[2]],
    spacingMm: spacing,
    voxelToWorld: m,
    edgeVoxels,
  };
}

/**
 * Outward normals from the surface-area vector of the neighbourhood.
 *
 * Derivation: per unit of its area, a plane with unit normal n crosses |n·ê_a| / A_a grid edges of
 * axis a, where ê_a is the unit world direction of that axis and A_a the voxel face area perpendicular
 * to it (voxel volume / spacing_a). Each crossing, weighted by its face
 * area A_a and pointing along its outward edge direction ê (sign(n·ê) ê_a), therefore contributes on
 * average Σ_a (n·ê_a) ê_a = n per unit area: the weighted sum of outward edge directions over a patch
 * is its area vector. Summing over a ball of `radiusMm` with a smooth weight (1 − d²/r²)² gives a normal
 * that does not staircase. Normals are written into `samples.normals` (which must hold the edge
 * directions on entry, as extractSurfaceSamples leaves them).
 */
export function estimateAreaVectorNormals(samples: SurfaceSamples, tree: PointTree, radiusMm: number): void {
  const { count, points, edges, axis, faceAreaMm2, spacingMm } = samples;
  const out = new Float64Array(3 * count);
  const r2 = radiusMm * radiusMm;
  let sx = 0;
  let sy = 0;
  let sz = 0;
  const visit = (k: number, d2: number) => {
    const w0 = 1 - d2 / r2;
    const a = axis[k];
    const w = (w0 * w0 * faceAreaMm2[a]) / spacingMm[a];
    sx += w * edges[3 * k];
    sy += w * edges[3 * k + 1];
    sz += w * edges[3 * k + 2];
  };
  for (let j = 0; j < count; j++) {
    sx = sy = sz = 0;
    forEachWithinRadius(tree, points[3 * j], points[3 * j + 1], points[3 * j + 2], radiusMm, visit);
    const len = Math.hypot(sx, sy, sz);
    if (len > 0) {
      out[3 * j] = sx / len;
      out[3 * j + 1] = sy / len;
      out[3 * j + 2] = sz / len;
    } else {
      // A sliver whose area vectors cancel (a one-voxel-thin sheet): keep the edge direction.
      const a = axis[j];
      out[3 * j] = edges[3 * j] / spacingMm[a];
      out[3 * j + 1] = edges[3 * j + 1] / spacingMm[a];
      out[3 * j + 2] = edges[3 * j + 2] / spacingMm[a];
    }
  }
  samples.normals.set(out);
}

/**
 * World coordinate c (0 x, 1 y, 2 z) of the midpoint of a boundary edge: its inside voxel centre (i, j, k)
 * through `voxelToWorld`, plus half the edge's world component `edgeMm` (a sample's `edges[3s + c]`). The
 * one formula of the samples' starting points, so a sample still at its midpoint equals it bit for bit.
 * Example: on a 1 mm grid at the origin, `edgeMidpointMm(m, 2, 0, 0, 1, 0)` is 2.5.
 */
export function edgeMidpointMm(voxelToWorld: Mat4, i: number, j: number, k: number, edgeMm: number, c: number): number {
  const m = voxelToWorld;
  return m[4 * c] * i + m[4 * c + 1] * j + m[4 * c + 2] * k + m[4 * c + 3] + 0.5 * edgeMm;
}

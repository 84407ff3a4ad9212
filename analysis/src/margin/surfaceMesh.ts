/**
 * The tumor's margin surface as a triangle mesh: the surface the engine measures on, coloured by the
 * margin it measured there — what the case page's 3D view draws and what `margins --export` writes.
 *
 * Vertices. The engine samples the tumor surface once per boundary edge of the mask (surface.ts) and
 * moves each sample along its own edge to the sub-voxel surface (refineSurface.ts). Marching cubes on
 * the mask (marchingCubes.ts) has exactly one vertex per boundary edge, so each vertex is placed at its
 * edge's refined sample: the mesh is marching cubes of the mask in the engine's own surface convention,
 * its vertices are the points the MTM is the minimum over, and the margin at each vertex is the
 * engine's signed distance there (measureMargins with `surfaceMargins`). The smallest vertex margin is
 * the MTM, at the engine's minimum point.
 *
 * Display. {@link smoothForDisplay} removes the voxel staircase for the eye only (Taubin λ|μ smoothing,
 * which does not shrink); margins, classes and areas are always those of the engine's positions.
 */

import { invertAffine } from "./affine.js";
import { marchingCubes } from "./marchingCubes.js";
import { maskBounds } from "./maskBounds.js";
import { coverageClass } from "./measure.js";
import type { SurfaceSamples } from "./surface.js";
import type { CoverageFractions, MaskVolume } from "./types.js";

/** A closed triangle mesh of the tumor surface with the signed margin at each vertex. */
export interface MarginSurfaceMesh {
  vertexCount: number;
  triangleCount: number;
  /** The engine's refined surface samples, pre-ablation RAS world mm, x y z interleaved. */
  positionsMm: Float64Array;
  /** Signed margin at each vertex, mm (positive inside the ice ball; NaN outside the post scan). */
  marginsMm: Float64Array;
  /** Vertex indices, three per triangle, counter-clockwise seen from outside the tumor. */
  triangles: Uint32Array;
}

/** Key of a boundary edge: its inside voxel (grid padded by one), axis and direction. */
function edgeKey(dims: readonly number[], i: number, j: number, k: number, axis: number, direction: number): number {
  return 6 * (i + 1 + (dims[0] + 2) * (j + 1 + (dims[1] + 2) * (k + 1))) + 2 * axis + (direction > 0 ? 1 : 0);
}

/**
 * The margin mesh of a tumor mask from the engine's refined surface samples of that mask and the margin
 * at each (`measureMargins(…, { surfaceMargins: true }).tumorSurface`).
 *
 * Each sample's edge is recovered from its geometry (refined point − offset along the edge = midpoint;
 * midpoint − half the edge = inside voxel centre), so the correspondence does not depend on the order
 * in which either side enumerates edges. Throws when a mesh vertex has no sample (the samples are not
 * of this mask).
 * Example: `tumorMarginMesh(tumor, measureMargins(tumor, ice, T, { surfaceMargins: true }).tumorSurface!)`.
 */
export function tumorMarginMesh(
  tumor: MaskVolume,
  surface: { samples: SurfaceSamples; marginsMm: Float64Array },
): MarginSurfaceMesh {
  const { samples, marginsMm } = surface;
  const m = tumor.voxelToWorld;
  const W = invertAffine(m, "tumor");
  const sampleOfEdge = new Map<number, number>();
  for (let s = 0; s < samples.count; s++) {
    const a = samples.axis[s];
    const ex = samples.edges[3 * s];
    const ey = samples.edges[3 * s + 1];
    const ez = samples.edges[3 * s + 2];
    const length = Math.hypot(ex, ey, ez);
    const offset = samples.edgeOffsetMm[s] / length;
    // Inside voxel centre = refined point − (offset / L + ½) × edge.
    const cx = samples.points[3 * s] - (offset + 0.5) * ex;
    const cy = samples.points[3 * s + 1] - (offset + 0.5) * ey;
    const cz = samples.points[3 * s + 2] - (offset + 0.5) * ez;
    const i = Math.round(W[0] * cx + W[1] * cy + W[2] * cz + W[3]);
    const j = Math.round(W[4] * cx + W[5] * cy + W[6] * cz + W[7]);
    const k = Math.round(W[8] * cx + W[9] * cy + W[10] * cz + W[11]);
    const direction = ex * m[a] + ey * m[4 + a] + ez * m[8 + a];
    sampleOfEdge.set(edgeKey(tumor.dims, i, j, k, a, direction), s);
  }
  const mesh = marchingCubes(tumor, maskBounds(tumor));
  const positionsMm = new Float64Array(3 * mesh.vertexCount);
  const vertexMarginsMm = new Float64Array(mesh.vertexCount);
  for (let v = 0; v < mesh.vertexCount; v++) {
    const [i, j, k] = mesh.insideVoxel.subarray(3 * v, 3 * v + 3);
    const s = sampleOfEdge.get(edgeKey(tumor.dims, i, j, k, mesh.axis[v], mesh.direction[v]));
    if (s === undefined) {
      throw new Error(
        `tumorMarginMesh: no surface sample on the boundary edge of voxel (${i}, ${j}, ${k}), axis ${mesh.axis[v]}`,
      );
    }
    positionsMm.set(samples.points.subarray(3 * s, 3 * s + 3), 3 * v);
    vertexMarginsMm[v] = marginsMm[s];
  }
  return {
    vertexCount: mesh.vertexCount,
    triangleCount: mesh.triangleCount,
    positionsMm,
    marginsMm: vertexMarginsMm,
    triangles: mesh.triangles,
  };
}

/**
 * Area of the surface around each vertex, mm²: a third of the area of every triangle it belongs to
 * (the barycentric dual cell), so the vertex areas add up to the mesh's area.
 */
export function vertexAreasMm2(
  positionsMm: ArrayLike<number>,
  triangles: ArrayLike<number>,
  vertexCount: number,
): Float64Array {
  const areas = new Float64Array(vertexCount);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t];
    const b = 3 * triangles[t + 1];
    const c = 3 * triangles[t + 2];
    const ux = positionsMm[b] - positionsMm[a];
    const uy = positionsMm[b + 1] - positionsMm[a + 1];
    const uz = positionsMm[b + 2] - positionsMm[a + 2];
    const wx = positionsMm[c] - positionsMm[a];
    const wy = positionsMm[c + 1] - positionsMm[a + 1];
    const wz = positionsMm[c + 2] - positionsMm[a + 2];
    const third = Math.hypot(uy * wz - uz * wy, uz * wx - ux * wz, ux * wy - uy * wx) / 6;
    areas[triangles[t]] += third;
    areas[triangles[t + 1]] += third;
    areas[triangles[t + 2]] += third;
  }
  return areas;
}

/**
 * Coverage classes of the tumor surface by area at threshold t (green margin ≥ t, yellow 0 ≤ margin < t,
 * red < 0): each vertex counts for its dual-cell area; vertices outside the post scan (NaN) are left
 * out. The engine's own fractions are by volume; a surface fraction weighs the boundary, where the
 * smaller margins are, so red and yellow take a larger share by area than by volume.
 */
export function coverageFractionsByArea(mesh: MarginSurfaceMesh, thresholdMm: number): CoverageFractions {
  const areas = vertexAreasMm2(mesh.positionsMm, mesh.triangles, mesh.vertexCount);
  const sums = [0, 0, 0];
  for (let v = 0; v < mesh.vertexCount; v++) {
    const margin = mesh.marginsMm[v];
    if (Number.isNaN(margin)) continue;
    sums[coverageClass(margin, thresholdMm)] += areas[v];
  }
  const total = sums[0] + sums[1] + sums[2];
  if (total === 0) return { fractionGreen: Number.NaN, fractionYellow: Number.NaN, fractionRed: Number.NaN };
  return { fractionGreen: sums[0] / total, fractionYellow: sums[1] / total, fractionRed: sums[2] / total };
}

/** Index of the vertex with the smallest margin (−1 when every margin is NaN). */
export function minimumMarginVertex(mesh: MarginSurfaceMesh): number {
  let best = -1;
  for (let v = 0; v < mesh.vertexCount; v++) {
    if (mesh.marginsMm[v] < (best < 0 ? Number.POSITIVE_INFINITY : mesh.marginsMm[best])) best = v;
  }
  return best;
}

/**
 * Positions for display: Taubin's λ|μ smoothing (Taubin 1995) with the uniform umbrella operator,
 * `iterations` pairs of steps x ← x + λ Δx, x ← x + μ Δx with λ = 0.5, μ = −0.53: the positive step
 * smooths, the slightly larger negative one undoes the shrinkage, so the surface loses its voxel
 * staircase without moving inward. For the eye only: margins belong to the unsmoothed positions.
 * Example: `smoothForDisplay(mesh.positionsMm, mesh.triangles, 10)`.
 */
export function smoothForDisplay(positionsMm: Float64Array, triangles: Uint32Array, iterations = 10): Float64Array {
  const n = positionsMm.length / 3;
  // Neighbour lists (compressed): each triangle edge once per direction.
  const degree = new Uint32Array(n + 1);
  for (let t = 0; t < triangles.length; t++) degree[triangles[t] + 1]++;
  for (let v = 0; v < n; v++) degree[v + 1] += degree[v];
  const neighbours = new Uint32Array(degree[n]);
  const fill = degree.slice(0, n);
  for (let t = 0; t < triangles.length; t += 3) {
    for (let s = 0; s < 3; s++) neighbours[fill[triangles[t + s]]++] = triangles[t + ((s + 1) % 3)];
  }
  let current = Float64Array.from(positionsMm);
  let next = new Float64Array(current.length);
  for (let step = 0; step < 2 * iterations; step++) {
    const factor = step % 2 === 0 ? 0.5 : -0.53;
    for (let v = 0; v < n; v++) {
      const from = degree[v];
      const to = degree[v + 1];
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let e = from; e < to; e++) sum += current[3 * neighbours[e] + c];
        const own = current[3 * v + c];
        next[3 * v + c] = to > from ? own + factor * (sum / (to - from) - own) : own;
      }
    }
    [current, next] = [next, current];
  }
  return current;
}

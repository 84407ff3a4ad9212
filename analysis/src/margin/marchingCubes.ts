/**
 * Marching cubes on a binary mask: the triangulated surface whose vertices are the mask's boundary
 * edges — one vertex on each segment joining an inside voxel centre to an outside one (a 6-neighbour
 * pair; the grid outside the volume counts as outside, so an object touching the field-of-view edge
 * gets a closed surface there, as in surface.ts).
 *
 * Placed at the edge midpoints this is the mask's 0.5 iso-surface: the trilinear interpolation of the
 * 0/1 voxel values is ½ exactly at the midpoint of every boundary edge (signedDistance.ts, maskCell), so
 * linear-interpolation marching cubes (Lorensen & Cline 1987) of the binary volume at iso-level ½ puts
 * each vertex there. These vertices are one-to-one with the engine's surface samples
 * (extractSurfaceSamples: one sample per boundary edge), which refineSurface.ts moves along their own
 * edges; surfaceMesh.ts places each vertex at its sample's refined position, so the mesh's vertices are
 * the engine's surface.
 *
 * Topology. The triangulation of each cube is derived, not tabulated: on each of the cube's six faces
 * the contour joins the face's crossing edges in pairs; on an ambiguous face (two diagonal corners
 * inside, two outside) each inside corner is cut off on its own ("inside separated"). That rule depends
 * only on the face's four corners, so two cubes sharing a face draw the same contour on it and the
 * surface is closed — every triangle edge is shared by exactly two triangles — with no holes at
 * ambiguous faces (the known failure of the 15-case table; Nielson & Hamann 1991). The face contours of
 * a cube chain into closed loops (each crossing edge lies on two faces), and each loop is fanned into
 * triangles, wound counter-clockwise seen from outside (normals by the right-hand rule point out of the
 * object, in world space).
 */
import { linearDeterminant } from "./affine.js";
import type { MaskBounds } from "./maskBounds.js";
import type { MaskVolume } from "./types.js";

/** A triangulated surface whose vertices lie on boundary edges of a voxel grid. */
export interface BoundaryEdgeMesh {
  vertexCount: number;
  triangleCount: number;
  /** Vertex positions, world mm, x y z interleaved (edge midpoints: the 0.5 iso-surface). */
  positionsMm: Float64Array;
  /** Voxel index (i, j, k) of each vertex's edge's inside end, interleaved (may be on the grid's edge). */
  insideVoxel: Int32Array;
  /** Grid axis (0, 1, 2) of each vertex's edge. */
  axis: Uint8Array;
  /** Direction (+1 / −1) along that axis from the inside voxel to the outside one. */
  direction: Int8Array;
  /** Vertex indices, three per triangle, counter-clockwise seen from outside the object. */
  triangles: Uint32Array;
}

/** Corner c of a cube sits at offset (c & 1, (c >> 1) & 1, (c >> 2) & 1) from its lowest voxel. */
const CORNER_OFFSET = [0, 1, 2, 3, 4, 5, 6, 7].map((c) => [c & 1, (c >> 1) & 1, (c >> 2) & 1] as const);

/** The cube's 12 edges as [lower corner, upper corner] (corners differing in one bit). */
const CUBE_EDGES: readonly (readonly [number, number])[] = (() => {
  const edges: [number, number][] = [];
  for (let c = 0; c < 8; c++) for (const bit of [1, 2, 4]) if ((c & bit) === 0) edges.push([c, c | bit]);
  return edges;
})();

const edgeOf = (a: number, b: number): number =>
  CUBE_EDGES.findIndex(([p, q]) => (p === a && q === b) || (p === b && q === a));

/**
 * The six faces, each as its four corners in cyclic order. Axis `bit` fixed to 0 or 1; the cycle
 * walks the other two bits as 00, 10, 11, 01.
 */
const CUBE_FACES: readonly (readonly number[])[] = (() => {
  const faces: number[][] = [];
  for (const bit of [1, 2, 4]) {
    const [u, v] = [1, 2, 4].filter((b) => b !== bit);
    for (const side of [0, bit]) faces.push([side, side | u, side | u | v, side | v]);
  }
  return faces;
})();

/**
 * Triangles of every cube configuration (bit c of the index set when corner c is inside), as cube
 * edge indices, three per triangle, counter-clockwise seen from outside the object in index space.
 */
const CASE_TRIANGLES: readonly Int8Array[] = (() => {
  const table: Int8Array[] = [];
  for (let config = 0; config < 256; config++) table.push(triangulateCube(config));
  return table;
})();

/** Triangles of one cube configuration; see the module comment for the face rule. */
function triangulateCube(config: number): Int8Array {
  const inside = (c: number) => ((config >> c) & 1) === 1;
  // Each crossing edge gets exactly two neighbours: one through each face it lies on.
  const neighbours: number[][] = CUBE_EDGES.map(() => []);
  const link = (a: number, b: number) => {
    neighbours[a].push(b);
    neighbours[b].push(a);
  };
  for (const face of CUBE_FACES) {
    const crossings: number[] = [];
    for (let s = 0; s < 4; s++) {
      const a = face[s];
      const b = face[(s + 1) % 4];
      if (inside(a) !== inside(b)) crossings.push(s);
    }
    if (crossings.length === 2) {
      const [s, t] = crossings;
      link(edgeOf(face[s], face[(s + 1) % 4]), edgeOf(face[t], face[(t + 1) % 4]));
    } else if (crossings.length === 4) {
      // Ambiguous face: cut off each inside corner by joining its two face edges.
      for (let s = 0; s < 4; s++) {
        if (!inside(face[s])) continue;
        link(edgeOf(face[(s + 3) % 4], face[s]), edgeOf(face[s], face[(s + 1) % 4]));
      }
    }
  }
  const used = new Uint8Array(12);
  const triangles: number[] = [];
  for (let start = 0; start < 12; start++) {
    if (used[start] || neighbours[start].length === 0) continue;
    const loop = [start];
    used[start] = 1;
    let previous = -1;
    let current = start;
    for (;;) {
      const next = neighbours[current][0] === previous ? neighbours[current][1] : neighbours[current][0];
      if (next === start) break;
      loop.push(next);
      used[next] = 1;
      previous = current;
      current = next;
    }
    // Orient the loop: its Newell normal must point along the outward direction (inside → outside
    // corner) summed over its edges.
    const mid = loop.map((e) => {
      const [a, b] = CUBE_EDGES[e];
      return [0, 1, 2].map((d) => (CORNER_OFFSET[a][d] + CORNER_OFFSET[b][d]) / 2);
    });
    const normal = [0, 0, 0];
    for (let n = 0; n < loop.length; n++) {
      const p = mid[n];
      const q = mid[(n + 1) % loop.length];
      normal[0] += (p[1] - q[1]) * (p[2] + q[2]);
      normal[1] += (p[2] - q[2]) * (p[0] + q[0]);
      normal[2] += (p[0] - q[0]) * (p[1] + q[1]);
    }
    let outward = 0;
    for (const e of loop) {
      const [a, b] = CUBE_EDGES[e];
      const sign = inside(a) ? 1 : -1;
      for (let d = 0; d < 3; d++) outward += sign * (CORNER_OFFSET[b][d] - CORNER_OFFSET[a][d]) * normal[d];
    }
    if (outward < 0) loop.reverse();
    triangles.push(...triangulateLoop(loop));
  }
  return Int8Array.from(triangles);
}

/** True when cube edges a and b lie on one face of the cube. */
function onOneFace(a: number, b: number): boolean {
  const corners = [...CUBE_EDGES[a], ...CUBE_EDGES[b]];
  return CUBE_FACES.some((face) => corners.every((c) => face.includes(c)));
}

/**
 * Triangles of a loop of cube edges (kept in the loop's winding) whose diagonals never join two edges
 * of one cube face: such a diagonal would lie in the face, where the neighbouring cube's loop may draw
 * the same chord, and the two sheets would share a triangle edge four times.
 */
function triangulateLoop(loop: number[]): number[] {
  const allowed = (i: number, j: number) =>
    Math.abs(i - j) === 1 || Math.abs(i - j) === loop.length - 1 || !onOneFace(loop[i], loop[j]);
  // Triangulate the sub-polygon loop[first..last] across its closing edge (first, last).
  const solve = (first: number, last: number): number[] | null => {
    if (last - first < 2) return [];
    for (let apex = first + 1; apex < last; apex++) {
      if (!allowed(first, apex) || !allowed(apex, last)) continue;
      const left = solve(first, apex);
      const right = left && solve(apex, last);
      if (left && right) return [...left, ...right, loop[first], loop[apex], loop[last]];
    }
    return null;
  };
  const found = solve(0, loop.length - 1);
  // Every loop of the 256 configurations has such a triangulation (the table is built at load).
  if (!found) throw new Error(`marching cubes: no face-free triangulation of the loop ${loop.join(",")}`);
  return found;
}

/**
 * The boundary-edge surface of `mask` within `bounds` (from maskBounds; the whole grid is read as
 * padded by one outside voxel on every side). Vertices at the edge midpoints (the 0.5 iso-surface),
 * shared between neighbouring cubes, in order of first use.
 *
 * Example: a single inside voxel gives 6 vertices (its face centres) and 8 triangles (an octahedron).
 */
export function marchingCubes(mask: MaskVolume, bounds: MaskBounds): BoundaryEdgeMesh {
  const [nx, ny, nz] = mask.dims;
  const data = mask.data;
  const m = mask.voxelToWorld;
  const at = (i: number, j: number, k: number): number =>
    i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz ? 0 : data[i + nx * (j + ny * k)] === 0 ? 0 : 1;
  // Vertex of an edge, keyed by its lower voxel in the padded grid and its axis.
  const px = nx + 2;
  const py = ny + 2;
  const vertexOfEdge = new Map<number, number>();
  const positions: number[] = [];
  const insideVoxel: number[] = [];
  const axes: number[] = [];
  const directions: number[] = [];
  const triangles: number[] = [];
  const flip = linearDeterminant(m) < 0;
  const corner = new Uint8Array(8);
  const cubeVertex = new Int32Array(12);
  if (bounds.count === 0) return pack();
  for (let k = bounds.min[2] - 1; k <= bounds.max[2]; k++) {
    for (let j = bounds.min[1] - 1; j <= bounds.max[1]; j++) {
      for (let i = bounds.min[0] - 1; i <= bounds.max[0]; i++) {
        let config = 0;
        for (let c = 0; c < 8; c++) {
          const o = CORNER_OFFSET[c];
          corner[c] = at(i + o[0], j + o[1], k + o[2]);
          config |= corner[c] << c;
        }
        const cubeTriangles = CASE_TRIANGLES[config];
        if (cubeTriangles.length === 0) continue;
        cubeVertex.fill(-1);
        for (let t = 0; t < cubeTriangles.length; t += 3) {
          for (let v = 0; v < 3; v++) {
            const e = cubeTriangles[t + (flip ? 2 - v : v)];
            if (cubeVertex[e] < 0) cubeVertex[e] = vertexFor(i, j, k, e);
            triangles.push(cubeVertex[e]);
          }
        }
      }
    }
  }
  return pack();

  function vertexFor(i: number, j: number, k: number, e: number): number {
    const [a, b] = CUBE_EDGES[e];
    const lo = CORNER_OFFSET[a];
    const axis = b - a === 1 ? 0 : b - a === 2 ? 1 : 2;
    const li = i + lo[0];
    const lj = j + lo[1];
    const lk = k + lo[2];
    const key = 3 * (li + 1 + px * (lj + 1 + py * (lk + 1))) + axis;
    let index = vertexOfEdge.get(key);
    if (index !== undefined) return index;
    index = vertexOfEdge.size;
    vertexOfEdge.set(key, index);
    const lowerInside = corner[a] === 1;
    const step = [0, 0, 0];
    step[axis] = 1;
    const ii = lowerInside ? li : li + step[0];
    const jj = lowerInside ? lj : lj + step[1];
    const kk = lowerInside ? lk : lk + step[2];
    insideVoxel.push(ii, jj, kk);
    axes.push(axis);
    directions.push(lowerInside ? 1 : -1);
    const ci = li + step[0] / 2;
    const cj = lj + step[1] / 2;
    const ck = lk + step[2] / 2;
    positions.push(
      m[0] * ci + m[1] * cj + m[2] * ck + m[3],
      m[4] * ci + m[5] * cj + m[6] * ck + m[7],
      m[8] * ci + m[9] * cj + m[10] * ck + m[11],
    );
    return index;
  }

  function pack(): BoundaryEdgeMesh {
    return {
      vertexCount: axes.length,
      triangleCount: triangles.length / 3,
      positionsMm: Float64Array.from(positions),
      insideVoxel: Int32Array.from(insideVoxel),
      axis: Uint8Array.from(axes),
      direction: Int8Array.from(directions),
      triangles: Uint32Array.from(triangles),
    };
  }
}

/**
 * Volume enclosed by a closed triangle mesh, mm³ (divergence theorem: the sum over triangles of
 * (p₀ · (p₁ × p₂)) / 6). Positive when the triangles are wound counter-clockwise seen from outside.
 * Example: the octahedron of one 1 mm voxel encloses 1/6 mm³.
 */
export function enclosedVolumeMm3(positionsMm: ArrayLike<number>, triangles: ArrayLike<number>): number {
  let sum = 0;
  for (let t = 0; t < triangles.length; t += 3) {
    const a = 3 * triangles[t];
    const b = 3 * triangles[t + 1];
    const c = 3 * triangles[t + 2];
    const [ax, ay, az] = [positionsMm[a], positionsMm[a + 1], positionsMm[a + 2]];
    const [bx, by, bz] = [positionsMm[b], positionsMm[b + 1], positionsMm[b + 2]];
    const [cx, cy, cz] = [positionsMm[c], positionsMm[c + 1], positionsMm[c + 2]];
    sum += ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
  }
  return sum / 6;
}

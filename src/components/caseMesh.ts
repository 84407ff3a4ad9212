/**
 * The 3D view's meshes of one case — built from the measured masks (`caseMeshes`: by the site's data
 * loader, and in the browser by the workstation page) — and their one small binary file (cases/<id>/mesh.bin, gzipped by the data
 * loader; the page inflates it with the browser's DecompressionStream): the tumor surface (display
 * positions, the engine's margin and the surface area at each vertex, triangles) and the ice ball
 * (display positions, triangles), both in pre-ablation RAS mm.
 *
 * Layout (little-endian): the header — magic "CMM1", then uint32 tumor vertices, tumor triangles, ice
 * vertices, ice triangles, index width (2 or 4 bytes), then float32 origin x y z and step (mm) — then
 * tumor positions (int16 × 3 per vertex, in steps from the previous vertex — the first from the origin),
 * tumor margins (float32), tumor vertex areas (float32, mm²), tumor triangles (each index as its
 * difference from the previous index, int16 or int32), ice positions, ice triangles, each section padded
 * to 4 bytes. Marching cubes numbers vertices in scan order, so the differences are small and gzip
 * packs them to about half of the absolute values' bytes. Positions are for display (smoothed); margins and areas are the engine's, at the unsmoothed
 * surface (analysis/src/margin/surfaceMesh.ts). A step of 0.02 mm is far below a pixel at any zoom.
 */

import {
  applyAffine,
  coverageFractionsByArea,
  invertAffine,
  type MarginResult,
  type MaskVolume,
  type Mat4,
  marchingCubes,
  maskBounds,
  minimumMarginVertex,
  smoothForDisplay,
  tumorMarginMesh,
  vertexAreasMm2,
} from "@cryomargin/analysis";

/** One case's meshes, decoded. */
export interface CaseMeshes {
  tumor: {
    /** Display positions, RAS mm, x y z interleaved. */
    positionsMm: Float32Array;
    /** The engine's signed margin at each vertex, mm (NaN outside the post scan). */
    marginsMm: Float32Array;
    /** Surface area around each vertex (a third of its triangles'), mm², at the engine's positions. */
    areasMm2: Float32Array;
    triangles: Uint32Array;
  };
  ice: { positionsMm: Float32Array; triangles: Uint32Array };
}

const MAGIC = 0x314d4d43; // "CMM1" read as a little-endian uint32
const HEADER_BYTES = 40;
/** Position quantum, mm. */
export const MESH_POSITION_STEP_MM = 0.02;

const padded = (bytes: number) => Math.ceil(bytes / 4) * 4;

/**
 * Encodes the meshes. Throws when a position lies beyond the int16 range around the tumor's first
 * vertex (± 655 mm at 0.02 mm: never for one case's tumor and ice ball).
 */
export function encodeCaseMeshes(meshes: {
  tumor: {
    positionsMm: ArrayLike<number>;
    marginsMm: ArrayLike<number>;
    areasMm2: ArrayLike<number>;
    triangles: ArrayLike<number>;
  };
  ice: { positionsMm: ArrayLike<number>; triangles: ArrayLike<number> };
}): Uint8Array {
  const { tumor, ice } = meshes;
  const nt = tumor.positionsMm.length / 3;
  const ni = ice.positionsMm.length / 3;
  const wide = Math.max(nt, ni) > 0x7fff;
  const indexBytes = wide ? 4 : 2;
  const origin = [0, 1, 2].map((a) => (nt > 0 ? Math.fround(tumor.positionsMm[a]) : 0));
  const sizes = [
    HEADER_BYTES,
    padded(6 * nt),
    4 * nt,
    4 * nt,
    padded(indexBytes * tumor.triangles.length),
    padded(6 * ni),
    padded(indexBytes * ice.triangles.length),
  ];
  const out = new Uint8Array(sizes.reduce((s, b) => s + b, 0));
  const view = new DataView(out.buffer);
  const counts = [MAGIC, nt, tumor.triangles.length / 3, ni, ice.triangles.length / 3, indexBytes];
  for (let i = 0; i < counts.length; i++) view.setUint32(4 * i, counts[i], true);
  for (let a = 0; a < 3; a++) view.setFloat32(24 + 4 * a, origin[a], true);
  view.setFloat32(36, MESH_POSITION_STEP_MM, true);
  let at = HEADER_BYTES;
  const positions = (p: ArrayLike<number>, size: number) => {
    const previous = [0, 0, 0];
    for (let v = 0; v < p.length; v++) {
      const q = Math.round((p[v] - origin[v % 3]) / MESH_POSITION_STEP_MM);
      const d = q - previous[v % 3];
      if (d < -32768 || d > 32767) throw new RangeError(`mesh position ${p[v]} mm is beyond the int16 range`);
      view.setInt16(at + 2 * v, d, true);
      previous[v % 3] = q;
    }
    at += size;
  };
  const floats = (values: ArrayLike<number>) => {
    for (let v = 0; v < values.length; v++) view.setFloat32(at + 4 * v, values[v], true);
    at += 4 * values.length;
  };
  const indices = (t: ArrayLike<number>, size: number) => {
    for (let v = 0; v < t.length; v++) {
      const d = t[v] - (v > 0 ? t[v - 1] : 0);
      if (wide) view.setInt32(at + 4 * v, d, true);
      else view.setInt16(at + 2 * v, d, true);
    }
    at += size;
  };
  positions(tumor.positionsMm, sizes[1]);
  floats(tumor.marginsMm);
  floats(tumor.areasMm2);
  indices(tumor.triangles, sizes[4]);
  positions(ice.positionsMm, sizes[5]);
  indices(ice.triangles, sizes[6]);
  return out;
}

/** Decodes {@link encodeCaseMeshes}' bytes (after gunzip). Throws on a file that is not one. */
export function decodeCaseMeshes(bytes: ArrayBuffer): CaseMeshes {
  const view = new DataView(bytes);
  if (bytes.byteLength < HEADER_BYTES || view.getUint32(0, true) !== MAGIC)
    throw new Error("not a cryomargin mesh file");
  const [nt, mt, ni, mi, indexBytes] = [1, 2, 3, 4, 5].map((i) => view.getUint32(4 * i, true));
  const origin = [0, 1, 2].map((a) => view.getFloat32(24 + 4 * a, true));
  const step = view.getFloat32(36, true);
  let at = HEADER_BYTES;
  const positions = (n: number) => {
    const out = new Float32Array(3 * n);
    const q = [0, 0, 0];
    for (let v = 0; v < 3 * n; v++) {
      q[v % 3] += view.getInt16(at + 2 * v, true);
      out[v] = origin[v % 3] + step * q[v % 3];
    }
    at += padded(6 * n);
    return out;
  };
  const floats = (n: number) => {
    const out = new Float32Array(n);
    for (let v = 0; v < n; v++) out[v] = view.getFloat32(at + 4 * v, true);
    at += 4 * n;
    return out;
  };
  const indices = (m: number) => {
    const out = new Uint32Array(3 * m);
    let index = 0;
    for (let v = 0; v < 3 * m; v++) {
      index += indexBytes === 4 ? view.getInt32(at + 4 * v, true) : view.getInt16(at + 2 * v, true);
      out[v] = index;
    }
    at += padded(indexBytes * 3 * m);
    return out;
  };
  const tumor = { positionsMm: positions(nt), marginsMm: floats(nt), areasMm2: floats(nt), triangles: indices(mt) };
  const ice = { positionsMm: positions(ni), triangles: indices(mi) };
  return { tumor, ice };
}

/** Display smoothing of the ice ball's mask surface (edge midpoints: a coarser staircase than the tumor's refined one). */
const ICE_SMOOTHING_ITERATIONS = 20;
const TUMOR_SMOOTHING_ITERATIONS = 10;

/**
 * A mask on every other voxel of its first two axes (the same world frame: those columns of the matrix
 * doubled). For the translucent ice ball of the 3D view only: a third of the vertices, no visible loss
 * under the smoothing; no margin is read from it.
 */
function everyOtherVoxelInPlane(mask: MaskVolume): MaskVolume {
  const [nx, ny, nz] = mask.dims;
  const dims: [number, number, number] = [Math.ceil(nx / 2), Math.ceil(ny / 2), nz];
  const data = new Uint8Array(dims[0] * dims[1] * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++)
        data[i + dims[0] * (j + dims[1] * k)] = mask.data[2 * i + nx * (2 * j + ny * k)];
  const voxelToWorld = Float64Array.from(mask.voxelToWorld);
  for (let r = 0; r < 3; r++) {
    voxelToWorld[4 * r] *= 2;
    voxelToWorld[4 * r + 1] *= 2;
  }
  return { dims, voxelToWorld, data };
}

/**
 * The 3D view's meshes of a measured case (the data loader's mesh.bin.gz; the workstation page's view,
 * built in the browser): the tumor's margin mesh (marching cubes of the mask at the engine's refined
 * surface, the engine's margin per vertex: analysis/src/margin/surfaceMesh.ts) and the ice ball's mask
 * surface brought into the pre-ablation frame (post → pre), both smoothed for display; and the class
 * fractions by surface area at the analysis threshold, shown beside the engine's by volume.
 */
export function caseMeshes(tumor: MaskVolume, iceball: MaskVolume, preToPost: Mat4, result: MarginResult) {
  if (!result.tumorSurface) throw new Error("the margin engine returned no tumor surface");
  const mesh = tumorMarginMesh(tumor, result.tumorSurface);
  const areas = vertexAreasMm2(mesh.positionsMm, mesh.triangles, mesh.vertexCount);
  const iceShown = everyOtherVoxelInPlane(iceball);
  const ice = marchingCubes(iceShown, maskBounds(iceShown));
  const postToPre = invertAffine(preToPost, "transform");
  const icePre = new Float64Array(ice.positionsMm.length);
  for (let v = 0; v < ice.vertexCount; v++) {
    const p = applyAffine(postToPre, [ice.positionsMm[3 * v], ice.positionsMm[3 * v + 1], ice.positionsMm[3 * v + 2]]);
    icePre.set(p, 3 * v);
  }
  // A rigid transform keeps the winding's orientation; smoothing moves positions only.
  const min = minimumMarginVertex(mesh);
  return {
    encoded: {
      tumor: {
        positionsMm: smoothForDisplay(mesh.positionsMm, mesh.triangles, TUMOR_SMOOTHING_ITERATIONS),
        marginsMm: mesh.marginsMm,
        areasMm2: areas,
        triangles: mesh.triangles,
      },
      ice: { positionsMm: smoothForDisplay(icePre, ice.triangles, ICE_SMOOTHING_ITERATIONS), triangles: ice.triangles },
    },
    summary: {
      file: "mesh.bin.gz",
      tumorVertices: mesh.vertexCount,
      iceVertices: ice.vertexCount,
      minimumVertex: min,
      coverageByArea: coverageFractionsByArea(mesh, result.thresholdMm),
    },
  };
}

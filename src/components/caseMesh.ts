/**
 * The 3D view's meshes of one case as one small binary file (cases/<id>/mesh.bin, gzipped by the data
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

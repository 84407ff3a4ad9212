/**
 * The workstation's bridge between NiiVue's images and the analysis package's volumes. NiiVue keeps a
 * NIfTI's voxels in the file's order (`img`) and its drawing layer in "RAS voxel" order: the grid's axes
 * permuted and flipped so that index x increases toward the patient's right, y toward anterior and z
 * toward superior (RAS+; `permRAS`: for RAS axis a, ±(1 + the file's axis), negative when
 * flipped; `dimsRAS`: [3, nx, ny, nz] of that order). The analysis package works in the file's order with
 * the file's voxel-to-world matrix, as the command line does.
 */
import { type NiftiGeometryHeader, niftiSrow, niftiVoxelToWorld, type ScalarVolume } from "@cryomargin/analysis";

/** The parts of a loaded NiiVue image (NVImage) the workstation reads (`hdr` is nifti-reader-js's header). */
export interface LoadedScan {
  name: string;
  hdr: Omit<NiftiGeometryHeader, "srow"> & {
    dims: number[];
    /** NiiVue's voxel-to-world matrix (rows): shown, never computed with (see scanVolume). */
    affine: number[][];
    scl_slope: number;
    scl_inter: number;
  };
  img: ArrayLike<number>;
  permRAS: number[];
  dimsRAS: number[];
  /** NIfTI bytes of the image's header with `drawing8` (RAS voxel order) as uint8 voxels; gzipped for "*.gz". */
  saveToUint8Array(name: string, drawing8?: Uint8Array | null): Promise<Uint8Array>;
}

/**
 * What `read` returns; an error it throws (the analysis package's typed errors say what is wrong with
 * the file, not which file) rethrown as an Error whose message starts with the file's name.
 */
export function namingFile<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The first bytes of a NIfTI file that hold its header (540: NIfTI-2's size), inflated when gzipped. */
export async function niftiHeadBytes(file: Blob): Promise<Uint8Array> {
  const HEAD = 540;
  const magic = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (!(magic[0] === 0x1f && magic[1] === 0x8b)) return new Uint8Array(await file.slice(0, HEAD).arrayBuffer());
  const reader = file.stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  const head = new Uint8Array(HEAD);
  let filled = 0;
  while (filled < HEAD) {
    const { done, value } = await reader.read();
    if (done) break;
    const take = Math.min(value.length, HEAD - filled);
    head.set(value.subarray(0, take), filled);
    filled += take;
  }
  await reader.cancel();
  return head.subarray(0, filled);
}

/**
 * The scan as the segmentation reads it: the file's grid, the voxel-to-world matrix (RAS mm) the
 * command line gives the same file (niftiVoxelToWorld: nibabel's sform > qform > pixdim, with the sform
 * rows from `head`, the file's first bytes — not NiiVue's matrix, which prefers the qform when its code
 * is the larger), and the intensities after scl_slope/scl_inter (a slope of 0 means no scaling, as the
 * standard says). Refuses a geometry that cannot place voxels, naming the file.
 */
export function scanVolume(image: LoadedScan, head: Uint8Array): ScalarVolume & { warnings: string[] } {
  const [nx, ny, nz] = [image.hdr.dims[1], image.hdr.dims[2], image.hdr.dims[3]];
  const srow = niftiSrow(head);
  if (srow === null) throw new Error(`${image.name}: not a NIfTI-1 or NIfTI-2 header`);
  const geometry = namingFile(image.name, () => niftiVoxelToWorld({ ...image.hdr, srow }, [nx, ny, nz], image.name));
  const voxelToWorld = geometry.matrix;
  const slope = image.hdr.scl_slope;
  const scaled = Number.isFinite(slope) && slope !== 0;
  const n = nx * ny * nz;
  const data = new Float32Array(n);
  for (let v = 0; v < n; v++) data[v] = scaled ? image.img[v] * slope + image.hdr.scl_inter : image.img[v];
  return { dims: [nx, ny, nz], voxelToWorld, data, warnings: geometry.warnings };
}

/** The RAS voxel of a file-order voxel (see the module comment). */
export function rasVoxelOf(image: LoadedScan, voxel: readonly number[]): [number, number, number] {
  const dims = image.hdr.dims;
  return [0, 1, 2].map((a) => {
    const p = image.permRAS[a];
    const axis = Math.abs(p) - 1;
    return p < 0 ? dims[axis + 1] - 1 - voxel[axis] : voxel[axis];
  }) as [number, number, number];
}

/** The file-order voxel of a RAS voxel (inverse of {@link rasVoxelOf}). */
export function fileVoxelOf(image: LoadedScan, ras: readonly number[]): [number, number, number] {
  const dims = image.hdr.dims;
  const out: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    const p = image.permRAS[a];
    const axis = Math.abs(p) - 1;
    out[axis] = p < 0 ? dims[axis + 1] - 1 - ras[a] : ras[a];
  }
  return out;
}

/** For each file-order voxel index, its index in RAS voxel order (NiiVue's drawing layer). */
export function rasIndexOfFileIndex(image: LoadedScan): Int32Array {
  const [nx, ny, nz] = [image.hdr.dims[1], image.hdr.dims[2], image.hdr.dims[3]];
  const [rx, ry] = [image.dimsRAS[1], image.dimsRAS[2]];
  const out = new Int32Array(nx * ny * nz);
  const c = [0, 0, 0];
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        c[0] = i;
        c[1] = j;
        c[2] = k;
        const r = rasVoxelOf(image, c);
        out[v] = r[0] + rx * (r[1] + ry * r[2]);
      }
  return out;
}

/** A drawing layer (RAS voxel order) in file order, through {@link rasIndexOfFileIndex}'s map. */
export function drawingToFileOrder(drawing: Uint8Array, map: Int32Array): Uint8Array {
  const out = new Uint8Array(map.length);
  for (let v = 0; v < map.length; v++) out[v] = drawing[map[v]];
  return out;
}

/** File-order values in RAS voxel order (a drawing layer), through {@link rasIndexOfFileIndex}'s map. */
export function fileOrderToDrawing(values: Uint8Array, map: Int32Array): Uint8Array {
  const out = new Uint8Array(map.length);
  for (let v = 0; v < map.length; v++) out[map[v]] = values[v];
  return out;
}

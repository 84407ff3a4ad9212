/**
 * The workstation's bridge between NiiVue's images and the analysis package's volumes. NiiVue keeps a
 * NIfTI's voxels in the file's order (`img`) and its drawing layer in "RAS voxel" order: the grid's axes
 * permuted and flipped so that index x increases toward the patient's right, y toward anterior and z
 * toward superior (RAS+; `permRAS`: for RAS axis a, ±(1 + the file's axis), negative when
 * flipped; `dimsRAS`: [3, nx, ny, nz] of that order). The analysis package works in the file's order with
 * the file's voxel-to-world matrix, as the command line does.
 */
import type { Mat4, ScalarVolume } from "@cryomargin/analysis";

/** The parts of a loaded NiiVue image (NVImage) the workstation reads. */
export interface LoadedScan {
  name: string;
  hdr: { dims: number[]; affine: number[][]; scl_slope: number; scl_inter: number };
  img: ArrayLike<number>;
  permRAS: number[];
  dimsRAS: number[];
  /** NIfTI bytes of the image's header with `drawing8` (RAS voxel order) as uint8 voxels; gzipped for "*.gz". */
  saveToUint8Array(name: string, drawing8?: Uint8Array | null): Promise<Uint8Array>;
}

/**
 * The scan as the segmentation reads it: the file's grid, the header's voxel-to-world matrix (RAS mm;
 * nifti-reader-js's choice of sform or qform, as NiiVue draws it) and the intensities after
 * scl_slope/scl_inter (a slope of 0 means no scaling, as the standard says).
 */
export function scanVolume(image: LoadedScan): ScalarVolume {
  const [nx, ny, nz] = [image.hdr.dims[1], image.hdr.dims[2], image.hdr.dims[3]];
  const a = image.hdr.affine;
  const voxelToWorld = new Float64Array(16) as Mat4;
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) voxelToWorld[4 * r + c] = a[r][c];
  const slope = image.hdr.scl_slope;
  const scaled = Number.isFinite(slope) && slope !== 0;
  const n = nx * ny * nz;
  const data = new Float32Array(n);
  for (let v = 0; v < n; v++) data[v] = scaled ? image.img[v] * slope + image.hdr.scl_inter : image.img[v];
  return { dims: [nx, ny, nz], voxelToWorld, data };
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

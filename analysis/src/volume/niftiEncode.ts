/**
 * An image as the bytes of a single-file NIfTI-1 (`.nii`, uncompressed), in pure code: the command line
 * writes its masks with it (gzipped by loaders/io/nifti.ts) and the workstation hands NiiVue a scan it
 * read through ITK (a DICOM series) with it. Header layout: NIfTI-1 (nifti1.h), 348 bytes, then the
 * 4-byte extension flag (all zero), voxels from vox_offset 352.
 */

import { inverseOrNull, voxelSpacingMm } from "../margin/affine.js";
import type { Mat4, Vec3 } from "../margin/types.js";
import type { VolumeVoxelArray } from "./itkImage.js";

/** What `encodeNifti1` needs: a grid, its geometry (voxel index → RAS mm, row-major) and its values. */
export interface Nifti1Input {
  /** Grid size [nx, ny, nz]; voxel (i, j, k) is data[i + nx·(j + ny·k)]. */
  dims: [number, number, number];
  voxelToWorld: Mat4;
  data: VolumeVoxelArray;
  /** Value = stored · sclSlope + sclInter (default 1 and 0). */
  sclSlope?: number;
  sclInter?: number;
  description?: string;
  auxFile?: string;
  intentName?: string;
}

/** NIfTI datatype code and bits of a voxel array. */
function datatypeOf(data: VolumeVoxelArray): { code: number; bits: number } {
  if (data instanceof Uint8Array) return { code: 2, bits: 8 };
  if (data instanceof Int16Array) return { code: 4, bits: 16 };
  if (data instanceof Uint16Array) return { code: 512, bits: 16 };
  if (data instanceof Int32Array) return { code: 8, bits: 32 };
  if (data instanceof Float32Array) return { code: 16, bits: 32 };
  return { code: 64, bits: 64 };
}

/**
 * The qform of a voxel-to-world matrix (nifti1_io.c nifti_mat44_to_quatern, for the orthogonal case):
 * spacing = column lengths; qfac = −1 when the columns are left-handed (det < 0), the third column then
 * negated; the quaternion from the rotation by the largest-pivot method, with a ≥ 0. Returns null when
 * the columns are not orthogonal (a sheared grid has no qform; the sform alone holds it).
 */
export function qformOf(m: Mat4): { quaternBcd: Vec3; offset: Vec3; spacing: Vec3; qfac: 1 | -1 } | null {
  const spacing = voxelSpacingMm(m);
  const col = (c: number) => [m[c] / spacing[c], m[4 + c] / spacing[c], m[8 + c] / spacing[c]];
  const u = [col(0), col(1), col(2)];
  const dot = (p: number[], q: number[]) => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
  if (Math.abs(dot(u[0], u[1])) > 1e-6 || Math.abs(dot(u[0], u[2])) > 1e-6 || Math.abs(dot(u[1], u[2])) > 1e-6)
    return null;
  const det =
    u[0][0] * (u[1][1] * u[2][2] - u[1][2] * u[2][1]) -
    u[1][0] * (u[0][1] * u[2][2] - u[0][2] * u[2][1]) +
    u[2][0] * (u[0][1] * u[1][2] - u[0][2] * u[1][1]);
  const qfac: 1 | -1 = det < 0 ? -1 : 1;
  if (qfac < 0) u[2] = u[2].map((v) => -v);
  // r[row][col] with columns u[col]
  const r = (row: number, c: number) => u[c][row];
  const trace = r(0, 0) + r(1, 1) + r(2, 2);
  let a: number;
  let b: number;
  let c: number;
  let d: number;
  if (trace > 0) {
    const s = 2 * Math.sqrt(1 + trace);
    a = 0.25 * s;
    b = (r(2, 1) - r(1, 2)) / s;
    c = (r(0, 2) - r(2, 0)) / s;
    d = (r(1, 0) - r(0, 1)) / s;
  } else if (r(0, 0) > r(1, 1) && r(0, 0) > r(2, 2)) {
    const s = 2 * Math.sqrt(1 + r(0, 0) - r(1, 1) - r(2, 2));
    a = (r(2, 1) - r(1, 2)) / s;
    b = 0.25 * s;
    c = (r(0, 1) + r(1, 0)) / s;
    d = (r(0, 2) + r(2, 0)) / s;
  } else if (r(1, 1) > r(2, 2)) {
    const s = 2 * Math.sqrt(1 + r(1, 1) - r(0, 0) - r(2, 2));
    a = (r(0, 2) - r(2, 0)) / s;
    b = (r(0, 1) + r(1, 0)) / s;
    c = 0.25 * s;
    d = (r(1, 2) + r(2, 1)) / s;
  } else {
    const s = 2 * Math.sqrt(1 + r(2, 2) - r(0, 0) - r(1, 1));
    a = (r(1, 0) - r(0, 1)) / s;
    b = (r(0, 2) + r(2, 0)) / s;
    c = (r(1, 2) + r(2, 1)) / s;
    d = 0.25 * s;
  }
  if (a < 0) [b, c, d] = [-b, -c, -d];
  return { quaternBcd: [b + 0, c + 0, d + 0], offset: [m[3], m[7], m[11]], spacing, qfac };
}

/** ASCII text cut to fit a fixed-size NUL-terminated header field. */
function headerText(s: string | undefined, bytes: number): string {
  return (s ?? "").replace(/[^\x20-\x7e]/g, "?").slice(0, bytes - 1);
}

/**
 * Encodes an image as a single-file NIfTI-1 (.nii bytes). Little-endian, vox_offset 352, units mm,
 * sform_code = 1 (scanner) holding voxelToWorld (as float32, the format's precision), and the same
 * geometry as qform (code 1) when the grid axes are orthogonal. Deterministic: the same image gives the
 * same bytes. Throws a RangeError when the values do not fill the grid or the matrix is singular.
 * Example: `new Blob([encodeNifti1({ dims, voxelToWorld, data })])` is a `.nii` file.
 */
export function encodeNifti1(image: Nifti1Input): Uint8Array {
  const [nx, ny, nz] = image.dims;
  const count = nx * ny * nz;
  if (!image.dims.every((n) => Number.isInteger(n) && n >= 1) || image.data.length !== count)
    throw new RangeError(`encodeNifti: ${image.data.length} values do not fill a ${image.dims.join("×")} grid`);
  if (inverseOrNull(image.voxelToWorld) === null) throw new RangeError("encodeNifti: voxelToWorld is singular");
  const { code, bits } = datatypeOf(image.data);
  const q = qformOf(image.voxelToWorld);
  const spacing = voxelSpacingMm(image.voxelToWorld);
  const out = new Uint8Array(352 + image.data.byteLength);
  const view = new DataView(out.buffer);
  const text = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
  };
  const floats = (offset: number, values: readonly number[]) => {
    for (let i = 0; i < values.length; i++) view.setFloat32(offset + 4 * i, values[i], true);
  };
  view.setInt32(0, 348, true); // sizeof_hdr
  for (const [i, n] of [3, nx, ny, nz, 1, 1, 1, 1].entries()) view.setInt16(40 + 2 * i, n, true); // dim
  view.setInt16(70, code, true); // datatype
  view.setInt16(72, bits, true); // bitpix
  floats(76, [q?.qfac ?? 1, spacing[0], spacing[1], spacing[2], 1, 1, 1, 1]); // pixdim
  floats(108, [352, image.sclSlope ?? 1, image.sclInter ?? 0]); // vox_offset, scl_slope, scl_inter
  out[123] = 2; // xyzt_units: NIFTI_UNITS_MM
  text(148, headerText(image.description, 80));
  text(228, headerText(image.auxFile, 24));
  view.setInt16(252, q ? 1 : 0, true); // qform_code
  view.setInt16(254, 1, true); // sform_code
  floats(256, [...(q ? q.quaternBcd : [0, 0, 0]), ...(q ? q.offset : [0, 0, 0])]);
  floats(280, Array.from(image.voxelToWorld.slice(0, 12)));
  text(328, headerText(image.intentName, 16));
  text(344, "n+1");
  const voxels = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  out.set(voxels, 352);
  if (!littleEndianHost()) swapBytesInPlace(out.subarray(352), bits / 8);
  return out;
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** Reverses the bytes of each `width`-byte value of `b` in place (a byte order changed). */
export function swapBytesInPlace(b: Uint8Array, width: number): void {
  for (let i = 0; i < b.length; i += width)
    for (let lo = i, hi = i + width - 1; lo < hi; lo++, hi--) {
      const t = b[lo];
      b[lo] = b[hi];
      b[hi] = t;
    }
}

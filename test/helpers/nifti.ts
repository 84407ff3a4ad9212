/**
 * Test fixtures for the NIfTI reader, written byte by byte from the NIfTI-1 / NIfTI-2 specifications
 * (nifti1.h, nifti2.h) and independent of loaders/io/nifti.ts, so a bug in the writer cannot hide the
 * same bug in the reader. Also: masks of analytic shapes for end-to-end tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RawNiftiSpec {
  version?: 1 | 2;
  littleEndian?: boolean;
  /** dim[0..7]; default [3, nx, ny, nz, 1, 1, 1, 1] from `dims`. */
  dim?: number[];
  dims?: [number, number, number];
  datatype?: number;
  bitpix?: number;
  pixdim?: number[];
  voxOffset?: number;
  sclSlope?: number;
  sclInter?: number;
  xyztUnits?: number;
  qformCode?: number;
  sformCode?: number;
  quatern?: [number, number, number];
  qoffset?: [number, number, number];
  srow?: number[][];
  description?: string;
  magic?: string;
  /** Voxel bytes as they go into the file (already in the file's byte order). */
  dataBytes?: Uint8Array;
}

/** A single-file NIfTI (.nii) built field by field. */
export function rawNifti(spec: RawNiftiSpec): Uint8Array {
  const version = spec.version ?? 1;
  const le = spec.littleEndian ?? true;
  const headerSize = version === 1 ? 348 : 540;
  const voxOffset = spec.voxOffset ?? headerSize + 4;
  const data = spec.dataBytes ?? new Uint8Array(0);
  const out = new Uint8Array(voxOffset + data.length);
  const v = new DataView(out.buffer);
  const dims = spec.dims ?? [1, 1, 1];
  const dim = spec.dim ?? [3, dims[0], dims[1], dims[2], 1, 1, 1, 1];
  const pixdim = spec.pixdim ?? [1, 1, 1, 1, 1, 1, 1, 1];
  const srow = spec.srow ?? [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  const text = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
  };
  if (version === 1) {
    v.setInt32(0, 348, le);
    for (const [i, d] of dim.entries()) v.setInt16(40 + 2 * i, d, le);
    v.setInt16(70, spec.datatype ?? 2, le);
    v.setInt16(72, spec.bitpix ?? 8, le);
    for (const [i, p] of pixdim.entries()) v.setFloat32(76 + 4 * i, p, le);
    v.setFloat32(108, voxOffset, le);
    v.setFloat32(112, spec.sclSlope ?? 1, le);
    v.setFloat32(116, spec.sclInter ?? 0, le);
    out[123] = spec.xyztUnits ?? 2;
    text(148, spec.description ?? "");
    v.setInt16(252, spec.qformCode ?? 0, le);
    v.setInt16(254, spec.sformCode ?? 0, le);
    for (const [i, q] of (spec.quatern ?? [0, 0, 0]).entries()) v.setFloat32(256 + 4 * i, q, le);
    for (const [i, q] of (spec.qoffset ?? [0, 0, 0]).entries()) v.setFloat32(268 + 4 * i, q, le);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 4; c++) {
        const x = srow[r][c];
        v.setFloat32(280 + 4 * (4 * r + c), x, le);
      }
    text(344, spec.magic ?? "n+1\0");
  } else {
    v.setInt32(0, 540, le);
    text(4, spec.magic ?? "n+2\0\r\n\x1a\n");
    v.setInt16(12, spec.datatype ?? 2, le);
    v.setInt16(14, spec.bitpix ?? 8, le);
    for (const [i, d] of dim.entries()) v.setBigInt64(16 + 8 * i, BigInt(d), le);
    for (const [i, p] of pixdim.entries()) v.setFloat64(104 + 8 * i, p, le);
    v.setBigInt64(168, BigInt(voxOffset), le);
    v.setFloat64(176, spec.sclSlope ?? 1, le);
    v.setFloat64(184, spec.sclInter ?? 0, le);
    text(240, spec.description ?? "");
    v.setInt32(344, spec.qformCode ?? 0, le);
    v.setInt32(348, spec.sformCode ?? 0, le);
    for (const [i, q] of (spec.quatern ?? [0, 0, 0]).entries()) v.setFloat64(352 + 8 * i, q, le);
    for (const [i, q] of (spec.qoffset ?? [0, 0, 0]).entries()) v.setFloat64(376 + 8 * i, q, le);
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 4; c++) {
        const x = srow[r][c];
        v.setFloat64(400 + 8 * (4 * r + c), x, le);
      }
    v.setInt32(500, spec.xyztUnits ?? 2, le);
  }
  out.set(data, voxOffset);
  return out;
}

/** Bytes of int16 values in the given byte order. */
export function int16Bytes(values: number[], littleEndian = true): Uint8Array {
  const out = new Uint8Array(2 * values.length);
  const v = new DataView(out.buffer);
  for (const [i, x] of values.entries()) v.setInt16(2 * i, x, littleEndian);
  return out;
}

/** A fresh temporary folder and a function that removes it. */
export function temporaryFolder(prefix = "cryomargin-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A row-major voxel-to-world matrix for an axis-aligned grid: spacing on the diagonal, origin. */
export function axisAlignedGrid(spacing: [number, number, number], origin: [number, number, number]): Float64Array {
  return Float64Array.from([
    spacing[0],
    0,
    0,
    origin[0],
    0,
    spacing[1],
    0,
    origin[1],
    0,
    0,
    spacing[2],
    origin[2],
    0,
    0,
    0,
    1,
  ]);
}

/**
 * A 0/1 mask of the ball |x − centre| ≤ radius (world mm) on a grid: voxel centres inside are 1.
 * Example: `ballMask([40, 40, 20], grid, [0, 0, 0], 10)`.
 */
export function ballMask(
  dims: [number, number, number],
  voxelToWorld: Float64Array,
  centre: [number, number, number],
  radiusMm: number,
): Uint8Array {
  const m = voxelToWorld;
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const x = m[0] * i + m[1] * j + m[2] * k + m[3] - centre[0];
        const y = m[4] * i + m[5] * j + m[6] * k + m[7] - centre[1];
        const z = m[8] * i + m[9] * j + m[10] * k + m[11] - centre[2];
        if (x * x + y * y + z * z <= radiusMm * radiusMm) out[i + nx * (j + ny * k)] = 1;
      }
  return out;
}

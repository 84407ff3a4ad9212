/**
 * Every input format of loaders/io/readVolume.ts on one oblique case: the same tumor and ice ball written
 * as NIfTI (.nii.gz, .nii), NRRD (RAS, gzip; LPS detached .nhdr + raw), 3D Slicer .seg.nrrd (label map;
 * layered, one file holding both), MetaImage (.mha, .mhd), a DICOM series (dcmjs; files named out of slice
 * order; int16 with rescale) and DICOM-SEG (dcmqi via @itk-wasm/dicom). Each must read back to the same
 * RAS voxel-to-world matrix and voxels, and give the same minimal treatment margin to 1e-6 mm.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Ellipsoid,
  emptyMask,
  type Mat4,
  quaternionToMatrix,
  rasterizeEllipsoid,
  sphere,
} from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { measureCase } from "../loaders/cohort/measureCase.js";
import { readMaskFile } from "../loaders/io/readMaskFile.js";
import { readVolume, type VolumeFormat } from "../loaders/io/readVolume.js";
import { type FormatName, type GridVolume, writeCaseInEveryFormat } from "./helpers/formats.js";

/** An oblique grid whose matrix entries are float32 numbers, so NIfTI's float32 sform holds it exactly. */
function obliqueGrid(): Mat4 {
  const q = [0.9, 0.2, -0.3, 0.25];
  const norm = Math.hypot(...q);
  const r = quaternionToMatrix(q[0] / norm, q[1] / norm, q[2] / norm, q[3] / norm);
  const spacing = [1.0, 1.25, 2.0];
  const m = new Float64Array(16);
  for (let row = 0; row < 3; row++) {
    for (let c = 0; c < 3; c++) m[4 * row + c] = Math.fround(r[3 * row + c] * spacing[c]);
    // the grid's centre near world 0, in quarter millimetres (exact in float32)
    const centre = m[4 * row] * 19.5 + m[4 * row + 1] * 17.5 + m[4 * row + 2] * 10.5;
    m[4 * row + 3] = -Math.round(centre * 4) / 4;
  }
  m[15] = 1;
  return m;
}

const dims: [number, number, number] = [40, 36, 22];
let dir: string;
let files: Record<FormatName, { tumor: string; iceball: string }>;
let tumor: GridVolume;
let iceball: GridVolume;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cryomargin-formats-"));
  const grid = obliqueGrid();
  tumor = emptyMask(dims, grid);
  iceball = emptyMask(dims, grid);
  rasterizeEllipsoid(tumor, sphere([1.5, -2, 0.5], 7.5));
  const ice: Ellipsoid = {
    centre: [3, -1, 1.5],
    semiAxesMm: [13, 11, 12],
    rotation: quaternionToMatrix(0.96, 0.1, 0.2, 0.17),
  };
  rasterizeEllipsoid(iceball, ice);
  files = writeCaseInEveryFormat(dir, tumor, iceball);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const expectedFormat: Record<FormatName, VolumeFormat> = {
  nifti: "nifti",
  "nifti-plain": "nifti",
  "nrrd-ras": "nrrd",
  "nhdr-lps-raw": "nrrd",
  "seg-nrrd-labelmap": "seg.nrrd",
  "seg-nrrd-layered-both": "seg.nrrd",
  mha: "metaimage",
  mhd: "metaimage",
  "dicom-series": "dicom-series",
  "dicom-seg": "dicom-seg",
};

describe("one volume in every format", () => {
  test("reads to the same RAS matrix and the same mask", () => {
    for (const format of Object.keys(expectedFormat) as FormatName[]) {
      const volume = readVolume(files[format].tumor);
      expect(volume.format, format).toBe(expectedFormat[format]);
      const { mask } = readMaskFile(files[format].tumor, { role: "tumor" });
      // DICOM-SEG is cropped to its non-empty slices: compare world positions of the voxels instead
      if (format === "dicom-seg") {
        const m = tumor.voxelToWorld;
        const shift = [0, 1, 2].map((r) => mask.voxelToWorld[4 * r + 3] - m[4 * r + 3]);
        const k0 = Math.round(
          (shift[0] * m[2] + shift[1] * m[6] + shift[2] * m[10]) / (m[2] ** 2 + m[6] ** 2 + m[10] ** 2),
        );
        expect(k0, "crop offset along k").toBeGreaterThan(0);
        const shifted = new Float64Array(tumor.voxelToWorld);
        for (let r = 0; r < 3; r++) shifted[4 * r + 3] += k0 * tumor.voxelToWorld[4 * r + 2];
        for (let e = 0; e < 16; e++)
          expect(Math.abs(mask.voxelToWorld[e] - shifted[e]), `${format} [${e}]`).toBeLessThan(1e-5);
        const slice = dims[0] * dims[1];
        expect([...mask.data].join("")).toBe(
          [...tumor.data.subarray(k0 * slice, k0 * slice + mask.data.length)].join(""),
        );
        continue;
      }
      expect(mask.dims, format).toEqual(dims);
      for (let e = 0; e < 16; e++)
        expect(Math.abs(mask.voxelToWorld[e] - tumor.voxelToWorld[e]), `${format} matrix[${e}]`).toBeLessThan(1e-9);
      let differing = 0;
      for (let i = 0; i < mask.data.length; i++) if (mask.data[i] !== tumor.data[i]) differing++;
      expect(differing, `${format}: voxels differing`).toBe(0);
    }
  });

  test("gives the same minimal treatment margin to 1e-6 mm", () => {
    const reference = measureCase(files.nifti).result.mtmMm;
    expect(reference).toBeGreaterThan(0.5);
    const deltas: Record<string, number> = {};
    for (const format of Object.keys(expectedFormat) as FormatName[])
      deltas[format] = Math.abs(measureCase(files[format]).result.mtmMm - reference);
    console.log(`MTM ${reference.toFixed(6)} mm; |Δ| vs NIfTI by format: ${JSON.stringify(deltas)}`);
    for (const [format, delta] of Object.entries(deltas)) expect(delta, format).toBeLessThanOrEqual(1e-6);
  });
});

/**
 * `margins --export`: what cryomargin writes is read back by an independent reader. margins.seg.nrrd
 * through @itk-wasm/image-io directly (ITK's NRRD reader, LPS, components = layers): the tumor grid's
 * geometry, Slicer's segment fields, the tumor layer, the ice ball resampled through the registration,
 * and the coverage classes of the engine's per-voxel margins. The meshes are parsed here from the VTK
 * and PLY specifications: one margin per vertex, whose minimum is the MTM.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  coverageClass,
  emptyMask,
  gridAffine,
  maskBounds,
  quaternionToMatrix,
  rasterizeEllipsoid,
  resampleNearest,
  rigidTransform,
  sphere,
} from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type CaseMeasurement, measureCase } from "../loaders/cohort/measureCase.js";
import { EXPORT_FILE_NAMES, exportCase } from "../loaders/io/exportCase.js";
import { itkCall } from "../loaders/io/itk.js";
import { writeNiftiFile } from "../loaders/io/nifti.js";
import { readMaskFile } from "../loaders/io/readMaskFile.js";
import { formatItkTransform } from "../loaders/io/transform.js";
import { itkGeometry } from "./helpers/formats.js";

let dir: string;
let measured: CaseMeasurement;
const files = { tumor: "", iceball: "", transform: "" };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cryomargin-export-"));
  const tumor = emptyMask(
    [30, 28, 14],
    gridAffine([1.2, 1.2, 3], quaternionToMatrix(0.98, 0.1, 0.05, 0.15), [-17, -16, -20]),
  );
  rasterizeEllipsoid(tumor, sphere([0, 0, 0], 8));
  const iceball = emptyMask(
    [36, 36, 16],
    gridAffine([1.1, 1.1, 2.5], new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), [-20, -18, -19]),
  );
  // ice ball in post space: a 9.5 mm sphere 2.5 mm off the moved tumor centre: green, yellow and red parts
  const preToPost = rigidTransform(quaternionToMatrix(0.995, 0.05, -0.06, 0.04), [2, -1.5, 1]);
  rasterizeEllipsoid(iceball, sphere([2 + 2.5, -1.5, 1], 9.5));
  files.tumor = join(dir, "tumor.nii.gz");
  files.iceball = join(dir, "iceball.nii.gz");
  files.transform = join(dir, "registration.tfm");
  writeNiftiFile(files.tumor, tumor);
  writeNiftiFile(files.iceball, iceball);
  writeFileSync(files.transform, formatItkTransform(preToPost));
  measured = measureCase(files, { thresholdMm: 3 }, { keepInputs: true });
  if (!measured.inputs) throw new Error("no inputs kept");
  exportCase(join(dir, "out"), { ...measured.inputs, result: measured.result });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("margins.seg.nrrd read back by @itk-wasm/image-io", () => {
  test("tumor grid geometry, Slicer's segment fields, and the three layers", () => {
    const path = join(dir, "out", EXPORT_FILE_NAMES.segmentation);
    const image = itkCall("readImage", [resolve(path)], path, "bad-header");
    const inputs = measured.inputs as NonNullable<CaseMeasurement["inputs"]>;
    const tumor = inputs.tumor;
    expect(image.size).toEqual(tumor.dims);
    expect(image.components).toBe(3);
    const expected = itkGeometry(tumor.voxelToWorld);
    for (let a = 0; a < 3; a++) {
      expect(image.origin[a]).toBeCloseTo(expected.origin[a], 9);
      expect(image.spacing[a]).toBeCloseTo(expected.spacing[a], 9);
    }
    for (let e = 0; e < 9; e++) expect(image.direction[e]).toBeCloseTo(expected.direction[e], 9);
    const meta = new Map(image.metadata.map(([k, v]) => [k, String(v)]));
    expect(meta.get("Segmentation_MasterRepresentation")).toBe("Binary labelmap");
    const names = [0, 1, 2, 3, 4].map((n) => [
      meta.get(`Segment${n}_Name`),
      meta.get(`Segment${n}_Layer`),
      meta.get(`Segment${n}_LabelValue`),
    ]);
    expect(names).toEqual([
      ["tumor", "0", "1"],
      ["ice ball", "1", "1"],
      ["margin >= 3 mm", "2", "1"],
      ["margin 0-3 mm", "2", "2"],
      ["margin < 0 mm", "2", "3"],
    ]);
    const b = maskBounds(tumor);
    expect(meta.get("Segment0_Extent")).toBe(`${b.min[0]} ${b.max[0]} ${b.min[1]} ${b.max[1]} ${b.min[2]} ${b.max[2]}`);
    const n = tumor.data.length;
    const data = image.data as Uint8Array;
    const ice = resampleNearest(inputs.iceball, tumor.dims, tumor.voxelToWorld, inputs.preToPost);
    const margins = measured.result.voxelMarginsMm as Float32Array;
    const classCounts = [0, 0, 0, 0];
    // Every voxel's three layers are compared; the voxels that differ are listed and asserted once.
    const wrong: string[] = [];
    for (let i = 0; i < n; i++) {
      const expectedClass = tumor.data[i] ? 1 + coverageClass(margins[i], 3) : 0;
      if (data[3 * i] !== tumor.data[i] || data[3 * i + 1] !== ice[i] || data[3 * i + 2] !== expectedClass)
        wrong.push(
          `voxel ${i}: ${data[3 * i]} ${data[3 * i + 1]} ${data[3 * i + 2]}, expected ${tumor.data[i]} ${ice[i]} ${expectedClass}`,
        );
      classCounts[data[3 * i + 2]]++;
    }
    expect(wrong.length, wrong.slice(0, 5).join("; ")).toBe(0);
    // a case with every class present, and the same fractions the engine reports
    const inside = classCounts[1] + classCounts[2] + classCounts[3];
    expect(classCounts[1] / inside).toBeCloseTo(measured.result.coverage.fractionGreen, 9);
    expect(classCounts[3] / inside).toBeCloseTo(measured.result.coverage.fractionRed, 9);
    expect(classCounts.slice(1).every((c) => c > 0)).toBe(true);
    // and our own reader picks the segments by name
    const back = readMaskFile(path, { segment: "ice ball" }).mask;
    const count = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, v) => s + v, 0);
    expect(count(back.data)).toBe(count(ice));
  });
});

/** The vertex margins and counts of a legacy binary VTK PolyData file (big-endian). */
function parseVtk(bytes: Buffer): {
  points: number;
  triangles: number;
  margins: Float32Array;
  positions: Float32Array;
} {
  const text = bytes.toString("latin1");
  const pointsAt = text.indexOf("POINTS ");
  const nv = Number(/POINTS (\d+) float\n/.exec(text)?.[1]);
  let offset = text.indexOf("\n", pointsAt) + 1;
  const positions = new Float32Array(3 * nv);
  for (let i = 0; i < 3 * nv; i++) positions[i] = bytes.readFloatBE(offset + 4 * i);
  offset += 12 * nv;
  const polygonHeader = /\nPOLYGONS (\d+) (\d+)\n/.exec(text.slice(offset - 1, offset + 64));
  const nt = Number(polygonHeader?.[1]);
  offset = text.indexOf("\n", offset + 1) + 1;
  for (let t = 0; t < nt; t++) expect(bytes.readInt32BE(offset + 16 * t)).toBe(3);
  offset += 16 * nt;
  const scalarsAt = text.indexOf("LOOKUP_TABLE default\n", offset) + "LOOKUP_TABLE default\n".length;
  expect(text.slice(offset, scalarsAt)).toContain("SCALARS margin_mm float 1");
  const margins = new Float32Array(nv);
  for (let v = 0; v < nv; v++) margins[v] = bytes.readFloatBE(scalarsAt + 4 * v);
  return { points: nv, triangles: nt, margins, positions };
}

/** The same from a binary little-endian PLY file. */
function parsePly(bytes: Buffer): { points: number; triangles: number; margins: Float32Array } {
  const end = bytes.indexOf("end_header\n") + "end_header\n".length;
  const header = bytes.toString("latin1", 0, end);
  expect(header).toContain("property float margin_mm");
  const nv = Number(/element vertex (\d+)/.exec(header)?.[1]);
  const nt = Number(/element face (\d+)/.exec(header)?.[1]);
  const margins = new Float32Array(nv);
  for (let v = 0; v < nv; v++) margins[v] = bytes.readFloatLE(end + 16 * v + 12);
  expect(bytes.length).toBe(end + 16 * nv + 13 * nt);
  return { points: nv, triangles: nt, margins };
}

describe("tumor surface meshes", () => {
  test("VTK and PLY hold the same mesh; the smallest vertex margin is the MTM", () => {
    const vtk = parseVtk(readFileSync(join(dir, "out", EXPORT_FILE_NAMES.vtk)));
    const ply = parsePly(readFileSync(join(dir, "out", EXPORT_FILE_NAMES.ply)));
    expect(vtk.points).toBe(ply.points);
    expect(vtk.triangles).toBe(ply.triangles);
    expect(vtk.triangles).toBe(2 * vtk.points - 4); // a closed genus-0 surface: V − E + F = 2
    expect([...vtk.margins]).toEqual([...ply.margins]);
    const min = Math.min(...vtk.margins);
    expect(Math.abs(min - measured.result.mtmMm)).toBeLessThan(1e-5); // float32 in the files
    expect(readFileSync(join(dir, "out", EXPORT_FILE_NAMES.vtk)).toString("latin1", 0, 200)).toContain("SPACE=RAS");
  });

  test("the command writes the three files with --export and prints the same JSON", () => {
    const bin = new URL("../bin/cryomargin.mjs", import.meta.url).pathname;
    const out = join(dir, "cli-export");
    const run = spawnSync(
      process.execPath,
      [
        bin,
        "margins",
        "--tumor",
        files.tumor,
        "--iceball",
        files.iceball,
        "--transform",
        files.transform,
        "--threshold",
        "3",
        "--export",
        out,
      ],
      { encoding: "utf8" },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).mtm_mm).toBe(measured.json.mtm_mm);
    for (const name of Object.values(EXPORT_FILE_NAMES)) expect(existsSync(join(out, name)), name).toBe(true);
    // the same mesh and margins as the in-process export (the headers' comment lines differ)
    const body = (path: string) => {
      const bytes = readFileSync(path);
      return bytes.subarray(bytes.indexOf("end_header\n"));
    };
    expect(body(join(out, EXPORT_FILE_NAMES.ply)).equals(body(join(dir, "out", EXPORT_FILE_NAMES.ply)))).toBe(true);
  });
});

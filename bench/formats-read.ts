/**
 * Reading a 512 × 512 × 120 scan in each input format (issue: "read what hospitals and 3D Slicer
 * export"): an int16 T2-like volume as NIfTI (.nii.gz, .nii), NRRD (gzip attached; raw detached .nhdr),
 * MetaImage (.mha) and a DICOM series (120 files, rescale slope/intercept); a uint8 tumor mask as
 * 3D Slicer .seg.nrrd and DICOM-SEG. Times `readVolume` (loaders/io/readVolume.ts) in this process:
 * the first read of each itk-wasm format (worker start and WebAssembly load included) and the median
 * of 5 further reads. The files are written once to a temporary folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gridAffine, median, rasterizeEllipsoid, sphere } from "@cryomargin/analysis";
import { itkCall } from "../loaders/io/itk.js";
import { writeNiftiFile } from "../loaders/io/nifti.js";
import { writeNrrdFile, writeSegNrrdFile } from "../loaders/io/nrrd.js";
import { readVolume } from "../loaders/io/readVolume.js";
import { itkGeometry, writeDicomSeg, writeDicomSeries } from "../test/helpers/formats.js";

const DIMS: [number, number, number] = [512, 512, 120];
const grid = gridAffine([0.7, 0.7, 3], new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), [-179, -179, -180]);

/** A smooth int16 "scan" with some texture (compresses like an MR image, not like a mask). */
function scanVolume(): Int16Array {
  const [nx, ny, nz] = DIMS;
  const data = new Int16Array(nx * ny * nz);
  let seed = 12345;
  for (let k = 0, v = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++, v++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const r = Math.hypot(i - 256, j - 256);
        data[v] = r < 200 ? 400 + Math.round(80 * Math.sin(i / 17) * Math.cos(j / 23) + k) + (seed % 24) : 0;
      }
  return data;
}

const dir = mkdtempSync(join(tmpdir(), "cryomargin-bench-formats-"));
try {
  const scan = { dims: DIMS, voxelToWorld: grid, data: scanVolume() };
  const mask = { dims: DIMS, voxelToWorld: grid, data: new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]) };
  rasterizeEllipsoid(mask, sphere([10, -5, 3], 15));
  const t0 = performance.now();
  const paths: [string, string][] = [
    ["NIfTI .nii.gz (scan)", join(dir, "scan.nii.gz")],
    ["NIfTI .nii (scan)", join(dir, "scan.nii")],
    ["NRRD .nrrd gzip (scan)", join(dir, "scan.nrrd")],
    ["NRRD .nhdr + raw (scan)", join(dir, "scan.nhdr")],
    ["MetaImage .mha (scan)", join(dir, "scan.mha")],
    ["DICOM series, 120 files (scan)", join(dir, "dicom")],
    ["3D Slicer .seg.nrrd (mask)", join(dir, "tumor.seg.nrrd")],
    ["DICOM-SEG (mask)", join(dir, "tumor-seg.dcm")],
  ];
  writeNiftiFile(paths[0][1], scan);
  writeNiftiFile(paths[1][1], scan);
  writeNrrdFile(paths[2][1], scan, { encoding: "gzip" });
  writeNrrdFile(paths[3][1], scan, { encoding: "raw", space: "LPS", dataFile: "scan.raw" });
  itkCall(
    "writeImage",
    [
      { size: [...DIMS], ...itkGeometry(grid), componentType: "int16", components: 1, data: scan.data.slice() },
      paths[4][1],
    ],
    paths[4][1],
    "unreadable",
  );
  const dicom = writeDicomSeries(paths[5][1], scan, { rescale: false }).files;
  writeSegNrrdFile(paths[6][1], mask, mask.data, 1, [
    { id: "tumor", name: "tumor", color: [0, 1, 0], layer: 0, labelValue: 1 },
  ]);
  writeDicomSeg(paths[7][1], mask, "tumor", dicom);
  console.log(
    `wrote the files in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log("format                              first read   median of 5   grid");
  for (const [name, path] of paths) {
    const first = performance.now();
    const volume = readVolume(path);
    const firstMs = performance.now() - first;
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const start = performance.now();
      readVolume(path);
      times.push(performance.now() - start);
    }
    console.log(
      `${name.padEnd(36)}${`${firstMs.toFixed(0)} ms`.padStart(10)}${`${median(times).toFixed(0)} ms`.padStart(14)}   ${volume.dims.join("×")}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

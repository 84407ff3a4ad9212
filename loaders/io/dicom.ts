/**
 * DICOM for the margin pipeline: a scan as a folder holding one series of single-frame images, and a
 * mask as a DICOM-SEG file.
 *
 * A series is checked before it is read, from the headers alone (dcmjs, stopping before the pixel
 * data): one SeriesInstanceUID (else the UIDs are listed), one image orientation (parallel slices), the
 * slice positions on one line at an even step (a gap means missing slices). Slices are sorted by their
 * position along the slice normal n = row × column cosines, never by file name. The voxel-to-world
 * matrix is built from the headers (DICOM PS3.3 C.7.6.2.1.1):
 *
 *   P(i, j, k) = P₀ + i·Δc·r + j·Δr·c + k·(P_last − P₀)/(N − 1)
 *
 * with r, c the row and column direction cosines (ImageOrientationPatient), Δr, Δc the PixelSpacing
 * (between rows, between columns) and P₀ the ImagePositionPatient of the first sorted slice, in LPS;
 * then turned to RAS (x, y negated) like every other format (readVolume.ts). The pixels come from
 * @itk-wasm/dicom's series reader (any transfer syntax GDCM decodes), with RescaleSlope/Intercept
 * applied (it returns float64).
 */
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { type Mat4, type Vec3, voxelSpacingMm } from "@cryomargin/analysis";
import type { DicomDataSet } from "dcmjs";
import { mat4FromRows } from "./affine.js";
import { readInputFile } from "./files.js";
import { InputFileError } from "./inputErrors.js";
import { itkCall } from "./itk.js";
import type { SegmentInfo, Volume } from "./readVolume.js";
import { volumeFromItk } from "./readVolume.js";

/** What the series checks and the SEG reference check need from one DICOM file's header. */
export interface DicomHeader {
  path: string;
  modality: string;
  seriesInstanceUid: string;
  seriesDescription: string;
  /** ImagePositionPatient, LPS mm; null when absent. */
  position: Vec3 | null;
  /** ImageOrientationPatient: row cosines then column cosines; null when absent. */
  orientation: number[] | null;
  /** PixelSpacing [between rows, between columns], mm; null when absent. */
  pixelSpacing: [number, number] | null;
  rows: number;
  columns: number;
  frames: number;
  /** SeriesInstanceUIDs in ReferencedSeriesSequence (a DICOM-SEG's source series). */
  referencedSeries: string[];
}

type Dcmjs = typeof import("dcmjs").default;
let dcmjsModule: Dcmjs | undefined;

/** dcmjs, loaded on first use (≈ 0.25 s): commands that read no DICOM never pay for it. */
function dcmjs(): Dcmjs {
  dcmjsModule ??= createRequire(import.meta.url)("dcmjs") as Dcmjs;
  return dcmjsModule;
}

function values(data: DicomDataSet, tag: string): unknown[] {
  return data[tag]?.Value ?? [];
}

function text(data: DicomDataSet, tag: string): string {
  const v = values(data, tag)[0];
  return v === undefined || v === null ? "" : String(v).trim();
}

function numbers(data: DicomDataSet, tag: string): number[] {
  return values(data, tag).map((v) => Number(v));
}

/**
 * The header of a DICOM file (Part 10, with the "DICM" preamble), or null when the file is not DICOM.
 * A file that claims to be DICOM but cannot be parsed is an error naming it.
 */
export function readDicomHeader(path: string): DicomHeader | null {
  const bytes = readInputFile(path);
  if (!(bytes.length >= 132 && bytes.toString("latin1", 128, 132) === "DICM")) return null;
  let data: DicomDataSet;
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    data = dcmjs().data.DicomMessage.readFile(buffer, { untilTag: "7FE00010", includeUntilTagValue: false }).dict;
  } catch (error) {
    throw new InputFileError(path, "bad-header", `the DICOM header cannot be parsed (${(error as Error).message})`);
  }
  const position = numbers(data, "00200032");
  const orientation = numbers(data, "00200037");
  const spacing = numbers(data, "00280030");
  const referencedSeries = values(data, "00081115").map((item) => text(item as DicomDataSet, "0020000E"));
  return {
    path,
    modality: text(data, "00080060"),
    seriesInstanceUid: text(data, "0020000E"),
    seriesDescription: text(data, "0008103E"),
    position: position.length === 3 && position.every(Number.isFinite) ? [position[0], position[1], position[2]] : null,
    orientation: orientation.length === 6 && orientation.every(Number.isFinite) ? orientation : null,
    pixelSpacing: spacing.length === 2 && spacing.every((s) => s > 0) ? [spacing[0], spacing[1]] : null,
    rows: Number(values(data, "00280010")[0] ?? 0),
    columns: Number(values(data, "00280011")[0] ?? 0),
    frames: Number(values(data, "00280008")[0] ?? 1) || 1,
    referencedSeries: referencedSeries.filter((uid) => uid !== ""),
  };
}

/** The DICOM headers of the files directly in `folder` (hidden files, DICOMDIR and non-DICOM files skipped). */
export function readDicomFolderHeaders(folder: string): { headers: DicomHeader[]; skipped: number } {
  let names: string[];
  try {
    names = readdirSync(folder).sort();
  } catch (error) {
    throw new InputFileError(folder, "unreadable", `cannot be listed (${(error as NodeJS.ErrnoException).code})`);
  }
  const headers: DicomHeader[] = [];
  let skipped = 0;
  for (const name of names) {
    if (name.startsWith(".") || name.toUpperCase() === "DICOMDIR") continue;
    const path = join(folder, name);
    if (!statSync(path).isFile()) continue;
    const header = readDicomHeader(path);
    if (header === null) skipped++;
    else headers.push(header);
  }
  return { headers, skipped };
}

const cross = (a: number[], b: number[]): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const dot = (a: readonly number[], b: readonly number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const fmt = (v: readonly number[]) => `(${v.map((x) => Number(x.toFixed(3))).join(", ")})`;

/** Direction cosines that differ by more than this are not parallel slices. */
const ORIENTATION_TOLERANCE = 1e-4;
/** A slice step may differ from the median step by this fraction (scanner rounding) before it is a gap. */
const STEP_TOLERANCE = 0.01;

/** A checked, sorted single-frame series: its files in slice order and its RAS voxel-to-world matrix. */
export interface DicomSeriesLayout {
  folder: string;
  seriesInstanceUid: string;
  /** Files sorted by position along the slice normal. */
  files: string[];
  dims: [number, number, number];
  voxelToWorld: Mat4;
}

/**
 * Checks the headers of a series folder and sorts its slices (see the module comment). Every problem is
 * an InputFileError naming the folder: no DICOM file, several series (their UIDs listed), a
 * segmentation or multi-frame file where images are expected, differing orientations (non-parallel
 * slices), slices off one line, repeated positions, gaps (missing slices).
 */
export function dicomSeriesLayout(folder: string): DicomSeriesLayout {
  const { headers } = readDicomFolderHeaders(folder);
  if (headers.length === 0)
    throw new InputFileError(folder, "missing", "holds no DICOM file (a scan must be a folder of one DICOM series)");
  const bySeries = new Map<string, DicomHeader[]>();
  for (const h of headers) bySeries.set(h.seriesInstanceUid, [...(bySeries.get(h.seriesInstanceUid) ?? []), h]);
  if (bySeries.size > 1)
    throw new InputFileError(
      folder,
      "several-series",
      `holds ${bySeries.size} DICOM series; put each in its own folder: ${[...bySeries]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(
          ([uid, hs]) =>
            `${uid || "(no SeriesInstanceUID)"} (${hs.length} files${hs[0].seriesDescription ? `, '${hs[0].seriesDescription}'` : ""})`,
        )
        .join("; ")}`,
    );
  const [seriesInstanceUid, slices] = [...bySeries][0];
  for (const h of slices) {
    if (h.modality === "SEG")
      throw new InputFileError(h.path, "bad-header", "is a DICOM-SEG segmentation, not an image of a scan series");
    if (h.frames > 1)
      throw new InputFileError(
        h.path,
        "bad-header",
        `is a multi-frame DICOM image (${h.frames} frames); single-frame series are supported`,
      );
    if (h.position === null || h.orientation === null || h.pixelSpacing === null)
      throw new InputFileError(
        h.path,
        "bad-header",
        "lacks ImagePositionPatient, ImageOrientationPatient or PixelSpacing, so its place in the volume is unknown",
      );
    if (h.rows !== slices[0].rows || h.columns !== slices[0].columns)
      throw new InputFileError(
        folder,
        "bad-header",
        `slices differ in size: ${slices[0].path} is ${slices[0].columns}×${slices[0].rows}, ${h.path} is ${h.columns}×${h.rows}`,
      );
  }
  const first = slices[0];
  const orientation = first.orientation as number[];
  for (const h of slices) {
    const o = h.orientation as number[];
    if (o.some((v, i) => Math.abs(v - orientation[i]) > ORIENTATION_TOLERANCE))
      throw new InputFileError(
        folder,
        "non-parallel-slices",
        `slices are not parallel: ${first.path} has orientation ${fmt(orientation)}, ${h.path} has ${fmt(o)}`,
      );
  }
  const rowCosines = orientation.slice(0, 3);
  const columnCosines = orientation.slice(3, 6);
  const normal = cross(rowCosines, columnCosines);
  const sorted = [...slices].sort((a, b) => dot(a.position as Vec3, normal) - dot(b.position as Vec3, normal));
  const positions = sorted.map((h) => h.position as Vec3);
  const n = sorted.length;
  let step: Vec3 = normal.map((v) => v * (first.pixelSpacing as [number, number])[0]) as Vec3;
  if (n > 1) {
    const along = positions.map((p) => dot(p, normal));
    const steps = along.slice(1).map((d, k) => d - along[k]);
    const median = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)];
    for (let k = 0; k < steps.length; k++) {
      if (steps[k] <= 1e-3 * Math.max(median, 1e-3))
        throw new InputFileError(
          folder,
          "slice-gap",
          `two slices share the position ${fmt(positions[k])} (${sorted[k].path}, ${sorted[k + 1].path}): more than one volume is in the folder`,
        );
      if (Math.abs(steps[k] - median) > STEP_TOLERANCE * median) {
        const missing = Math.round(steps[k] / median) - 1;
        throw new InputFileError(
          folder,
          "slice-gap",
          `slice positions jump by ${steps[k].toFixed(3)} mm between ${sorted[k].path} and ${sorted[k + 1].path} ` +
            `where the series steps by ${median.toFixed(3)} mm${missing >= 1 ? ` (${missing} slice${missing > 1 ? "s" : ""} missing)` : ""}`,
        );
      }
    }
    step = positions[n - 1].map((v, a) => (v - positions[0][a]) / (n - 1)) as Vec3;
    for (let k = 0; k < n; k++) {
      const expected = positions[0].map((v, a) => v + k * step[a]);
      const off = Math.hypot(...positions[k].map((v, a) => v - expected[a]));
      if (off > STEP_TOLERANCE * median + 1e-3)
        throw new InputFileError(
          folder,
          "non-parallel-slices",
          `slice positions do not lie on one line: ${sorted[k].path} at ${fmt(positions[k])} is ${off.toFixed(3)} mm off the line of the others`,
        );
    }
  }
  const [rowSpacing, columnSpacing] = first.pixelSpacing as [number, number];
  const lps = [0, 1, 2].map((a) => [
    rowCosines[a] * columnSpacing,
    columnCosines[a] * rowSpacing,
    step[a],
    positions[0][a],
  ]);
  return {
    folder,
    seriesInstanceUid,
    files: sorted.map((h) => h.path),
    dims: [first.columns, first.rows, n],
    voxelToWorld: mat4FromRows(lps.map((row, a) => (a < 2 ? row.map((v) => -v) : row))),
  };
}

/** Reads a DICOM series folder as a Volume (float64 values after rescale; geometry from the headers). */
export function readDicomSeries(folder: string): Volume {
  const layout = dicomSeriesLayout(folder);
  const { image } = itkCall("readDicomSeries", [layout.files.map((f) => resolve(f))], folder, "bad-header");
  const [nx, ny, nz] = layout.dims;
  if (image.size.length !== 3 || image.size[0] !== nx || image.size[1] !== ny || (image.size[2] ?? 1) !== nz)
    throw new InputFileError(
      folder,
      "bad-header",
      `the series reader returned a ${image.size.join("×")} volume where the headers describe ${layout.dims.join("×")}`,
    );
  // The reader keeps the given order (singleSortedSeries); its origin must be the first sorted slice.
  const firstRas = [-image.origin[0], -image.origin[1], image.origin[2]];
  const origin = [layout.voxelToWorld[3], layout.voxelToWorld[7], layout.voxelToWorld[11]];
  if (Math.hypot(...firstRas.map((v, a) => v - origin[a])) > 1e-3)
    throw new InputFileError(
      folder,
      "bad-header",
      `the series reader placed the first slice at ${fmt(firstRas)}, the headers at ${fmt(origin)}`,
    );
  const fromItk = volumeFromItk(image, folder, "dicom-series");
  return {
    ...fromItk,
    voxelToWorld: layout.voxelToWorld,
    spacingMm: voxelSpacingMm(layout.voxelToWorld),
  };
}

/** dcmqi's description of a DICOM-SEG's segments (the metaInfo @itk-wasm/dicom returns). */
interface DcmqiMetaInfo {
  segmentAttributes?: { labelID?: number; SegmentLabel?: string; recommendedDisplayRGBValue?: number[] }[][];
}

/**
 * Reads a DICOM-SEG file as a label map: each segment's voxels carry its label value, on the grid the
 * reader returns (cropped to the slices with a segment, its origin moved accordingly — the geometry is
 * the file's own, so nothing is lost). Overlapping segments are not supported by this label-map form.
 */
export function readDicomSeg(file: string): Volume {
  const header = readDicomHeader(file);
  if (header === null) throw new InputFileError(file, "bad-magic", "is not a DICOM file (no 'DICM' preamble)");
  if (header.modality !== "SEG")
    throw new InputFileError(
      file,
      "bad-header",
      `is a DICOM ${header.modality || "image"} file, not a segmentation (Modality SEG); a scan is read from the folder of its series`,
    );
  const { image, metaInfo } = itkCall("readSegmentation", [resolve(file)], file, "bad-header");
  const volume = volumeFromItk(image, file, "dicom-seg");
  const segments: SegmentInfo[] = [];
  for (const group of (metaInfo as DcmqiMetaInfo).segmentAttributes ?? [])
    for (const s of group) {
      const rgb = s.recommendedDisplayRGBValue;
      segments.push({
        name: s.SegmentLabel ?? `label ${s.labelID}`,
        labelValue: Number(s.labelID),
        layer: 0,
        color: rgb?.length === 3 ? [rgb[0] / 255, rgb[1] / 255, rgb[2] / 255] : undefined,
      });
    }
  return { ...volume, segments };
}

/**
 * Checks that a DICOM-SEG was drawn on the given scan: its ReferencedSeriesSequence must name the
 * scan folder's SeriesInstanceUID. Throws an InputFileError naming the SEG file and both UIDs.
 */
export function checkSegReferencesSeries(segFile: string, scanFolder: string): void {
  const header = readDicomHeader(segFile);
  if (header === null) return;
  const scan = dicomSeriesLayout(scanFolder).seriesInstanceUid;
  if (!header.referencedSeries.includes(scan))
    throw new InputFileError(
      segFile,
      "wrong-reference",
      `segments series ${header.referencedSeries.join(", ") || "(none named)"}, not the scan in ${scanFolder} (SeriesInstanceUID ${scan})`,
    );
}

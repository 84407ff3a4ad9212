/**
 * One volume written in every format cryomargin reads, each by a writer other than the reader under
 * test where one exists: NIfTI by encodeNifti (read by nifti-reader-js + nifti.ts), NRRD and .seg.nrrd by
 * loaders/io/nrrd.ts (read by @itk-wasm/image-io), MetaImage by @itk-wasm/image-io's writer, a DICOM
 * series by dcmjs (slice files named out of order, int16 with RescaleSlope/Intercept), DICOM-SEG by
 * @itk-wasm/dicom's writer (dcmqi) referencing that series.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Mat4 } from "@cryomargin/analysis";
import dcmjs from "dcmjs";
import { writeFileAtomic } from "../../loaders/io/files.js";
import { itkCall } from "../../loaders/io/itk.js";
import { writeNiftiFile } from "../../loaders/io/nifti.js";
import { writeNrrdFile, writeSegNrrdFile } from "../../loaders/io/nrrd.js";

export interface GridVolume {
  dims: [number, number, number];
  voxelToWorld: Mat4;
  data: Uint8Array;
}

/** The LPS origin, spacing and row-major direction of a RAS voxel-to-world matrix (ITK's image geometry). */
export function itkGeometry(m: Mat4): { origin: number[]; spacing: number[]; direction: number[] } {
  const flip = [-1, -1, 1];
  const spacing = [0, 1, 2].map((c) => Math.hypot(m[c], m[4 + c], m[8 + c]));
  const direction: number[] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) direction.push((flip[r] * m[4 * r + c]) / spacing[c]);
  return { origin: [0, 1, 2].map((r) => flip[r] * m[4 * r + 3]), spacing, direction };
}

/** Writes `volume` as MetaImage (.mha or .mhd + .raw) with @itk-wasm/image-io's writer. */
export function writeMetaImage(path: string, volume: GridVolume): void {
  const g = itkGeometry(volume.voxelToWorld);
  itkCall(
    "writeImage",
    [{ size: [...volume.dims], ...g, componentType: "uint8", components: 1, data: volume.data.slice() }, path],
    path,
    "unreadable",
  );
}

/** A DS (decimal string) value: at most 16 characters, as the standard allows. */
function ds(v: number): string {
  for (let digits = 16; digits > 1; digits--) {
    const s = String(Number(v.toPrecision(digits)));
    if (s.length <= 16) return s;
  }
  return String(Math.round(v));
}

/** Row cosines turned by about 6° about the column direction (still orthogonal to it). */
function tilted(row: number[], column: number[]): number[] {
  const normal = [
    row[1] * column[2] - row[2] * column[1],
    row[2] * column[0] - row[0] * column[2],
    row[0] * column[1] - row[1] * column[0],
  ];
  const v = row.map((r, a) => r + 0.1 * normal[a]);
  const length = Math.hypot(...v);
  return v.map((x) => x / length);
}

const uid = () => dcmjs.data.DicomMetaDictionary.uid();

export interface DicomSeriesOptions {
  seriesInstanceUid?: string;
  studyInstanceUid?: string;
  /** Slices to leave out (gap tests). */
  skipSlices?: number[];
  /** Per-slice change of the orientation (non-parallel tests): slice index → row cosines override. */
  tiltSlice?: number;
  /** File name prefix (default "IM"); two series in one folder need two. */
  prefix?: string;
  /** Values stored as raw = value·10 + 5 with RescaleSlope 0.1, RescaleIntercept −0.5. */
  rescale?: boolean;
}

/**
 * Writes `volume` as a DICOM MR series into `folder`, one file per slice, named so that name order is
 * not slice order. Returns the file paths in slice order and the SeriesInstanceUID.
 */
export function writeDicomSeries(
  folder: string,
  volume: Omit<GridVolume, "data"> & { data: ArrayLike<number> },
  options: DicomSeriesOptions = {},
): { files: string[]; seriesInstanceUid: string } {
  mkdirSync(folder, { recursive: true });
  const { dims, voxelToWorld: m } = volume;
  const [nx, ny, nz] = dims;
  const lps = (r: number, c: number) => (r < 2 ? -1 : 1) * m[4 * r + c];
  const spacing = [0, 1, 2].map((c) => Math.hypot(m[c], m[4 + c], m[8 + c]));
  const rowCosines = [0, 1, 2].map((r) => lps(r, 0) / spacing[0]);
  const columnCosines = [0, 1, 2].map((r) => lps(r, 1) / spacing[1]);
  const seriesInstanceUid = options.seriesInstanceUid ?? uid();
  const studyInstanceUid = options.studyInstanceUid ?? "1.2.826.0.1.3680043.8.498.1";
  const frameOfReferenceUid = "1.2.826.0.1.3680043.8.498.2";
  const files: string[] = [];
  const rescale = options.rescale ?? true;
  for (let k = 0; k < nz; k++) {
    if (options.skipSlices?.includes(k)) continue;
    const position = [0, 1, 2].map((r) => lps(r, 2) * k + lps(r, 3));
    const pixels = new Int16Array(nx * ny);
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const v = volume.data[i + nx * (j + ny * k)];
        pixels[i + nx * j] = rescale ? v * 10 + 5 : v;
      }
    const rows = k === options.tiltSlice ? tilted(rowCosines, columnCosines) : rowCosines;
    const sopInstanceUid = uid();
    const dataset = {
      SOPClassUID: "1.2.840.10008.5.1.4.1.1.4",
      SOPInstanceUID: sopInstanceUid,
      StudyInstanceUID: studyInstanceUid,
      SeriesInstanceUID: seriesInstanceUid,
      FrameOfReferenceUID: frameOfReferenceUid,
      Modality: "MR",
      PatientName: "Phantom^Cryomargin",
      PatientID: "PHANTOM",
      PatientBirthDate: "",
      PatientSex: "O",
      StudyDate: "20260101",
      StudyTime: "120000",
      StudyID: "1",
      AccessionNumber: "",
      ReferringPhysicianName: "",
      Manufacturer: "cryomargin test",
      SeriesNumber: "1",
      SeriesDescription: "phantom",
      InstanceNumber: String(k + 1),
      ImagePositionPatient: position.map(ds),
      ImageOrientationPatient: [...rows, ...columnCosines].map(ds),
      PixelSpacing: [ds(spacing[1]), ds(spacing[0])],
      SliceThickness: ds(spacing[2]),
      Rows: ny,
      Columns: nx,
      SamplesPerPixel: 1,
      PhotometricInterpretation: "MONOCHROME2",
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleSlope: rescale ? "0.1" : "1",
      RescaleIntercept: rescale ? "-0.5" : "0",
      PixelData: pixels.buffer,
      _vrMap: { PixelData: "OW" },
    };
    const meta = {
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: dataset.SOPClassUID,
      MediaStorageSOPInstanceUID: sopInstanceUid,
      TransferSyntaxUID: "1.2.840.10008.1.2.1",
      ImplementationClassUID: "1.2.826.0.1.3680043.8.498.3",
    };
    const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    const path = join(folder, `${options.prefix ?? "IM"}${String((k * 7919) % 1009).padStart(4, "0")}.dcm`);
    writeFileAtomic(path, Buffer.from(dict.write()));
    files.push(path);
  }
  return { files, seriesInstanceUid };
}

/** Writes `volume` (0/1) as a one-segment DICOM-SEG named `name` referencing the series `files`. */
export function writeDicomSeg(path: string, volume: GridVolume, name: string, referencedFiles: string[]): void {
  const g = itkGeometry(volume.voxelToWorld);
  const metaInfo = {
    ContentCreatorName: "cryomargin^test",
    ClinicalTrialSeriesID: "1",
    ClinicalTrialTimePointID: "1",
    ClinicalTrialCoordinatingCenterName: "none",
    SeriesDescription: "segmentation",
    SeriesNumber: "300",
    InstanceNumber: "1",
    BodyPartExamined: "KIDNEY",
    segmentAttributes: [
      [
        {
          labelID: 1,
          SegmentDescription: name,
          SegmentLabel: name,
          SegmentAlgorithmType: "MANUAL",
          SegmentedPropertyCategoryCodeSequence: {
            CodeValue: "49755003",
            CodingSchemeDesignator: "SCT",
            CodeMeaning: "Morphologically Altered Structure",
          },
          SegmentedPropertyTypeCodeSequence: {
            CodeValue: "4147007",
            CodingSchemeDesignator: "SCT",
            CodeMeaning: "Mass",
          },
          recommendedDisplayRGBValue: [0, 200, 0],
        },
      ],
    ],
  };
  itkCall(
    "writeSegmentation",
    [
      { size: [...volume.dims], ...g, componentType: "int16", data: Int16Array.from(volume.data) },
      metaInfo,
      path,
      referencedFiles,
    ],
    path,
    "unreadable",
  );
}

/** The file names of one format of the every-format case. */
export type FormatName =
  | "nifti"
  | "nifti-plain"
  | "nrrd-ras"
  | "nhdr-lps-raw"
  | "seg-nrrd-labelmap"
  | "seg-nrrd-layered-both"
  | "mha"
  | "mhd"
  | "dicom-series"
  | "dicom-seg";

/**
 * Writes the tumor and ice ball of a case in every format under `dir`; returns, per format, the tumor
 * and ice-ball paths (the layered .seg.nrrd holds both in one file).
 */
export function writeCaseInEveryFormat(
  dir: string,
  tumor: GridVolume,
  iceball: GridVolume,
): Record<FormatName, { tumor: string; iceball: string }> {
  const at = (name: string) => join(dir, name);
  const out = {} as Record<FormatName, { tumor: string; iceball: string }>;
  const both = { tumor, iceball } as const;
  out.nifti = { tumor: at("tumor.nii.gz"), iceball: at("iceball.nii.gz") };
  out["nifti-plain"] = { tumor: at("tumor.nii"), iceball: at("iceball.nii") };
  out["nrrd-ras"] = { tumor: at("tumor.nrrd"), iceball: at("iceball.nrrd") };
  out["nhdr-lps-raw"] = { tumor: at("tumor.nhdr"), iceball: at("iceball.nhdr") };
  out["seg-nrrd-labelmap"] = { tumor: at("tumor.seg.nrrd"), iceball: at("iceball.seg.nrrd") };
  out["seg-nrrd-layered-both"] = { tumor: at("segmentation.seg.nrrd"), iceball: at("segmentation.seg.nrrd") };
  out.mha = { tumor: at("tumor.mha"), iceball: at("iceball.mha") };
  out.mhd = { tumor: at("tumor.mhd"), iceball: at("iceball.mhd") };
  out["dicom-series"] = { tumor: at("tumor-dicom"), iceball: at("iceball-dicom") };
  out["dicom-seg"] = { tumor: at("tumor-seg.dcm"), iceball: at("iceball-seg.dcm") };
  for (const role of ["tumor", "iceball"] as const) {
    const v = both[role];
    writeNiftiFile(out.nifti[role], v);
    writeNiftiFile(out["nifti-plain"][role], v);
    writeNrrdFile(out["nrrd-ras"][role], v, { space: "RAS", encoding: "gzip" });
    writeNrrdFile(out["nhdr-lps-raw"][role], v, { space: "LPS", encoding: "raw", dataFile: `${role}.raw` });
    writeSegNrrdFile(out["seg-nrrd-labelmap"][role], v, v.data, 1, [
      { id: role, name: role === "tumor" ? "tumor" : "ice ball", color: [0, 1, 0], layer: 0, labelValue: 1 },
    ]);
    writeMetaImage(out.mha[role], v);
    writeMetaImage(out.mhd[role], v);
    const series = writeDicomSeries(out["dicom-series"][role], v);
    writeDicomSeg(out["dicom-seg"][role], v, role === "tumor" ? "tumor" : "ice ball", series.files);
  }
  const n = tumor.data.length;
  const layers = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) {
    layers[2 * i] = tumor.data[i];
    layers[2 * i + 1] = iceball.data[i] ? 2 : 0;
  }
  writeSegNrrdFile(out["seg-nrrd-layered-both"].tumor, tumor, layers, 2, [
    { id: "Segment_1", name: "tumor", color: [0.9, 0.8, 0.1], layer: 0, labelValue: 1 },
    { id: "Segment_2", name: "ice ball", color: [0.2, 0.4, 1], layer: 1, labelValue: 2 },
  ]);
  return out;
}

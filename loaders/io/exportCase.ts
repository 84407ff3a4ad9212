/**
 * `margins --export DIR` / `analyze --export DIR`: one case's results in forms 3D Slicer and ParaView
 * open, all in the pre-ablation RAS world of the tumor's scan:
 *
 * - `margins.seg.nrrd` — a 3D Slicer segmentation on the tumor's grid (Slicer's documented .seg.nrrd
 *   format, three layers because the segments overlap): layer 0 the tumor (label 1); layer 1 the ice
 *   ball brought onto the tumor grid through the registration (nearest neighbour, for display: the
 *   margins are measured on the ice ball's own grid); layer 2 the coverage classes of the tumor's voxels
 *   at the threshold t — green margin ≥ t (1), yellow 0 ≤ margin < t (2), red margin < 0 (3).
 * - `tumor-margin.vtk` — the tumor surface (marching cubes at the engine's refined surface samples,
 *   analysis/src/margin/surfaceMesh.ts) as legacy VTK PolyData (binary) with the point array
 *   `margin_mm`: the engine's signed margin per vertex (its minimum is the MTM). The header names the
 *   space (`SPACE=RAS`, which 3D Slicer reads; ParaView ignores it).
 * - `tumor-margin.ply` — the same mesh as binary little-endian PLY with the vertex property `margin_mm`.
 *
 * NaN margins (a vertex outside the post-ablation scan) are written as NaN. Every file is written
 * atomically; the folder is created.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  coverageClass,
  type MarginResult,
  type MarginSurfaceMesh,
  type MaskVolume,
  type Mat4,
  resampleNearest,
  tumorMarginMesh,
  type Vec3,
} from "@cryomargin/analysis";
import { writeFileAtomic } from "./files.js";
import { OutputFileError } from "./inputErrors.js";
import { type SegmentSpec, writeSegNrrdFile } from "./nrrd.js";

/** The file names written into the export folder. */
export const EXPORT_FILE_NAMES = {
  segmentation: "margins.seg.nrrd",
  vtk: "tumor-margin.vtk",
  ply: "tumor-margin.ply",
} as const;

/** Segment colours (RGB 0…1): tumor, ice ball, and the coverage classes as the site draws them. */
const COLORS: Record<"tumor" | "iceball" | "green" | "yellow" | "red", Vec3> = {
  tumor: [0.95, 0.6, 0.2],
  iceball: [0.3, 0.55, 1],
  green: [0.1, 0.7, 0.2],
  yellow: [0.95, 0.85, 0.1],
  red: [0.85, 0.1, 0.1],
};

/** The segments of `margins.seg.nrrd` at threshold t (mm). */
export function exportSegments(thresholdMm: number): SegmentSpec[] {
  const t = Number(thresholdMm.toFixed(3));
  return [
    { id: "tumor", name: "tumor", color: COLORS.tumor, layer: 0, labelValue: 1 },
    { id: "iceball", name: "ice ball", color: COLORS.iceball, layer: 1, labelValue: 1 },
    { id: "green", name: `margin >= ${t} mm`, color: COLORS.green, layer: 2, labelValue: 1 },
    { id: "yellow", name: `margin 0-${t} mm`, color: COLORS.yellow, layer: 2, labelValue: 2 },
    { id: "red", name: "margin < 0 mm", color: COLORS.red, layer: 2, labelValue: 3 },
  ];
}

/**
 * The three layers of `margins.seg.nrrd`, interleaved per voxel (see the module comment). Needs the
 * engine's per-voxel margins (`measureMargins(…, { voxelMargins: true })`).
 */
export function exportLayers(
  tumor: MaskVolume,
  iceball: MaskVolume,
  preToPost: Mat4,
  voxelMarginsMm: Float32Array,
  thresholdMm: number,
): Uint8Array {
  const n = tumor.data.length;
  const iceOnTumorGrid = resampleNearest(iceball, tumor.dims, tumor.voxelToWorld, preToPost) as Uint8Array;
  const layers = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    layers[3 * i] = tumor.data[i];
    layers[3 * i + 1] = iceOnTumorGrid[i];
    const margin = voxelMarginsMm[i];
    if (tumor.data[i] && Number.isFinite(margin)) layers[3 * i + 2] = 1 + coverageClass(margin, thresholdMm);
  }
  return layers;
}

/** Legacy VTK PolyData, binary (big-endian float32 points and margins, int32 connectivity). */
export function encodeVtkPolyData(mesh: MarginSurfaceMesh, title: string): Buffer {
  const { vertexCount: nv, triangleCount: nt } = mesh;
  const text = (s: string) => Buffer.from(s, "latin1");
  const points = Buffer.alloc(12 * nv);
  for (let i = 0; i < 3 * nv; i++) points.writeFloatBE(mesh.positionsMm[i], 4 * i);
  const polygons = Buffer.alloc(16 * nt);
  for (let t = 0; t < nt; t++) {
    polygons.writeInt32BE(3, 16 * t);
    for (let c = 0; c < 3; c++) polygons.writeInt32BE(mesh.triangles[3 * t + c], 16 * t + 4 + 4 * c);
  }
  const margins = Buffer.alloc(4 * nv);
  for (let v = 0; v < nv; v++) margins.writeFloatBE(mesh.marginsMm[v], 4 * v);
  return Buffer.concat([
    text(
      `# vtk DataFile Version 3.0\n${title.replace(/\n/g, " ").slice(0, 200)} SPACE=RAS\nBINARY\nDATASET POLYDATA\n`,
    ),
    text(`POINTS ${nv} float\n`),
    points,
    text(`\nPOLYGONS ${nt} ${4 * nt}\n`),
    polygons,
    text(`\nPOINT_DATA ${nv}\nSCALARS margin_mm float 1\nLOOKUP_TABLE default\n`),
    margins,
    text("\n"),
  ]);
}

/** PLY, binary little-endian: float x y z margin_mm per vertex, uchar-counted int faces. */
export function encodePly(mesh: MarginSurfaceMesh, comment: string): Buffer {
  const { vertexCount: nv, triangleCount: nt } = mesh;
  const header = [
    "ply",
    "format binary_little_endian 1.0",
    `comment ${comment.replace(/\n/g, " ")}`,
    "comment SPACE=RAS",
    `element vertex ${nv}`,
    "property float x",
    "property float y",
    "property float z",
    "property float margin_mm",
    `element face ${nt}`,
    "property list uchar int vertex_indices",
    "end_header",
    "",
  ].join("\n");
  const vertices = Buffer.alloc(16 * nv);
  for (let v = 0; v < nv; v++) {
    for (let c = 0; c < 3; c++) vertices.writeFloatLE(mesh.positionsMm[3 * v + c], 16 * v + 4 * c);
    vertices.writeFloatLE(mesh.marginsMm[v], 16 * v + 12);
  }
  const faces = Buffer.alloc(13 * nt);
  for (let t = 0; t < nt; t++) {
    faces.writeUInt8(3, 13 * t);
    for (let c = 0; c < 3; c++) faces.writeInt32LE(mesh.triangles[3 * t + c], 13 * t + 1 + 4 * c);
  }
  return Buffer.concat([Buffer.from(header, "latin1"), vertices, faces]);
}

/** What `exportCase` needs: the measured masks, transform and the engine's detailed result. */
export interface ExportInputs {
  tumor: MaskVolume;
  iceball: MaskVolume;
  preToPost: Mat4;
  /** measureMargins(…, { voxelMargins: true, surfaceMargins: true }). */
  result: MarginResult;
}

/**
 * Writes `margins.seg.nrrd`, `tumor-margin.vtk` and `tumor-margin.ply` into `dir` (created). Returns
 * the paths written. Example: `exportCase("out/c01", measureCase(files, {}, { keepInputs: true }))`.
 */
export function exportCase(dir: string, inputs: ExportInputs, label = "cryomargin"): string[] {
  const { tumor, iceball, preToPost, result } = inputs;
  if (result.voxelMarginsMm === undefined || result.tumorSurface === undefined)
    throw new Error("exportCase needs measureMargins with voxelMargins and surfaceMargins");
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new OutputFileError(dir, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  const paths = {
    segmentation: join(dir, EXPORT_FILE_NAMES.segmentation),
    vtk: join(dir, EXPORT_FILE_NAMES.vtk),
    ply: join(dir, EXPORT_FILE_NAMES.ply),
  };
  const layers = exportLayers(tumor, iceball, preToPost, result.voxelMarginsMm, result.thresholdMm);
  writeSegNrrdFile(paths.segmentation, tumor, layers, 3, exportSegments(result.thresholdMm));
  const mesh = tumorMarginMesh(tumor, result.tumorSurface);
  const title = `${label}: tumor surface, signed margin to the ice ball (mm), MTM ${result.mtmMm.toFixed(3)} mm`;
  writeFileAtomic(paths.vtk, encodeVtkPolyData(mesh, title));
  writeFileAtomic(paths.ply, encodePly(mesh, title));
  return [paths.segmentation, paths.vtk, paths.ply];
}

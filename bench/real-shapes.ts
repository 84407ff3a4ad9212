/**
 * The margin engine on real tumor segmentations (not shipped: see the README, "Real tumor shapes"):
 * each mask of a folder, with an analytic ellipsoid ice ball placed about its tumor, against the
 * mask's 0.5 iso-surface — the truth of the ragged realistic suite (isoSurfaceMinimalMargin,
 * irregularPhantoms.ts). Bar: mean |error| ≤ 0.4 mm, |mean signed| ≤ 0.15 mm, max ≤ 1.5 mm over all
 * cases.
 *
 *   CRYOMARGIN_REAL_SHAPES=DIR  a folder searched (recursively) for masks: .nii(.gz), .nrrd, .nhdr,
 *                               .mha, .mhd (readMaskFile); required, else the bench says so and stops
 *   CRYOMARGIN_REAL_SHAPES_LABEL=N   the tumor is the voxels equal to N (KiTS19: 2); default every voxel > 0
 *   CRYOMARGIN_REAL_SHAPES_LIMIT=N   the first N files by path (default all)
 *   CRYOMARGIN_REAL_SHAPES_SEED=N    the placements' seed (default 18)
 *   CRYOMARGIN_REAL_SHAPES_OUT=FILE  also write one JSON line per case
 *   CRYOMARGIN_REAL_SHAPES_RESLICE=T1,T2,…  the reslice mode ("thick from thin", below) at these slice
 *                               thicknesses, mm
 *   CRYOMARGIN_REAL_SHAPES_RESLICE_CONTROL=N  with the reslice mode: also N smooth lobulated tumors
 *                               rasterised at 0.5 mm slices, read the same way (resliceControl)
 *   CRYOMARGIN_REAL_SHAPES_MAX_VOXELS=N  leave out masks of more than N voxels (for time: the 7 KiTS19
 *                               thin masks above 500,000 take most of the reslice mode's time); the
 *                               others are placed as in a run of all (placements are by path and index)
 *
 * Per case: the tumor is the mask's largest 6-connected component with every other component whose
 * bounding box comes within 10 mm of it (fragments of the same drawing; a second tumor further away is
 * left out), cropped to its bounding box and two voxels beyond, on the file's own grid and orientation.
 * An ellipsoidal ice ball is placed about it on its own oblique 1.2 × 1.2 × 3.0 mm grid (placeIceBall:
 * covered, tight and partly uncovered in turn, by the iso-surface's MTM), every second case behind a
 * random rigid transform (rotation uniform, translation ±10 mm per axis), the others under the
 * identity. The placement's random source is seeded by the seed and the file's relative path, so a
 * case is placed the same way whatever else is in the folder. The slice thickness is the spacing of the
 * grid axis whose spacing differs most from the other two (KiTS19 stores slices along its first axis).
 *
 * Printed: per case one line; then per slice-thickness group the engine and the QAM-style baseline
 * (mean |error| / max / mean signed, mm; cases read high), cases whose iso-surface MTM and engine
 * reading lie inside the range the masks allow (mtm_mask_range_mm), cases carrying a warning that the
 * minimum rests on a fallback or a concave crease, cases the outline test read as drawn (drawnOutline.ts);
 * the unflagged cases read more than 0.3 mm high.
 * Beside the engine, its MTM of the mask as drawn (mtm_as_drawn_mm: the same iso-surface read by the
 * engine's ice field, not the exact ellipsoid), so against the iso-surface it shows the ice side's error
 * only and says nothing about the bar; its evidence is the reslice mode's row against the thin truth.
 *
 * Reslice mode ("thick from thin"): which reference is right for a thick-slice mask? Only the masks
 * whose slices are ≤ 1 mm are kept; each is placed as above, and its own 0.5 iso-surface MTM is the
 * truth (the real shape to within its fine grid). From it, thick-slice masks at each thickness T are made
 * by both rules of thickSliceMask — `slab` (a thick voxel is inside when the thin mask fills at least
 * half its slab: partial volume thresholded at half, as drawing on a thick-slice image gives) and
 * `centre` (the thin mask at the thick voxel centres) — with a slab phase uniform in [0, T) per
 * thickness, the same ice ball in world coordinates and the same transform. Printed per thickness and
 * rule against the thin truth: the engine on the thick mask, the thick mask's own iso-surface, the
 * QAM-style baseline, the engine's MTM of the thick mask as drawn (mtm_as_drawn_mm), the engine's change from the thin mask to the thick one, the engine against the
 * thick iso-surface (the main mode's reference), whether the thin truth lies inside the thick masks'
 * mtm_mask_range_mm, how many are flagged and how many read > 0.3 mm high with no flag; then the same
 * split by the part of the thin mask the truth rests on (truthPart).
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import {
  applyAffine,
  CONCAVE_CREASE_WARNING,
  connectedComponents,
  createRandom,
  type Ellipsoid,
  type ErrorSummary,
  ellipsoidSignedDistance,
  FALLBACK_AT_MINIMUM_WARNING,
  invertAffine,
  type MaskVolume,
  type Mat4,
  marchingCubes,
  maskBounds,
  maskCentroid,
  measureMargins,
  median,
  minimalTreatmentMarginQamBaseline,
  randomRotation,
  rigidTransform,
  summarizeErrors,
  type Vec3,
  voxelSpacingMm,
} from "../analysis/src/index.js";
import {
  generateIrregularCases,
  type IrregularScenario,
  isoSurfaceMinimalMargin,
  placeIceBall,
} from "../analysis/src/margin/irregularPhantoms.js";
import { type ThickSliceRule, thickSliceMask } from "../analysis/src/margin/thickSlices.js";
import { readMaskFile } from "../loaders/io/readMaskFile.js";

const MASK_FILE = /\.(nii|nii\.gz|nrrd|nhdr|mha|mhd)$/i;
const ICE_SPACING_MM: Vec3 = [1.2, 1.2, 3.0];
/** Components whose bounding box comes within this of the largest one's belong to the same tumor, mm. */
const SAME_TUMOR_MM = 10;
const BAR = { meanAbsMm: 0.4, meanSignedMm: 0.15, maxMm: 1.5 };

interface CaseRow {
  name: string;
  dims: [number, number, number];
  spacingMm: Vec3;
  sliceMm: number;
  tumorVoxels: number;
  droppedVoxels: number;
  components: number;
  scenario: IrregularScenario;
  transformed: boolean;
  truthMm: number;
  engineMm: number;
  /** The engine's MTM of the mask as drawn (mtm_as_drawn_mm). */
  asDrawnMm: number;
  qamMm: number;
  rangeMm: [number, number];
  flagged: boolean;
  engineSeconds: number;
  /** The outline test (drawnOutline.ts): the tumor's outline misfit, its limit, read as drawn or not. */
  outline?: { misfit: number; limit: number; asDrawn: boolean };
}

function maskFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...maskFiles(path));
    else if (MASK_FILE.test(entry)) out.push(path);
  }
  return out;
}

/** FNV-1a of a string: a per-file seed that does not depend on the other files. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The grid axis whose spacing differs most from the other two's: the slice axis. */
function sliceAxisOf(spacing: Vec3): 0 | 1 | 2 {
  let best: 0 | 1 | 2 = 0;
  let gap = -1;
  for (const a of [0, 1, 2] as const) {
    const others = [0, 1, 2].filter((b) => b !== a).map((b) => spacing[b]);
    const g = Math.abs(spacing[a] - (others[0] + others[1]) / 2) - Math.abs(others[0] - others[1]);
    if (g > gap) {
      gap = g;
      best = a;
    }
  }
  return best;
}

/**
 * The tumor of a mask (see the module comment): its largest 6-connected component and the components
 * near it, cropped to their bounding box plus two voxels on the mask's grid.
 */
function tumorOf(mask: MaskVolume): { tumor: MaskVolume; components: number; droppedVoxels: number } {
  const b = maskBounds(mask);
  const [nx, ny] = mask.dims;
  const lo = b.min.map((v) => v);
  const dims = [0, 1, 2].map((a) => b.max[a] - b.min[a] + 1) as [number, number, number];
  const box = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, w = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, w++) box[w] = mask.data[lo[0] + i + nx * (lo[1] + j + ny * (lo[2] + k))];
  const { labels, count, sizes } = connectedComponents(box, dims);
  const boxes = Array.from({ length: count + 1 }, () => ({ min: [1e9, 1e9, 1e9], max: [-1, -1, -1] }));
  for (let k = 0, w = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++, w++) {
        const c = labels[w];
        if (!c) continue;
        const bb = boxes[c];
        const v = [i, j, k];
        for (let a = 0; a < 3; a++) {
          if (v[a] < bb.min[a]) bb.min[a] = v[a];
          if (v[a] > bb.max[a]) bb.max[a] = v[a];
        }
      }
  let largest = 1;
  for (let c = 2; c <= count; c++) if (sizes[c] > sizes[largest]) largest = c;
  const spacing = voxelSpacingMm(mask.voxelToWorld);
  const near = (c: number) =>
    [0, 1, 2].every(
      (a) =>
        (boxes[c].min[a] - boxes[largest].max[a]) * spacing[a] <= SAME_TUMOR_MM &&
        (boxes[largest].min[a] - boxes[c].max[a]) * spacing[a] <= SAME_TUMOR_MM,
    );
  const kept = new Set<number>();
  for (let c = 1; c <= count; c++) if (near(c)) kept.add(c);
  const keptMin = [1e9, 1e9, 1e9];
  const keptMax = [-1, -1, -1];
  let droppedVoxels = 0;
  for (let c = 1; c <= count; c++) {
    if (!kept.has(c)) {
      droppedVoxels += sizes[c];
      continue;
    }
    for (let a = 0; a < 3; a++) {
      keptMin[a] = Math.min(keptMin[a], boxes[c].min[a]);
      keptMax[a] = Math.max(keptMax[a], boxes[c].max[a]);
    }
  }
  const pad = 2;
  const out = [0, 1, 2].map((a) => keptMax[a] - keptMin[a] + 1 + 2 * pad) as [number, number, number];
  const data = new Uint8Array(out[0] * out[1] * out[2]);
  for (let k = keptMin[2]; k <= keptMax[2]; k++)
    for (let j = keptMin[1]; j <= keptMax[1]; j++)
      for (let i = keptMin[0]; i <= keptMax[0]; i++)
        if (kept.has(labels[i + dims[0] * (j + dims[1] * k)]))
          data[i - keptMin[0] + pad + out[0] * (j - keptMin[1] + pad + out[1] * (k - keptMin[2] + pad))] = 1;
  const origin = [0, 1, 2].map((a) => lo[a] + keptMin[a] - pad);
  const m = Float64Array.from(mask.voxelToWorld);
  for (let r = 0; r < 3; r++)
    m[4 * r + 3] += m[4 * r] * origin[0] + m[4 * r + 1] * origin[1] + m[4 * r + 2] * origin[2];
  return { tumor: { dims: out, voxelToWorld: m, data }, components: count, droppedVoxels };
}

/** Centroid of a mask's voxel centres (maskCentroid) and the largest distance from it to a voxel centre, world mm. */
function centroidAndReach(mask: MaskVolume): { centre: Vec3; reachMm: number } {
  const [nx, ny, nz] = mask.dims;
  const centre = maskCentroid(mask, maskBounds(mask));
  let reach = 0;
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        if (mask.data[i + nx * (j + ny * k)]) {
          const p = applyAffine(mask.voxelToWorld, [i, j, k]);
          reach = Math.max(reach, Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]));
        }
  return { centre, reachMm: reach + Math.max(...voxelSpacingMm(mask.voxelToWorld)) / 2 };
}

const SCENARIOS: IrregularScenario[] = ["covered", "tight", "partly uncovered"];

/** A mask's tumor with its ice ball placed (the module comment) and the random source, drawn on after placing. */
interface PlacedCase {
  tumor: MaskVolume;
  components: number;
  droppedVoxels: number;
  sliceAxis: 0 | 1 | 2;
  scenario: IrregularScenario;
  transformed: boolean;
  preToPost: Mat4;
  iceShape: Ellipsoid;
  iceball: MaskVolume;
  rnd: () => number;
}

function placeCase(mask: MaskVolume, name: string, index: number, seed: number): PlacedCase {
  const { tumor, components, droppedVoxels } = tumorOf(mask);
  const random = createRandom((seed ^ fnv1a(name)) >>> 0);
  const rnd = () => random.next();
  const transformed = index % 2 === 1;
  const identity = rigidTransform(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), [0, 0, 0]);
  const preToPost: Mat4 = transformed
    ? rigidTransform(randomRotation(rnd), [rnd() * 20 - 10, rnd() * 20 - 10, rnd() * 20 - 10])
    : identity;
  const { centre, reachMm } = centroidAndReach(tumor);
  // The iso-surface's vertices, mapped once: the placement aims with their minimum.
  const mesh = marchingCubes(tumor, maskBounds(tumor));
  const mapped = new Float64Array(3 * mesh.vertexCount);
  for (let s = 0; s < mesh.vertexCount; s++) {
    const p = mesh.positionsMm;
    const q = applyAffine(preToPost, [p[3 * s], p[3 * s + 1], p[3 * s + 2]]);
    mapped.set(q, 3 * s);
  }
  const scenario = SCENARIOS[index % 3];
  const { iceShape, iceball } = placeIceBall({
    tumorCentre: centre,
    reachMm,
    gridReachMm: reachMm,
    preToPost,
    scenario,
    marginMm: (e) => {
      let m = Number.POSITIVE_INFINITY;
      for (let s = 0; s < mesh.vertexCount; s++)
        m = Math.min(m, ellipsoidSignedDistance(e, [mapped[3 * s], mapped[3 * s + 1], mapped[3 * s + 2]]));
      return m;
    },
    iceSpacingMm: ICE_SPACING_MM,
    rnd,
  });
  const sliceAxis = sliceAxisOf(voxelSpacingMm(tumor.voxelToWorld));
  return { tumor, components, droppedVoxels, sliceAxis, scenario, transformed, preToPost, iceShape, iceball, rnd };
}

/** What a tumor mask reads against the placed ice ball: its iso-surface MTM, the engine, the baseline. */
interface Reading {
  isoSurfaceMm: number;
  /** Where the iso-surface's minimum is, pre-ablation world mm (an edge midpoint of the mask). */
  isoSurfacePoint: Vec3;
  engineMm: number;
  /** The engine's MTM of the mask as drawn (mtm_as_drawn_mm): its iso-surface read by the engine's ice field. */
  asDrawnMm: number;
  qamMm: number;
  rangeMm: [number, number];
  flagged: boolean;
  engineSeconds: number;
  outline?: { misfit: number; limit: number; asDrawn: boolean };
}

function readMask(tumor: MaskVolume, placed: PlacedCase): Reading {
  const { iceShape, iceball, preToPost } = placed;
  const iso = isoSurfaceMinimalMargin(tumor, (p) => ellipsoidSignedDistance(iceShape, p), preToPost);
  const t = performance.now();
  const r = measureMargins(tumor, iceball, preToPost);
  const engineSeconds = (performance.now() - t) / 1000;
  return {
    isoSurfaceMm: iso.mtmMm,
    isoSurfacePoint: iso.point,
    engineMm: r.mtmMm,
    asDrawnMm: r.mtmAsDrawnMm,
    qamMm: minimalTreatmentMarginQamBaseline(tumor, iceball, preToPost).mtmMm,
    rangeMm: r.mtmMaskRangeMm,
    flagged: r.warnings.some((w) => w.startsWith(FALLBACK_AT_MINIMUM_WARNING) || w.startsWith(CONCAVE_CREASE_WARNING)),
    engineSeconds,
    outline: r.tumorOutline && {
      misfit: r.tumorOutline.misfit,
      limit: r.tumorOutline.limit,
      asDrawn: r.tumorOutline.asDrawn,
    },
  };
}

function measureCase(path: string, name: string, index: number, label: number | undefined, seed: number): CaseRow {
  const placed = placeCase(readMaskFile(path, { label }).mask, name, index, seed);
  const { tumor } = placed;
  const spacingMm = voxelSpacingMm(tumor.voxelToWorld);
  const reading = readMask(tumor, placed);
  return {
    name,
    dims: tumor.dims,
    spacingMm,
    sliceMm: spacingMm[placed.sliceAxis],
    tumorVoxels: maskBounds(tumor).count,
    droppedVoxels: placed.droppedVoxels,
    components: placed.components,
    scenario: placed.scenario,
    transformed: placed.transformed,
    truthMm: reading.isoSurfaceMm,
    engineMm: reading.engineMm,
    asDrawnMm: reading.asDrawnMm,
    qamMm: reading.qamMm,
    rangeMm: reading.rangeMm,
    flagged: reading.flagged,
    engineSeconds: reading.engineSeconds,
    outline: reading.outline,
  };
}

/** Inside [lo, hi] up to 0.005 mm (the JSON's rounding). */
const inside = (v: number, [lo, hi]: [number, number]) => v >= lo - 0.005 && v <= hi + 0.005;
const signed = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(2)}`;
const summary = (s: ErrorSummary) =>
  `${s.meanAbs.toFixed(2).padStart(5)} / ${s.max.toFixed(2).padStart(5)} / ${signed(s.meanSigned).padStart(6)}`;

function report(rows: CaseRow[]): void {
  const groups: [string, (r: CaseRow) => boolean][] = [
    ["all", () => true],
    ["slices ≤ 1 mm", (r) => r.sliceMm <= 1.001],
    ["slices 1–3.5 mm", (r) => r.sliceMm > 1.001 && r.sliceMm <= 3.5],
    ["slices > 3.5 mm", (r) => r.sliceMm > 3.5],
  ];
  console.log(
    "\n  group            | cases | slices mm  | engine mean|err| / max / signed (high) | QAM-style                  (high) | inside range (iso, engine) | flagged | read as drawn (outline test)",
  );
  for (const [label, test] of groups) {
    const part = rows.filter(test);
    if (part.length === 0) continue;
    const slices = part.map((r) => r.sliceMm);
    const engine = part.map((r) => r.engineMm - r.truthMm);
    const qam = part.map((r) => r.qamMm - r.truthMm);
    const high = (e: number[]) => e.filter((x) => x > 0).length;
    console.log(
      `  ${label.padEnd(16)} | ${String(part.length).padStart(5)} | ${`${Math.min(...slices).toFixed(2)}–${Math.max(...slices).toFixed(2)}`.padEnd(10)} | ` +
        `${summary(summarizeErrors(engine))} (${String(high(engine)).padStart(3)})      | ${summary(summarizeErrors(qam))} (${String(high(qam)).padStart(3)}) | ` +
        `${String(part.filter((r) => inside(r.truthMm, r.rangeMm)).length).padStart(3)}, ${String(part.filter((r) => inside(r.engineMm, r.rangeMm)).length).padStart(3)}                   | ${String(part.filter((r) => r.flagged).length).padStart(7)} | ${part.filter((r) => r.outline?.asDrawn).length}`,
    );
  }
  const asDrawn = rows.map((r) => r.asDrawnMm - r.truthMm);
  console.log(
    `  as drawn (mtm_as_drawn_mm), all: ${summary(summarizeErrors(asDrawn))} (${asDrawn.filter((x) => x > 0).length}) — ` +
      "the same iso-surface read by the engine's ice field, so this is the ice side's error only, NOT a reading against the issue's bar",
  );
  const all = summarizeErrors(rows.map((r) => r.engineMm - r.truthMm));
  const unflaggedHigh = rows
    .filter((r) => r.engineMm - r.truthMm > 0.3 && !r.flagged)
    .sort((a, b) => b.engineMm - b.truthMm - (a.engineMm - a.truthMm));
  console.log(
    `  read > 0.3 mm high without a flag: ${unflaggedHigh.length} of ${rows.length}` +
      (unflaggedHigh.length
        ? `, worst ${unflaggedHigh
            .slice(0, 5)
            .map((r) => `${r.name} ${signed(r.engineMm - r.truthMm)}`)
            .join(", ")}`
        : ""),
  );
  const outside = rows.filter((r) => !inside(r.engineMm, r.rangeMm));
  if (outside.length)
    console.log(
      `  engine outside its range: ${outside.map((r) => `${r.name} ${r.engineMm.toFixed(2)} [${r.rangeMm.map((v) => v.toFixed(2)).join(", ")}]`).join(", ")}`,
    );
  const met =
    all.meanAbs <= BAR.meanAbsMm && Math.abs(all.meanSigned) <= BAR.meanSignedMm && all.max <= BAR.maxMm
      ? "met"
      : "NOT met";
  console.log(
    `  bar (all cases vs the 0.5 iso-surface): mean |error| ${all.meanAbs.toFixed(3)} ≤ ${BAR.meanAbsMm}, ` +
      `|mean signed| ${Math.abs(all.meanSigned).toFixed(3)} ≤ ${BAR.meanSignedMm}, max ${all.max.toFixed(3)} ≤ ${BAR.maxMm}: ${met}`,
  );
  console.log(`  engine time per case: median ${median(rows.map((r) => r.engineSeconds)).toFixed(2)} s`);
}

/** One thin case read again on a thick grid made from it (the reslice mode). */
interface ResliceRow {
  name: string;
  thinSliceMm: number;
  thicknessMm: number;
  phaseMm: number;
  rule: ThickSliceRule;
  scenario: IrregularScenario;
  transformed: boolean;
  /** The thin mask's 0.5 iso-surface MTM: the truth of this mode, mm. */
  truthMm: number;
  /** The truth's minimum on a through-slice edge of the thin mask, and the thin part's length along the slices (truthPart). */
  truthOnCap: boolean;
  truthPartMm: number;
  /** Control cases only: the MTM of the continuous surface the thin mask was rasterised from, mm. */
  continuousMm?: number;
  thinEngineMm: number;
  thinAsDrawnMm: number;
  thinQamMm: number;
  thick: Reading;
}

const THIN_MAX_MM = 1.001;
/** CRYOMARGIN_REAL_SHAPES_MAX_VOXELS (module comment). */
const MAX_VOXELS = Number(process.env.CRYOMARGIN_REAL_SHAPES_MAX_VOXELS ?? Number.POSITIVE_INFINITY);

/**
 * The part of the thin mask the truth rests on: the iso-surface's minimum is the midpoint of an edge
 * between an inside and an outside voxel; `cap` when that edge runs along the slice axis, and `partMm`
 * the length along the slice axis of the run of inside voxels through its inside voxel (run × spacing).
 * A part shorter than half a thick slice fills less than half of any slab, so no thick mask made by
 * the slab rule holds it, whatever the phase.
 */
function truthPart(thin: MaskVolume, point: Vec3, sliceAxis: 0 | 1 | 2): { cap: boolean; partMm: number } {
  const v = applyAffine(invertAffine(thin.voxelToWorld, "tumor"), point);
  const edgeAxis = [0, 1, 2].reduce((best, a) =>
    Math.abs(v[a] - Math.round(v[a])) > Math.abs(v[best] - Math.round(v[best])) ? a : best,
  );
  const [nx, ny] = thin.dims;
  const at = (u: number[]) =>
    u.every((x, a) => x >= 0 && x < thin.dims[a]) ? thin.data[u[0] + nx * (u[1] + ny * u[2])] : 0;
  const low = v.map((x) => Math.round(x));
  low[edgeAxis] = Math.floor(v[edgeAxis]);
  const high = [...low];
  high[edgeAxis] += 1;
  const inside = at(low) ? low : high;
  let run = 1;
  for (const step of [-1, 1]) {
    const u = [...inside];
    for (;;) {
      u[sliceAxis] += step;
      if (!at(u)) break;
      run++;
    }
  }
  return { cap: edgeAxis === sliceAxis, partMm: run * voxelSpacingMm(thin.voxelToWorld)[sliceAxis] };
}
const RULES: ThickSliceRule[] = ["slab", "centre"];

/**
 * The reslice mode: every mask whose slices are ≤ 1 mm, placed as in the main mode (same ice ball, same
 * transform), then made into thick-slice masks at each thickness by both rules (thickSliceMask), slab
 * phase uniform in [0, T) drawn per thickness after the placement and shared by the two rules.
 */
function resliceCase(
  path: string,
  name: string,
  index: number,
  label: number | undefined,
  seed: number,
  thicknessesMm: number[],
): ResliceRow[] {
  const { mask } = readMaskFile(path, { label });
  const spacingMm = voxelSpacingMm(mask.voxelToWorld);
  if (spacingMm[sliceAxisOf(spacingMm)] > THIN_MAX_MM || maskBounds(mask).count > MAX_VOXELS) return [];
  return reslicePlaced(name, placeCase(mask, name, index, seed), thicknessesMm);
}

/** The rows of one placed thin case at every thickness and rule (resliceCase). */
function reslicePlaced(name: string, placed: PlacedCase, thicknessesMm: number[], continuousMm?: number): ResliceRow[] {
  const thin = readMask(placed.tumor, placed);
  const part = truthPart(placed.tumor, thin.isoSurfacePoint, placed.sliceAxis);
  const rows: ResliceRow[] = [];
  for (const thicknessMm of thicknessesMm) {
    const phaseMm = placed.rnd() * thicknessMm;
    for (const rule of RULES) {
      const thick = thickSliceMask(placed.tumor, { sliceAxis: placed.sliceAxis, thicknessMm, phaseMm, rule });
      rows.push({
        name,
        thinSliceMm: voxelSpacingMm(placed.tumor.voxelToWorld)[placed.sliceAxis],
        thicknessMm,
        phaseMm,
        rule,
        scenario: placed.scenario,
        transformed: placed.transformed,
        truthMm: thin.isoSurfaceMm,
        truthOnCap: part.cap,
        truthPartMm: part.partMm,
        continuousMm,
        thinEngineMm: thin.engineMm,
        thinAsDrawnMm: thin.asDrawnMm,
        thinQamMm: thin.qamMm,
        thick: readMask(thick, placed),
      });
    }
  }
  return rows;
}

/**
 * The control of the reslice mode: `count` smooth lobulated tumors of the realistic suite
 * (generateIrregularCases, seed 1805) rasterised at 0.8 × 0.8 × 0.5 mm… (in-plane 0.7–1.0 mm, 0.5 mm
 * slices), each with its ice ball and transform, made thick and read exactly as the real masks are —
 * and also against the continuous surface they were rasterised from.
 */
function resliceControl(count: number, thicknessesMm: number[]): ResliceRow[] {
  const random = createRandom(1805);
  const rows: ResliceRow[] = [];
  for (const c of generateIrregularCases({ seed: 1805, count, sliceMm: 0.5, ragged: false })) {
    const placed: PlacedCase = {
      tumor: c.tumor,
      components: 1,
      droppedVoxels: 0,
      sliceAxis: 2,
      scenario: c.scenario,
      transformed: true,
      preToPost: c.preToPost,
      iceShape: c.iceShape,
      iceball: c.iceball,
      rnd: () => random.next(),
    };
    rows.push(...reslicePlaced(c.name, placed, thicknessesMm, c.continuousMtmMm));
  }
  return rows;
}

/** The reslice mode's tables against `truth` (the thin mask's iso-surface MTM, or the control's continuous surface). */
function reportReslice(rows: ResliceRow[], title: string, truth: (r: ResliceRow) => number): void {
  const errors = (part: ResliceRow[], f: (r: ResliceRow) => number) => part.map((r) => f(r) - truth(r));
  const cell = (e: number[]) => `${summary(summarizeErrors(e))} (${String(e.filter((x) => x > 0).length).padStart(2)})`;
  const thinRows = rows.filter((r, i) => i === 0 || r.name !== rows[i - 1].name);
  console.log(`\n  ${title}; mean |error| / max / mean signed, mm (cases read high)`);
  console.log(
    `  thin masks: engine ${cell(errors(thinRows, (r) => r.thinEngineMm))}, as drawn ${cell(errors(thinRows, (r) => r.thinAsDrawnMm))}, iso-surface ${cell(errors(thinRows, (r) => r.truthMm))}, ` +
      `QAM-style ${cell(errors(thinRows, (r) => r.thinQamMm))}; n ${thinRows.length}`,
  );
  console.log(
    "  thick mm | rule   |  n | engine(thick) − truth      | as drawn(thick) − truth    | iso-surface(thick) − truth | QAM(thick) − truth         | engine(thick − thin)       | engine − iso(thick)        | truth in range | flagged | > 0.3 high unflagged | read as drawn (outline test)",
  );
  const thicknesses = [...new Set(rows.map((r) => r.thicknessMm))];
  for (const t of thicknesses)
    for (const rule of RULES) {
      const part = rows.filter((r) => r.thicknessMm === t && r.rule === rule);
      const unflaggedHigh = part.filter((r) => r.thick.engineMm - truth(r) > 0.3 && !r.thick.flagged).length;
      console.log(
        `  ${t.toFixed(2).padStart(8)} | ${rule.padEnd(6)} | ${String(part.length).padStart(2)} | ${cell(errors(part, (r) => r.thick.engineMm))} | ` +
          `${cell(errors(part, (r) => r.thick.asDrawnMm))} | ` +
          `${cell(errors(part, (r) => r.thick.isoSurfaceMm))} | ${cell(errors(part, (r) => r.thick.qamMm))} | ` +
          `${cell(part.map((r) => r.thick.engineMm - r.thinEngineMm))} | ${cell(part.map((r) => r.thick.engineMm - r.thick.isoSurfaceMm))} | ` +
          `${String(part.filter((r) => inside(truth(r), r.thick.rangeMm)).length).padStart(3)} of ${String(part.length).padEnd(6)} | ` +
          `${String(part.filter((r) => r.thick.flagged).length).padStart(7)} | ${String(unflaggedHigh).padStart(20)} | ${part.filter((r) => r.thick.outline?.asDrawn).length}`,
      );
    }
  console.log(
    "  by the thin part the iso-surface's minimum rests on (truthPart): engine(thick) − truth; iso-surface(thick) − truth; n\n" +
      "  thick mm | rule   | cap (through-slice edge)        | side, part ≥ T/2 along the slices | side, part < T/2 (no slab holds it)",
  );
  for (const t of thicknesses)
    for (const rule of RULES) {
      const part = rows.filter((r) => r.thicknessMm === t && r.rule === rule);
      const groups = [
        part.filter((r) => r.truthOnCap),
        part.filter((r) => !r.truthOnCap && r.truthPartMm >= t / 2),
        part.filter((r) => !r.truthOnCap && r.truthPartMm < t / 2),
      ];
      const text = (g: ResliceRow[]) =>
        g.length === 0
          ? "—"
          : `${signed(summarizeErrors(errors(g, (r) => r.thick.engineMm)).meanSigned)}; ` +
            `${signed(summarizeErrors(errors(g, (r) => r.thick.isoSurfaceMm)).meanSigned)}; ${g.length}`;
      console.log(
        `  ${t.toFixed(2).padStart(8)} | ${rule.padEnd(6)} | ${groups.map((g) => text(g).padEnd(31)).join(" | ")}`,
      );
    }
  const outside = rows.filter((r) => !inside(truth(r), r.thick.rangeMm));
  if (outside.length)
    console.log(
      `  truth outside the thick mask's range (${outside.length}): ${outside
        .map(
          (r) =>
            `${r.name.split("/")[0]} ${r.thicknessMm} ${r.rule} ${truth(r).toFixed(2)} [${r.thick.rangeMm.map((v) => v.toFixed(2)).join(", ")}]`,
        )
        .join(", ")}`,
    );
}

const folder = process.env.CRYOMARGIN_REAL_SHAPES;
if (!folder) {
  console.log(
    "real-shapes: set CRYOMARGIN_REAL_SHAPES to a folder of real tumor masks (README, 'Real tumor shapes': KiTS19's " +
      "segmentations with CRYOMARGIN_REAL_SHAPES_LABEL=2); none are shipped, so nothing was measured",
  );
} else {
  const labelText = process.env.CRYOMARGIN_REAL_SHAPES_LABEL;
  const label = labelText === undefined ? undefined : Number(labelText);
  const seed = Number(process.env.CRYOMARGIN_REAL_SHAPES_SEED ?? 18);
  const limit = Number(process.env.CRYOMARGIN_REAL_SHAPES_LIMIT ?? Number.POSITIVE_INFINITY);
  const out = process.env.CRYOMARGIN_REAL_SHAPES_OUT;
  const files = maskFiles(folder).slice(0, limit);
  const resliceText = process.env.CRYOMARGIN_REAL_SHAPES_RESLICE;
  console.log(
    `real shapes: ${files.length} masks under ${folder}${label === undefined ? "" : `, label ${label}`}, seed ${seed}`,
  );
  const lines: string[] = [];
  const start = performance.now();
  if (resliceText) {
    const thicknessesMm = resliceText.split(",").map(Number);
    if (thicknessesMm.some((t) => !(t > THIN_MAX_MM)))
      throw new Error(`CRYOMARGIN_REAL_SHAPES_RESLICE: thicknesses above ${THIN_MAX_MM} mm, got "${resliceText}"`);
    console.log(
      `  reslice: masks with slices ≤ 1 mm made into ${thicknessesMm.join(", ")} mm slices (rules ${RULES.join(", ")})`,
    );
    console.log(
      "  case | thin slice mm | thick mm | rule | phase mm | truth | engine thin | iso thick | engine thick | as drawn thick | QAM thick | range | flag",
    );
    const rows: ResliceRow[] = [];
    files.forEach((path, index) => {
      const name = relative(folder, path);
      for (const row of resliceCase(path, name, index, label, seed, thicknessesMm)) {
        rows.push(row);
        lines.push(JSON.stringify(row));
        const d = (v: number) => `${v.toFixed(2)} (${signed(v - row.truthMm)})`;
        console.log(
          `  ${name} | ${row.thinSliceMm.toFixed(2)} | ${row.thicknessMm} | ${row.rule} | ${row.phaseMm.toFixed(2)} | ${row.truthMm.toFixed(2)} | ` +
            `${d(row.thinEngineMm)} | ${d(row.thick.isoSurfaceMm)} | ${d(row.thick.engineMm)} | ${d(row.thick.asDrawnMm)} | ${d(row.thick.qamMm)} | ` +
            `[${row.thick.rangeMm.map((v) => v.toFixed(2)).join(", ")}] | ${row.thick.flagged ? "yes" : "no"}`,
        );
      }
    });
    reportReslice(
      rows,
      `thick from thin: ${rows.length / (2 * thicknessesMm.length)} masks with slices ≤ 1 mm against their own 0.5 iso-surface`,
      (r) => r.truthMm,
    );
    const controlCount = Number(process.env.CRYOMARGIN_REAL_SHAPES_RESLICE_CONTROL ?? 0);
    if (controlCount > 0) {
      const control = resliceControl(controlCount, thicknessesMm);
      for (const row of control) lines.push(JSON.stringify(row));
      const title = `control: ${controlCount} smooth lobulated tumors rasterised at 0.5 mm slices`;
      reportReslice(control, `${title}, against the continuous surface`, (r) => r.continuousMm ?? Number.NaN);
      reportReslice(control, `${title}, against the thin mask's 0.5 iso-surface`, (r) => r.truthMm);
    }
  } else {
    console.log(
      "  case | slice mm | in-plane mm | voxels (+dropped) | scenario | transform | iso-surface MTM | engine | as drawn | QAM | range | flag | s",
    );
    const rows: CaseRow[] = [];
    files.forEach((path, index) => {
      const name = relative(folder, path);
      const row = measureCase(path, name, index, label, seed);
      rows.push(row);
      lines.push(JSON.stringify(row));
      const inPlane = row.spacingMm.filter((s) => s !== row.sliceMm);
      console.log(
        `  ${name} | ${row.sliceMm.toFixed(2)} | ${(inPlane[0] ?? row.sliceMm).toFixed(2)} | ${row.tumorVoxels}${row.droppedVoxels ? ` (+${row.droppedVoxels})` : ""} | ` +
          `${row.scenario} | ${row.transformed ? "rigid" : "identity"} | ${row.truthMm.toFixed(2)} | ${row.engineMm.toFixed(2)} (${signed(row.engineMm - row.truthMm)}) | ` +
          `${row.asDrawnMm.toFixed(2)} (${signed(row.asDrawnMm - row.truthMm)}) | ` +
          `${row.qamMm.toFixed(2)} (${signed(row.qamMm - row.truthMm)}) | [${row.rangeMm.map((v) => v.toFixed(2)).join(", ")}] | ${row.flagged ? "yes" : "no"} | ${row.engineSeconds.toFixed(2)}`,
      );
    });
    report(rows);
  }
  console.log(`  ${files.length} masks in ${((performance.now() - start) / 1000).toFixed(0)} s`);
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${lines.join("\n")}\n`);
  }
}

/**
 * A small cohort folder for the site's end-to-end tests (issue 5's layout: clinical.csv, cohort.json,
 * cases/<id>/tumor.nii.gz, iceball.nii.gz, registration.tfm), written in seconds so the site tests do
 * not depend on the committed synthetic cohort's shapes:
 *
 * - tumors: ellipsoids (semi-axes 7–17 mm, random orientation) on a 1.2 × 1.2 × 3.0 mm pre-ablation grid;
 * - ice balls: the union of two probe ellipsoids around an aim point offset from the tumor centre, on a
 *   post-ablation grid with its own rigid pose (a few degrees and mm of patient motion), so the MTM ranges
 *   from clearly negative to several mm;
 * - clinical rows whose LTP follows the planned margin (mostly LTP when the tumor is not covered).
 *
 * With `images`, each case also has scans, pre.nii.gz on the tumor's grid and post.nii.gz on the ice
 * ball's (int16; tumor bright and ice ball dark on a textured background), as `synth --images` writes.
 *
 * With `canary`, the string is planted where publish mode must never let it through to dist/: every
 * patient_id, and the NIfTI-1 free-text header fields descrip, aux_file, intent_name and db_name of every
 * mask and scan (and in the case ids too, with `caseIdPrefix`).
 *
 * Run directly to write a cohort for development: `npx tsx test/e2e/site-cohort.ts OUT_DIR [cases]`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import {
  createRandom,
  type Ellipsoid,
  emptyMask,
  gridAffine,
  quaternionToMatrix,
  randomRotation,
  rasterizeEllipsoid,
  rigidTransform,
  type Vec3,
} from "@cryomargin/analysis";
import { encodeNifti } from "../../loaders/io/nifti.js";
import { formatItkTransform } from "../../loaders/io/transform.js";

export interface SiteCohortOptions {
  /** Number of tumors (default 12). */
  cases?: number;
  seed?: number;
  /** Planted in patient_id and in the NIfTI free-text fields (descrip, aux_file, intent_name, db_name). */
  canary?: string;
  /** Writes pre.nii.gz and post.nii.gz scans beside the masks (default false). */
  images?: boolean;
  /** Case ids are this prefix + a two-digit number (default "T": T01, T02, …). */
  caseIdPrefix?: string;
  /** Writes cohort.json with synthetic: true (default true). */
  synthetic?: boolean;
}

/** The clinical.csv header (the cohort format's columns, analysis/src/cohort/schema.ts). */
const CLINICAL_HEADER =
  "case_id,patient_id,age_years,sex,asa,side,location,site,histology,renal_score,prior_ablation,cryoprobes," +
  "major_complication,followup_months,ltp,ltp_type,months_to_ltp,ltp_octant";

const OCTANTS = ["right", "left"].flatMap((lr) =>
  ["anterior", "posterior"].flatMap((ap) => ["superior", "inferior"].map((si) => `${lr}-${ap}-${si}`)),
);

/** NIfTI-1 `db_name` (char[18] at byte 14): unused by readers, but free text that must not leak. */
const DB_NAME_OFFSET = 14;
const DB_NAME_BYTES = 18;

/**
 * NIfTI-1 .nii.gz bytes of a mask or scan, with `text` in descrip, aux_file, intent_name and db_name
 * (truncated to each field). encodeNifti writes the first three; db_name is patched into the
 * uncompressed header here.
 */
function niftiGzWithText(image: Parameters<typeof encodeNifti>[0], text: string): Buffer {
  const raw = encodeNifti({ ...image, description: text, auxFile: text, intentName: text }, { gzip: false });
  const dbName = Buffer.from(text.slice(0, DB_NAME_BYTES - 1), "latin1");
  raw.fill(0, DB_NAME_OFFSET, DB_NAME_OFFSET + DB_NAME_BYTES);
  dbName.copy(raw, DB_NAME_OFFSET);
  return gzipSync(raw);
}

/**
 * A scan on a mask's grid: `inside` where the mask is set, else `outside`, plus uniform noise of ±10
 * (int16, as MR magnitudes are stored).
 */
function scanOf(mask: ReturnType<typeof emptyMask>, inside: number, outside: number, next: () => number) {
  const data = new Int16Array(mask.data.length);
  for (let v = 0; v < data.length; v++) data[v] = Math.round((mask.data[v] ? inside : outside) + 20 * (next() - 0.5));
  return { dims: mask.dims, voxelToWorld: mask.voxelToWorld, data };
}

/** Rotation by `angleRad` about a unit axis (row-major 3×3). */
function axisRotation(axis: Vec3, angleRad: number): Float64Array {
  const s = Math.sin(angleRad / 2);
  return quaternionToMatrix(Math.cos(angleRad / 2), axis[0] * s, axis[1] * s, axis[2] * s);
}

/** The 3×3 product a·b of row-major matrices. */
function multiply3(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return out;
}

/** R·v for a row-major 3×3 R. */
function rotate(r: Float64Array, v: Vec3): Vec3 {
  return [0, 1, 2].map((i) => r[3 * i] * v[0] + r[3 * i + 1] * v[1] + r[3 * i + 2] * v[2]) as Vec3;
}

/**
 * Writes the cohort into `dir` (created). Deterministic for a seed. Returns the case ids.
 * Example: `writeSiteTestCohort("/tmp/c", { cases: 8 })` → ["T01", …, "T08"].
 */
export function writeSiteTestCohort(dir: string, options: SiteCohortOptions = {}): { caseIds: string[] } {
  const n = options.cases ?? 12;
  const rng = createRandom(options.seed ?? 7);
  const next = () => rng.next();
  // The scans' noise has its own stream, so a cohort's shapes are the same with and without images.
  const noise = createRandom((options.seed ?? 7) + 1_000_003);
  const nextNoise = () => noise.next();
  const canary = options.canary ?? "";
  const identity = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  mkdirSync(join(dir, "cases"), { recursive: true });
  const rows: string[] = [];
  const caseIds: string[] = [];
  let patient = { id: "", age: 0, sex: "", asa: "" };
  for (let i = 0; i < n; i++) {
    const caseId = `${options.caseIdPrefix ?? "T"}${String(i + 1).padStart(2, "0")}`;
    caseIds.push(caseId);
    const caseDir = join(dir, "cases", caseId);
    mkdirSync(caseDir, { recursive: true });

    // Tumor on the pre-ablation grid (centred at the origin of pre world).
    const semi: Vec3 = [7 + 10 * next(), 7 + 8 * next(), 7 + 6 * next()];
    const tumor: Ellipsoid = { centre: [0, 0, 0], semiAxesMm: semi, rotation: randomRotation(next) };
    const preGrid = gridAffine([1.2, 1.2, 3], identity, [-45, -45, -45]);
    const tumorMask = emptyMask([76, 76, 31], preGrid);
    rasterizeEllipsoid(tumorMask, tumor);

    // Planned margin: from about −9 mm (ice ball aimed off the tumor) to +7 mm.
    const plannedMarginMm = -9 + 16 * next();
    const iceSemi = Math.max(...semi) + 9;
    const offsetMm = Math.max(0, iceSemi - Math.max(...semi) - plannedMarginMm);
    const direction = rotate(randomRotation(next), [1, 0, 0]);
    const aim: Vec3 = [direction[0] * offsetMm, direction[1] * offsetMm, direction[2] * offsetMm];

    // Patient motion pre → post: a few degrees and millimetres.
    const motionRotation = axisRotation([0, 0.6, 0.8], ((next() - 0.5) * 8 * Math.PI) / 180);
    const motion: Vec3 = [(next() - 0.5) * 8, (next() - 0.5) * 8, (next() - 0.5) * 6];
    const preToPost = rigidTransform(motionRotation, motion);
    const toPost = (p: Vec3): Vec3 => {
      const r = rotate(motionRotation, p);
      return [r[0] + motion[0], r[1] + motion[1], r[2] + motion[2]];
    };

    // Ice ball: two parallel probe isotherms 8 mm apart around the aim point, in post world.
    const probeAxis = randomRotation(next);
    const iceMask = emptyMask([80, 80, 34], gridAffine([1.2, 1.2, 3], identity, [-48, -48, -50]));
    for (const side of [-4, 4]) {
      const shift = rotate(probeAxis, [side, 0, 0]);
      const centrePre: Vec3 = [aim[0] + shift[0], aim[1] + shift[1], aim[2] + shift[2]];
      rasterizeEllipsoid(iceMask, {
        centre: toPost(centrePre),
        semiAxesMm: [iceSemi - 3, iceSemi - 3, iceSemi + 4],
        rotation: multiply3(motionRotation, probeAxis),
      });
    }
    writeFileSync(join(caseDir, "tumor.nii.gz"), niftiGzWithText(tumorMask, canary));
    writeFileSync(join(caseDir, "iceball.nii.gz"), niftiGzWithText(iceMask, canary));
    if (options.images) {
      writeFileSync(join(caseDir, "pre.nii.gz"), niftiGzWithText(scanOf(tumorMask, 140, 70, nextNoise), canary));
      writeFileSync(join(caseDir, "post.nii.gz"), niftiGzWithText(scanOf(iceMask, 15, 90, nextNoise), canary));
    }
    writeFileSync(join(caseDir, "registration.tfm"), formatItkTransform(preToPost));

    // Clinical row: LTP mostly where the tumor was not covered.
    // Follow-up ends at LTP detection (the cohort format's rule); the last two tumors share a patient.
    const ltp = plannedMarginMm < 0 ? next() < 0.8 : next() < 0.08;
    const monthsToLtp = ltp ? 1 + Math.round(20 * next()) : null;
    const followup = monthsToLtp ?? 3 + Math.round(50 * next());
    const sharesPatient = i === n - 1 && n > 3;
    if (!sharesPatient)
      patient = {
        id: `P${String(i + 1).padStart(2, "0")}${canary}`,
        age: 55 + Math.round(25 * next()),
        sex: next() < 0.7 ? "male" : "female",
        asa: ["I", "II", "III"][Math.floor(3 * next())],
      };
    rows.push(
      [
        caseId,
        patient.id,
        patient.age,
        patient.sex,
        patient.asa,
        next() < 0.5 ? "left" : "right",
        ["upper_pole", "interpolar", "lower_pole"][Math.floor(3 * next())],
        next() < 0.5 ? "anterior" : "posterior",
        ["clear_cell_rcc", "papillary_rcc", "chromophobe_rcc"][Math.floor(3 * next())],
        4 + Math.floor(8 * next()),
        next() < 0.1 ? 1 : 0,
        2 + Math.floor(3 * next()),
        next() < 0.05 ? 1 : 0,
        followup,
        ltp ? 1 : 0,
        ltp ? (monthsToLtp !== null && monthsToLtp <= 3 ? "residual" : "recurrent") : "",
        monthsToLtp ?? "",
        ltp ? OCTANTS[Math.floor(8 * next())] : "",
      ].join(","),
    );
  }
  writeFileSync(join(dir, "clinical.csv"), `${[CLINICAL_HEADER, ...rows].join("\n")}\n`);
  writeFileSync(
    join(dir, "cohort.json"),
    `${JSON.stringify(
      {
        name: "site test cohort",
        synthetic: options.synthetic ?? true,
        paper_twin: false,
        generator: "test/e2e/site-cohort.ts",
        seed: options.seed ?? 7,
        notes: "ellipsoid tumors and two-probe ice balls",
      },
      null,
      2,
    )}\n`,
  );
  return { caseIds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: npx tsx test/e2e/site-cohort.ts OUT_DIR [cases]");
    process.exit(2);
  }
  const { caseIds } = writeSiteTestCohort(out, { cases: Number(process.argv[3] ?? 12) });
  console.log(`wrote ${caseIds.length} cases to ${out}`);
}

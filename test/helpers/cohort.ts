/**
 * A small cohort folder written by a test: ball tumors on a 1.2 × 1.2 × 3 mm pre-ablation grid and bigger
 * ball ice balls on a post-ablation grid of their own, moved by a known translation, so every MTM is known
 * in closed form (R_ice − |offset| − r_tumor). Small grids (tumor radius ≤ 15 mm, ice ≤ 19 mm), so a case
 * measures in well under a second.
 */
import { createHash } from "node:crypto";
import { type Dirent, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mat4FromRows } from "../../loaders/io/affine.js";
import { encodeNifti } from "../../loaders/io/nifti.js";
import { formatItkTransform } from "../../loaders/io/transform.js";
import { axisAlignedGrid, ballMask } from "./nifti.js";

/** One case: tumor radius, ice radius, offset of the ice centre from the tumor centre (x, mm), outcome. */
export interface BallCase {
  id: string;
  tumorMm: number;
  iceMm: number;
  offsetMm: number;
  ltp: 0 | 1;
  months: number;
}

/** The closed-form MTM of a ball case, mm. */
export const exactBallMtm = (s: BallCase): number => s.iceMm - s.offsetMm - s.tumorMm;

/** Post-ablation scan origin differs from the pre-ablation one by this translation (pre → post). */
export const BALL_MOTION: [number, number, number] = [3.3, -2.1, 4.4];

export const CLINICAL_HEADER =
  "case_id,patient_id,age_years,sex,asa,side,location,site,histology,renal_score,prior_ablation,cryoprobes," +
  "major_complication,followup_months,ltp,ltp_type,months_to_ltp,ltp_octant";

/** One clinical.csv line of a ball case (the i-th row); `european` writes semicolons and decimal commas. */
export function clinicalRow(s: BallCase, i: number, european = false): string {
  return [
    s.id,
    `p${i + 1}`,
    60 + i,
    i % 2 ? "female" : "male",
    i % 3 ? "II" : "III",
    i % 2 ? "left" : "right",
    ["upper_pole", "interpolar", "lower_pole"][i % 3],
    i % 2 ? "anterior" : "posterior",
    "clear_cell_rcc",
    5 + (i % 5),
    0,
    3,
    0,
    s.months,
    s.ltp,
    s.ltp ? "recurrent" : "",
    s.ltp ? s.months : "",
    s.ltp ? "right-anterior-superior" : "",
  ]
    .map((v) => (european ? String(v).replace(".", ",") : String(v)))
    .join(european ? ";" : ",");
}

/** The three files of a ball case, as bytes (masks gzipped unless `gzip` is false). */
export function ballCaseFiles(s: BallCase, { gzip = true } = {}): { tumor: Buffer; iceball: Buffer; tfm: string } {
  const tumorGrid = axisAlignedGrid([1.2, 1.2, 3], [-30, -30, -30]);
  const iceGrid = axisAlignedGrid([1.2, 1.2, 3], [-35, -35, -36]);
  const iceCentre: [number, number, number] = [BALL_MOTION[0] + s.offsetMm, BALL_MOTION[1], BALL_MOTION[2]];
  const preToPost = mat4FromRows([
    [1, 0, 0, BALL_MOTION[0]],
    [0, 1, 0, BALL_MOTION[1]],
    [0, 0, 1, BALL_MOTION[2]],
  ]);
  return {
    tumor: encodeNifti(
      { dims: [50, 50, 20], voxelToWorld: tumorGrid, data: ballMask([50, 50, 20], tumorGrid, [0, 0, 0], s.tumorMm) },
      { gzip },
    ),
    iceball: encodeNifti(
      { dims: [60, 60, 25], voxelToWorld: iceGrid, data: ballMask([60, 60, 25], iceGrid, iceCentre, s.iceMm) },
      { gzip },
    ),
    tfm: formatItkTransform(preToPost),
  };
}

/** Writes `cases/<id>/` of a ball case under a cohort folder. */
export function writeBallCase(cohortDir: string, s: BallCase, { gzip = true } = {}): void {
  const dir = join(cohortDir, "cases", s.id);
  mkdirSync(dir, { recursive: true });
  const files = ballCaseFiles(s, { gzip });
  const ext = gzip ? ".nii.gz" : ".nii";
  writeFileSync(join(dir, `tumor${ext}`), files.tumor);
  writeFileSync(join(dir, `iceball${ext}`), files.iceball);
  writeFileSync(join(dir, "registration.tfm"), files.tfm);
}

/** Writes a whole ball cohort folder: clinical.csv, cohort.json and every case. */
export function writeBallCohort(cohortDir: string, cases: readonly BallCase[], { gzip = true } = {}): void {
  mkdirSync(cohortDir, { recursive: true });
  writeFileSync(
    join(cohortDir, "clinical.csv"),
    `${[CLINICAL_HEADER, ...cases.map((s, i) => clinicalRow(s, i))].join("\n")}\n`,
  );
  writeFileSync(join(cohortDir, "cohort.json"), JSON.stringify({ name: "ball cohort", synthetic: true }));
  for (const s of cases) writeBallCase(cohortDir, s, { gzip });
}

/** Six ball cases, two with LTP: enough for every table of the analysis plan. */
export const BALL_CASES: readonly BallCase[] = [
  { id: "b01", tumorMm: 8, iceMm: 17, offsetMm: 2, ltp: 0, months: 30 },
  { id: "b02", tumorMm: 9, iceMm: 16, offsetMm: 3, ltp: 0, months: 24 },
  { id: "b03", tumorMm: 10, iceMm: 16, offsetMm: 4, ltp: 1, months: 8 },
  { id: "b04", tumorMm: 7, iceMm: 16, offsetMm: 2, ltp: 0, months: 40 },
  { id: "b05", tumorMm: 11, iceMm: 15, offsetMm: 6, ltp: 1, months: 6 },
  { id: "b06", tumorMm: 9, iceMm: 17, offsetMm: 1, ltp: 0, months: 12 },
];

/** Every file under a folder (hidden ones too) with its bytes, as a sorted list: the folder's state. */
export function folderState(dir: string): [string, string][] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => e.isFile())
    .map((e): [string, string] => {
      const path = join(e.parentPath, e.name);
      return [path.slice(dir.length), createHash("sha256").update(readFileSync(path)).digest("hex")];
    })
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * `generateSyntheticCohort`: design → geometry → masks, measured by the margin engine until the engine
 * reads what the design intended; plus the clinical table and the cohort metadata. Pure: returns data,
 * loaders/cohort/synth.ts writes the files.
 *
 * Per case (its own seeded stream, so cases do not depend on each other):
 * 1. anatomy and pose: the tumor's seat on its kidney, the probes' approach, the patient's motion
 *    between the scans (pre → post rigid transform), the two scanner grids;
 * 2. tumor: lobulated shape at the intended volume (mask voxel count) and diameter — the diameter
 *    corrected until the engine's reading matches (its surface samples sit off the continuous surface);
 * 3. ice ball: probes by the protocol, isotherm size for the intended MTM, elongation for the ice-ball
 *    volume — and then the engine measures the pair; while its MTM is off the intended integer by more
 *    than 0.3 mm the continuous target moves by a secant on the engine's response and the ice is solved
 *    again.
 * The ice-ball volumes are designed once every case's feasible range is known (between steps 2 and 3),
 * and after step 3 one case absorbs the rounding residual of the mean ice-ball volume.
 *
 * Files: cohortPlan.ts (options, design, file order), caseGeometry.ts (steps 1–2 and the ice bracket),
 * iceVolumes.ts (the volumes designed between steps 2 and 3), engineLoop.ts (step 3), clinicalCsv.ts and
 * cohortMetadata.ts (the table and cohort.json); this file assembles them.
 *
 * The phases are exported separately (plan → prepare each case → design ice volumes → finish each case
 * → assemble) so a loader can run cases in parallel; every random draw comes from the cohort seed and the
 * case's position, so the result does not depend on the order or the thread that runs a case.
 */
import type { MaskVolume, Mat4, OctantName } from "../margin/types.js";
import { type CaseInProgress, prepareSyntheticCase } from "./caseGeometry.js";
import { clinicalRow, formatClinicalCsv } from "./clinicalCsv.js";
import { type CohortMetadata, cohortMetadata } from "./cohortMetadata.js";
import { type CohortPlan, planSyntheticCohort, type SyntheticCohortOptions } from "./cohortPlan.js";
import type { CaseDesign, CohortDesign } from "./design.js";
import { type FinishedCase, finishSyntheticCase } from "./engineLoop.js";
import { feasibleIceballVolumes, iceballMeanFixup, planIceballVolumes } from "./iceVolumes.js";
import { type ScanImage, synthesizeScans } from "./images.js";

export { type CaseInProgress, prepareSyntheticCase } from "./caseGeometry.js";
export { formatClinicalCsv } from "./clinicalCsv.js";
export type { CohortMetadata } from "./cohortMetadata.js";
export {
  type CohortPlan,
  DEFAULT_SYNTH_SEED,
  planSyntheticCohort,
  type SyntheticCohortOptions,
} from "./cohortPlan.js";
export { type FinishedCase, finishSyntheticCase } from "./engineLoop.js";
export { feasibleIceballVolumes, iceballMeanFixup, planIceballVolumes } from "./iceVolumes.js";

/** What the generator intended for a case and what the margin engine read from its masks. */
export interface CaseCheck {
  intendedMtmMm: number;
  engineMtmMm: number;
  engineMtmMmRounded: number;
  continuousMtmMm: number;
  intendedDiameterMm: number;
  engineDiameterMm: number;
  intendedTumorVolumeMl: number;
  tumorVolumeMl: number;
  intendedIceballVolumeMl: number;
  iceballVolumeMl: number;
  minMarginOctant: OctantName;
  /** The octant the design pointed an uncovered tumor's missed lobe at. */
  uncoveredOctant: OctantName | null;
  /** The regrowth octant written to clinical.csv (LTP only). */
  regrowthOctant: OctantName | null;
  /** Engine measurements used to close the loop. */
  engineRuns: number;
}

export interface SyntheticCase {
  caseId: string;
  patientId: string;
  design: CaseDesign;
  tumor: MaskVolume;
  iceball: MaskVolume;
  /** Pre-ablation world → post-ablation world (RAS mm). */
  preToPost: Mat4;
  /** With `images`: the scans, the post scan's contrast and the body's own pre → post transform. */
  images?: { pre: ScanImage; post: ScanImage; postContrast: "t2" | "t1"; bodyPreToPost: Mat4 };
  check: CaseCheck;
}

export interface SyntheticCohort {
  metadata: CohortMetadata;
  cases: SyntheticCase[];
  /** clinical.csv text (header = CLINICAL_COLUMNS). */
  clinicalCsv: string;
  design: CohortDesign;
}

/** The case id at file position `k` (0-based): S01, S02, …, S100, … */
export function syntheticCaseId(k: number): string {
  return `S${String(k + 1).padStart(2, "0")}`;
}

/** A finished case as the cohort holds it (ids from the file position; images when the plan asks). */
export function assembleSyntheticCase(
  plan: CohortPlan,
  k: number,
  c: CaseInProgress,
  finished: FinishedCase,
  intendedIceMl: number,
): SyntheticCase {
  const d = c.design;
  const r = finished.result;
  const out: SyntheticCase = {
    caseId: syntheticCaseId(k),
    patientId: "",
    design: d,
    tumor: c.tumor.mask,
    iceball: finished.iceball,
    preToPost: c.preToPost,
    check: {
      intendedMtmMm: d.intendedMtmMm,
      engineMtmMm: r.mtmMm,
      engineMtmMmRounded: r.mtmMmRounded,
      continuousMtmMm: finished.ice.continuousMtmMm,
      intendedDiameterMm: d.intendedDiameterMm,
      engineDiameterMm: r.tumorMaxDiameterMm,
      intendedTumorVolumeMl: d.intendedTumorVolumeMl,
      tumorVolumeMl: r.tumorVolumeMl,
      intendedIceballVolumeMl: intendedIceMl,
      iceballVolumeMl: r.iceballVolumeMl,
      minMarginOctant: r.minMarginOctant,
      uncoveredOctant: d.uncoveredOctant,
      regrowthOctant: finished.regrowthOctant,
      engineRuns: finished.runs,
    },
  };
  if (plan.images)
    out.images = {
      postContrast: plan.scans.postContrast ?? "t2",
      ...synthesizeScans(
        c.tumor.parts,
        finished.ice.parts,
        finished.ice.probes,
        c.preToPost,
        c.preGrid,
        c.postGrid,
        c.rng,
        plan.imageRoiMm ?? undefined,
        plan.scans,
      ),
    };
  return out;
}

/** Patient ids (P01… in file order), clinical.csv and metadata around the finished cases. */
export function assembleSyntheticCohort(plan: CohortPlan, finished: readonly SyntheticCase[]): SyntheticCohort {
  const patientIds = new Map<number, string>();
  const cases = finished.map((c) => {
    const key = c.design.patientKey;
    if (!patientIds.has(key)) patientIds.set(key, `P${String(patientIds.size + 1).padStart(2, "0")}`);
    return { ...c, patientId: patientIds.get(key)! };
  });
  const rows = cases.map((c) => clinicalRow(c.caseId, c.patientId, c.design, c.check.regrowthOctant));
  return {
    metadata: cohortMetadata(plan.seed, plan.n, patientIds.size),
    cases,
    clinicalCsv: formatClinicalCsv(rows),
    design: plan.design,
  };
}

/**
 * Generates the cohort in this thread (the phases one after another).
 * Example: `generateSyntheticCohort({ cases: 4 }).cases[0].tumor` is a MaskVolume.
 */
export function generateSyntheticCohort(options: SyntheticCohortOptions = {}): SyntheticCohort {
  const plan = planSyntheticCohort(options);
  const progress = options.onProgress ?? (() => {});
  const prepared = plan.order.map((_, k) => {
    const c = prepareSyntheticCase(plan, k);
    progress(`case ${k + 1}/${plan.n}: tumor and probes ready`);
    return c;
  });
  const ice = planIceballVolumes(plan, prepared.map(feasibleIceballVolumes));
  const finish = (k: number, volumeMl: number, toleranceMl: number) => {
    const trace = (m: string) => progress(`case ${k + 1}/${plan.n}: ${m}`);
    const done = finishSyntheticCase(prepared[k], volumeMl, { volumeTolMl: toleranceMl, trace });
    return assembleSyntheticCase(plan, k, prepared[k], done, volumeMl);
  };
  const cases = prepared.map((_, k) => finish(k, ice.volumeMl[k], ice.toleranceMl[k]));
  const fix = iceballMeanFixup(
    plan,
    ice.toleranceMl,
    cases.map((c) => c.check.iceballVolumeMl),
  );
  if (fix) cases[fix.k] = finish(fix.k, fix.volumeMl, fix.toleranceMl);
  return assembleSyntheticCohort(plan, cases);
}

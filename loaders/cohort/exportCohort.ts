/**
 * `--export DIR` for a cohort (`margins --cohort`, `analyze`): every case's 3D Slicer segmentation and
 * margin meshes (loaders/io/exportCase.ts) in DIR/<case_id>/. Each case is read and measured again with
 * the per-voxel and per-vertex margins the export needs (the cohort run keeps only the JSON).
 */
import { join } from "node:path";
import { exportCase } from "../io/exportCase.js";
import type { RegisteredTransform } from "./cohortMargins.js";
import { type CaseOptions, cohortCaseFiles, measureCase } from "./measureCase.js";

/**
 * Exports the cases `caseIds` of `cohortDir` into `exportDir/<case_id>/`; returns the number of files
 * written. `registered`: the transforms cryomargin made for cases without registration.tfm. Example: `exportCohortCases("data/cohort", ["S01"], {}, "export")` writes export/S01/margins.seg.nrrd, ….
 */
export function exportCohortCases(
  cohortDir: string,
  caseIds: readonly string[],
  options: CaseOptions,
  exportDir: string,
  onProgress?: (done: number, total: number, caseId: string) => void,
  registered?: ReadonlyMap<string, RegisteredTransform>,
): number {
  let files = 0;
  caseIds.forEach((caseId, index) => {
    const made = registered?.get(caseId);
    const caseFiles = cohortCaseFiles(cohortDir, caseId);
    const measured = measureCase(
      made ? { ...caseFiles, transform: made.tfm, preToPost: made.preToPost } : caseFiles,
      options,
      { keepInputs: true },
    );
    if (measured.inputs === undefined) throw new Error("measureCase kept no inputs");
    files += exportCase(
      join(exportDir, caseId),
      { ...measured.inputs, result: measured.result },
      `case ${caseId}`,
    ).length;
    onProgress?.(index + 1, caseIds.length, caseId);
  });
  return files;
}

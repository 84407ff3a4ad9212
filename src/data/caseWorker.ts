/**
 * Worker thread of the study loader: builds case pages' files (`caseFiles`: the margin engine with
 * per-voxel margins, the viewer's volumes) for the cases it is sent, so the cohort's cases are processed
 * on every core. workerData names the cohort and how the site names its cases; each message is one case.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { CaseRecord, MarginsJson, Mat4 } from "@cryomargin/analysis";
import type { SiteCaseRow } from "../components/study.js";
import { caseFiles, type StudyFile, siteNaming } from "./buildStudy.js";

/** What the pool sends once per worker. */
export interface CaseWorkerData {
  cohortDir: string;
  cases: Pick<CaseRecord, "caseId" | "patientId">[];
  siteIds: [string, string][];
  publish: boolean;
}

/** One case to build. */
export interface CaseWorkerTask {
  index: number;
  record: CaseRecord;
  row: SiteCaseRow;
  json: MarginsJson;
  /** The registration cryomargin made for a case without registration.tfm (pre → post RAS). */
  preToPost?: Mat4;
}

export type CaseWorkerResult = { index: number; files: StudyFile[] } | { index: number; error: string };

const data = workerData as CaseWorkerData;
const naming = siteNaming(data.cohortDir, data.cases, new Map(data.siteIds), data.publish);
parentPort?.on("message", (task: CaseWorkerTask) => {
  let result: CaseWorkerResult;
  try {
    result = {
      index: task.index,
      files: caseFiles(data.cohortDir, task.record, task.row, task.json, naming, task.preToPost),
    };
  } catch (error) {
    result = { index: task.index, error: (error as Error).message };
  }
  parentPort?.postMessage(result);
});

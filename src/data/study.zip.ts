/**
 * Data loader of the study report (Framework runs it with tsx at build time; output: study.zip, whose
 * members pages read as FileAttachment("…/data/study/<member>")):
 *
 *   study.json                    cohort, tables, figure specs, reproduction, per-case rows, explorer input
 *   cases/<id>.json               one case's numbers
 *   cases/<id>/*.nii.gz           the case viewer's volumes (pre/post images or masks, masks, margins)
 *   cases/<id>/mesh.bin.gz        the 3D view's meshes (caseMesh.ts)
 *   thumbnails.png, .json         every case's 3D surface as a tile of one sheet, sorted by MTM (Margins page)
 *
 * One process measures and analyses the cohort once (margins cached by content hash), exactly as
 * `cryomargin analyze` does: `analyzeCohortFolder` with the CLI's defaults. The cohort folder comes from
 * CRYOMARGIN_COHORT (default data/cohort), publish mode from CRYOMARGIN_PUBLISH (see siteEnv.ts). Without
 * a cohort folder the archive holds only study.json saying so, and the pages show that instead of numbers.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { gunzipSync } from "node:zlib";
import JSZip from "jszip";
import { decodeCaseMeshes } from "../components/caseMesh.js";
import type { CaseJson, StudyUnavailable } from "../components/study.js";
import { type StudyFile, siteAnalysis, siteNaming, studyJson } from "./buildStudy.js";
import type { CaseWorkerData, CaseWorkerResult, CaseWorkerTask } from "./caseWorker.js";
import { analyzeSiteCohort } from "./siteCohort.js";
import { cohortExists, isPublishMode, PROJECT_ROOT, siteCaseIds, siteCohortDir } from "./siteEnv.js";
import { thumbnailSheet } from "./thumbnails.js";

/** The archive's files for the cohort in the environment. */
async function studyFiles(): Promise<StudyFile[]> {
  const dir = siteCohortDir();
  const publish = isPublishMode();
  if (!cohortExists(dir)) {
    const shown = dir.startsWith(PROJECT_ROOT) ? dir.slice(PROJECT_ROOT.length) : publish ? "<cohort>" : dir;
    const unavailable: StudyUnavailable = {
      available: false,
      publish,
      reason: `no cohort folder with a clinical.csv at ${shown}: generate one with \`cryomargin synth --out data/cohort\` or set CRYOMARGIN_COHORT`,
    };
    const { png, ...layout } = thumbnailSheet([], 5);
    return [
      { path: "study.json", content: JSON.stringify(unavailable) },
      { path: "thumbnails.png", content: png },
      { path: "thumbnails.json", content: JSON.stringify(layout) },
    ];
  }
  const analysis = await analyzeSiteCohort(dir);
  const siteIds = siteCaseIds(
    analysis.cases.map((c) => c.caseId),
    publish,
  );
  const naming = siteNaming(dir, analysis.cases, siteIds, publish);
  const { results, cases, reproduction } = siteAnalysis(analysis, naming);
  const study = studyJson(analysis, results, cases, reproduction, naming);
  const tasks: CaseWorkerTask[] = analysis.cases.map((record, index) => {
    const json = analysis.margins.get(record.caseId);
    if (!json) throw new Error(`case ${naming.scrub(record.caseId)}: no measured margins`);
    // a case cryomargin registered (no registration.tfm) is shown through the transform it made
    return {
      index,
      record,
      row: study.cases[index],
      json,
      preToPost: analysis.registered.get(record.caseId)?.preToPost,
    };
  });
  const workerData: CaseWorkerData = {
    cohortDir: dir,
    cases: analysis.cases.map((c) => ({ caseId: c.caseId, patientId: c.patientId })),
    siteIds: [...siteIds],
    publish,
  };
  const perCase = await inWorkers(tasks, workerData);
  const sheet = thumbnailSheet(
    perCase.map((files) => {
      const json = files.find((f) => f.path.endsWith(".json"));
      const mesh = files.find((f) => f.path.endsWith("mesh.bin.gz"));
      if (!json || !mesh) throw new Error("a case's files lack its JSON or its mesh");
      const c = JSON.parse(json.content as string) as CaseJson;
      const bytes = gunzipSync(mesh.content as Uint8Array);
      return {
        siteId: c.siteId,
        mtmMm: c.margins.mtmMm,
        ltp: c.row.ltp,
        meshes: decodeCaseMeshes(
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        ),
        minimumVertex: c.mesh.minimumVertex,
      };
    }),
    study.settings.thresholdMm,
  );
  const { png, ...layout } = sheet;
  return [
    { path: "study.json", content: JSON.stringify(study) },
    { path: "thumbnails.png", content: png },
    { path: "thumbnails.json", content: JSON.stringify(layout) },
    ...perCase.flat(),
  ];
}

/**
 * Builds every case's files on worker threads (one per core, at most one per case): the margin engine
 * runs again per case for the per-voxel margins, ~0.3 s a case, so a 32-case cohort takes half the time
 * on two cores. Files come back in case order; a case that fails stops the build with its message.
 */
async function inWorkers(tasks: readonly CaseWorkerTask[], workerData: CaseWorkerData): Promise<StudyFile[][]> {
  const results: StudyFile[][] = new Array(tasks.length);
  const count = Math.min(availableParallelism(), tasks.length);
  if (count === 0) return results;
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let done = 0;
    const workers: Worker[] = [];
    const finish = (error?: Error) => {
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve();
    };
    for (let w = 0; w < count; w++) {
      const worker = new Worker(new URL("./caseWorkerBoot.mjs", import.meta.url), { workerData });
      workers.push(worker);
      const feed = () => {
        if (next < tasks.length) worker.postMessage(tasks[next++]);
      };
      worker.on("message", (r: CaseWorkerResult) => {
        if ("error" in r) return finish(new Error(r.error));
        results[r.index] = r.files;
        if (++done === tasks.length) finish();
        else feed();
      });
      worker.on("error", (error) => finish(error));
      feed();
    }
  });
  return results;
}

const zip = new JSZip();
// A fixed date keeps the archive's bytes the same from build to build.
const date = new Date("2024-01-01T00:00:00Z");
// Members that are compressed already (the gzipped volumes and meshes, the PNG sheet) are stored as they
// are: on data/cohort DEFLATE made them 0.3 % smaller for 0.3–0.4 s of CPU (the members are the same bytes).
const alreadyCompressed = /\.(gz|png)$/;
for (const f of await studyFiles())
  zip.file(f.path, f.content, {
    date,
    createFolders: false,
    compression: alreadyCompressed.test(f.path) ? "STORE" : "DEFLATE",
  });
process.stdout.write(await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", platform: "UNIX" }));

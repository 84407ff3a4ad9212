/**
 * Writing the synthetic cohort to a cohort folder, generating its cases in parallel worker threads.
 *
 * Folder (the cohort format; see the README):
 *   DIR/clinical.csv, DIR/cohort.json,
 *   DIR/cases/<case_id>/tumor.nii.gz, iceball.nii.gz, registration.tfm [, pre.nii.gz, post.nii.gz].
 *
 * The phases of analysis/src/synth/cohort.ts run as: plan (this thread) → prepare every case (workers)
 * → ice-ball volumes (this thread) → finish every case (workers, the same worker that prepared it) →
 * the mean ice-volume fix-up (one case again) → write. Every random draw depends only on the seed and the
 * case's position, so the files are byte-identical whatever the number of threads.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  assembleSyntheticCase,
  assembleSyntheticCohort,
  type CaseInProgress,
  type CohortPlan,
  feasibleIceballVolumes,
  finishSyntheticCase,
  iceballMeanFixup,
  planIceballVolumes,
  planSyntheticCohort,
  prepareSyntheticCase,
  type SyntheticCase,
  type SyntheticCohort,
  type SyntheticCohortOptions,
} from "@cryomargin/analysis";
import { writeFileAtomic } from "../io/files.js";
import { encodeNifti } from "../io/nifti.js";
import { formatItkTransform } from "../io/transform.js";

/** A message to a synth worker. */
export type SynthTask =
  | { kind: "plan"; plan: CohortPlan }
  | { kind: "prepare"; k: number }
  | { kind: "finish"; k: number; volumeMl: number; toleranceMl: number };

/** A synth worker's reply. */
export type SynthReply =
  | { kind: "prepared"; k: number; feasible: [number, number] }
  | { kind: "finished"; k: number; case: SyntheticCase }
  | { kind: "trace"; k: number; message: string };

/**
 * The worker side (also used in this thread when there are no workers): keeps its prepared cases
 * between the two phases.
 */
export class SynthCaseRunner {
  private plan: CohortPlan | null = null;
  private readonly prepared = new Map<number, CaseInProgress>();

  run(task: SynthTask, reply: (r: SynthReply) => void): void {
    if (task.kind === "plan") {
      this.plan = task.plan;
      return;
    }
    const plan = this.plan;
    if (!plan) throw new Error("synth worker: a task arrived before the plan");
    if (task.kind === "prepare") {
      const c = prepareSyntheticCase(plan, task.k);
      this.prepared.set(task.k, c);
      reply({ kind: "prepared", k: task.k, feasible: feasibleIceballVolumes(c) });
      return;
    }
    const c = this.prepared.get(task.k);
    if (!c) throw new Error(`synth worker: case ${task.k} was not prepared here`);
    const finished = finishSyntheticCase(c, task.volumeMl, {
      volumeTolMl: task.toleranceMl,
      trace: (message) => reply({ kind: "trace", k: task.k, message }),
    });
    reply({ kind: "finished", k: task.k, case: assembleSyntheticCase(plan, task.k, c, finished, task.volumeMl) });
  }
}

/** The compiled worker beside this module, or null when running from TypeScript sources (tests). */
function workerFile(): string | null {
  const path = fileURLToPath(new URL("./synthWorker.js", import.meta.url));
  return existsSync(path) ? path : null;
}

/** Sends tasks to workers (or the in-thread runner) and collects replies; case k always goes to the same runner. */
class RunnerPool {
  private readonly workers: Worker[] = [];
  private readonly local: SynthCaseRunner | null;
  private readonly pending = new Map<string, { resolve: (r: SynthReply) => void; reject: (e: Error) => void }>();

  constructor(
    threads: number,
    private readonly onTrace: (k: number, message: string) => void,
  ) {
    const file = workerFile();
    if (file === null || threads <= 0) {
      this.local = new SynthCaseRunner();
      return;
    }
    this.local = null;
    for (let w = 0; w < threads; w++) {
      const worker = new Worker(file);
      worker.on("message", (r: SynthReply) => this.receive(r));
      worker.on("error", (error) => {
        for (const { reject } of this.pending.values()) reject(error);
        this.pending.clear();
      });
      this.workers.push(worker);
    }
  }

  private receive(r: SynthReply): void {
    if (r.kind === "trace") {
      this.onTrace(r.k, r.message);
      return;
    }
    const key = `${r.kind}:${r.k}`;
    const waiter = this.pending.get(key);
    this.pending.delete(key);
    waiter?.resolve(r);
  }

  broadcast(task: SynthTask): void {
    if (this.local) this.local.run(task, () => {});
    else for (const w of this.workers) w.postMessage(task);
  }

  /** Runs a prepare/finish task for case k and resolves to its reply. */
  request(task: Extract<SynthTask, { k: number }>): Promise<SynthReply> {
    const key = `${task.kind === "prepare" ? "prepared" : "finished"}:${task.k}`;
    const local = this.local;
    if (local) {
      return new Promise((resolve) => {
        local.run(task, (r) => {
          if (r.kind === "trace") this.onTrace(r.k, r.message);
          else resolve(r);
        });
      });
    }
    return new Promise((resolve, reject) => {
      this.pending.set(key, { resolve, reject });
      this.workers[task.k % this.workers.length].postMessage(task);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

export interface SynthRunOptions extends SyntheticCohortOptions {
  /** Worker threads (default: the number of cores, at most the number of cases); 0 runs in this thread. */
  threads?: number;
}

/**
 * Generates the cohort with the phases spread over worker threads. Resolves to the same cohort as
 * `generateSyntheticCohort(options)` (byte for byte once written).
 */
export async function generateCohortInParallel(options: SynthRunOptions = {}): Promise<SyntheticCohort> {
  const plan = planSyntheticCohort(options);
  const progress = options.onProgress ?? (() => {});
  const threads = Math.min(options.threads ?? availableParallelism(), plan.n);
  const pool = new RunnerPool(threads, (k, message) => progress(`case ${k + 1}/${plan.n}: ${message}`));
  try {
    pool.broadcast({ kind: "plan", plan });
    const feasible = await Promise.all(
      plan.order.map(async (_, k) => {
        const r = await pool.request({ kind: "prepare", k });
        if (r.kind !== "prepared") throw new Error("synth: unexpected reply");
        progress(`case ${k + 1}/${plan.n}: tumor and probes ready`);
        return r.feasible;
      }),
    );
    const ice = planIceballVolumes(plan, feasible);
    const finish = async (k: number, volumeMl: number, toleranceMl: number) => {
      const r = await pool.request({ kind: "finish", k, volumeMl, toleranceMl });
      if (r.kind !== "finished") throw new Error("synth: unexpected reply");
      return r.case;
    };
    const cases = await Promise.all(plan.order.map((_, k) => finish(k, ice.volumeMl[k], ice.toleranceMl[k])));
    const fix = iceballMeanFixup(
      plan,
      ice.toleranceMl,
      cases.map((c) => c.check.iceballVolumeMl),
    );
    if (fix) cases[fix.k] = await finish(fix.k, fix.volumeMl, fix.toleranceMl);
    return assembleSyntheticCohort(plan, cases);
  } finally {
    await pool.close();
  }
}

/** The files of one case: relative path → bytes. */
export function caseFiles(c: SyntheticCase): [string, Uint8Array | string][] {
  const dir = join("cases", c.caseId);
  const files: [string, Uint8Array | string][] = [
    [join(dir, "tumor.nii.gz"), encodeNifti({ ...c.tumor, description: "tumor mask (synthetic)" }, { gzip: true })],
    [
      join(dir, "iceball.nii.gz"),
      encodeNifti({ ...c.iceball, description: "ice-ball mask (synthetic)" }, { gzip: true }),
    ],
    [join(dir, "registration.tfm"), formatItkTransform(c.preToPost)],
  ];
  if (c.images) {
    files.push([
      join(dir, "pre.nii.gz"),
      encodeNifti({ ...c.images.pre, description: "synthetic T2 pre-ablation" }, { gzip: true }),
    ]);
    files.push([
      join(dir, "post.nii.gz"),
      encodeNifti({ ...c.images.post, description: "synthetic T2 post-ablation" }, { gzip: true }),
    ]);
  }
  return files;
}

/** True when DIR holds a cohort.json that says it is synthetic (so stale generated cases may be removed). */
function isSyntheticFolder(dir: string): boolean {
  const path = join(dir, "cohort.json");
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { synthetic?: unknown }).synthetic === true;
  } catch {
    return false;
  }
}

/**
 * Writes the cohort folder (atomically per file). Case folders of an earlier synthetic run in DIR that
 * the new cohort does not have are removed (only when DIR's cohort.json says synthetic).
 */
export function writeSyntheticCohort(dir: string, cohort: SyntheticCohort): string[] {
  const written: string[] = [];
  const casesDir = join(dir, "cases");
  if (isSyntheticFolder(dir) && existsSync(casesDir)) {
    const keep = new Set(cohort.cases.map((c) => c.caseId));
    for (const name of readdirSync(casesDir))
      if (/^S\d+$/.test(name) && !keep.has(name)) rmSync(join(casesDir, name), { recursive: true });
  }
  for (const c of cohort.cases) {
    mkdirSync(join(casesDir, c.caseId), { recursive: true });
    for (const [relative, data] of caseFiles(c)) {
      writeFileAtomic(join(dir, relative), data);
      written.push(relative);
    }
  }
  writeFileAtomic(join(dir, "clinical.csv"), cohort.clinicalCsv);
  writeFileAtomic(join(dir, "cohort.json"), `${JSON.stringify(cohort.metadata, null, 2)}\n`);
  written.push("clinical.csv", "cohort.json");
  return written;
}

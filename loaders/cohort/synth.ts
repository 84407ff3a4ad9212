/**
 * Writing the synthetic cohort to a cohort folder, generating its cases in parallel worker threads.
 *
 * Folder (the cohort format; see the README):
 *   DIR/clinical.csv, DIR/cohort.json,
 *   DIR/cases/<case_id>/tumor.nii.gz, iceball.nii.gz, registration.tfm [, pre.nii.gz, post.nii.gz].
 *
 * The phases of analysis/src/synth/cohort.ts run as: plan (this thread) → prepare every case (workers)
 * → ice-ball volumes (this thread) → finish every case (workers, the same worker that prepared it;
 * written as soon as it is finished) → the mean ice-volume fix-up (one case again, rewritten) → the
 * tables. Every random draw depends only on the seed and the case's position, so the files are
 * byte-identical whatever the number of threads, and memory does not grow with the cohort.
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
  type Random,
  type SyntheticCase,
  type SyntheticCohort,
  type SyntheticCohortOptions,
  syntheticCaseId,
} from "@cryomargin/analysis";
import { writeFileAtomic } from "../io/files.js";
import { encodeNifti } from "../io/nifti.js";
import { formatItkTransform } from "../io/transform.js";

/** A message to a synth worker. */
export type SynthTask =
  | { kind: "plan"; plan: CohortPlan; keepPrepared: boolean }
  | { kind: "prepare"; k: number }
  | { kind: "finish"; k: number; volumeMl: number; toleranceMl: number };

/** A synth worker's reply. */
export type SynthReply =
  | { kind: "prepared"; k: number; feasible: [number, number] }
  | { kind: "finished"; k: number; case: SyntheticCase }
  | { kind: "trace"; k: number; message: string };

/** `rng`, counting its draws in `draws.count` (each of next() and int() takes one). */
function countedRandom(rng: Random, draws: { count: number }): Random {
  return {
    next: () => {
      draws.count++;
      return rng.next();
    },
    int: (n) => {
      draws.count++;
      return rng.int(n);
    },
  };
}

/**
 * The worker side (also used in this thread when there are no workers): keeps its prepared cases
 * between the two phases when the plan says so (a small cohort), else prepares a case again to finish
 * it (the same case: every draw depends on the seed and k only), so memory does not grow with the cohort.
 */
export class SynthCaseRunner {
  private plan: CohortPlan | null = null;
  private keepPrepared = true;
  private readonly prepared = new Map<number, CaseInProgress>();
  /** Re-prepared cases: how many random draws their stream had taken after the last finish. */
  private readonly drawsAfterPrepare = new Map<number, number>();

  run(task: SynthTask, reply: (r: SynthReply) => void): void {
    if (task.kind === "plan") {
      this.plan = task.plan;
      this.keepPrepared = task.keepPrepared;
      return;
    }
    const plan = this.plan;
    if (!plan) throw new Error("synth worker: a task arrived before the plan");
    if (task.kind === "prepare") {
      const c = prepareSyntheticCase(plan, task.k);
      if (this.keepPrepared) this.prepared.set(task.k, c);
      reply({ kind: "prepared", k: task.k, feasible: feasibleIceballVolumes(c) });
      return;
    }
    let c = this.prepared.get(task.k);
    let draws: { count: number } | undefined;
    if (!c) {
      if (this.keepPrepared) throw new Error(`synth worker: case ${task.k} was not prepared here`);
      // Prepared again, its random stream advanced past the draws an earlier finish of the case took (the
      // mean ice-volume fix-up finishes one case twice): the state a kept case would have.
      const again = prepareSyntheticCase(plan, task.k);
      draws = { count: 0 };
      const rng = countedRandom(again.rng, draws);
      for (let d = this.drawsAfterPrepare.get(task.k) ?? 0; d > 0; d--) rng.next();
      c = { ...again, rng };
    }
    const finished = finishSyntheticCase(c, task.volumeMl, {
      volumeTolMl: task.toleranceMl,
      trace: (message) => reply({ kind: "trace", k: task.k, message }),
    });
    const assembled = assembleSyntheticCase(plan, task.k, c, finished, task.volumeMl);
    if (draws) this.drawsAfterPrepare.set(task.k, draws.count);
    reply({ kind: "finished", k: task.k, case: assembled });
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
  /**
   * Up to this many cases, each worker keeps its prepared cases (a tumor mask of ≈ 3 MB each) between
   * the two phases; above it, a case is prepared again to be finished, so memory stays flat as the
   * cohort grows (≈ 1 prepare of extra work per case). Default KEEP_PREPARED_MAX_CASES.
   */
  keepPreparedMaxCases?: number;
  /**
   * Called as each case finishes a phase ("tumor": steps 1–2, prepared; "ice": finished and written),
   * with how many cases have finished that phase (for a progress bar).
   */
  onCaseDone?: (phase: "tumor" | "ice", done: number, total: number, caseId: string) => void;
}

/** Cohorts up to this size keep their prepared cases between the phases (see SynthRunOptions). */
export const KEEP_PREPARED_MAX_CASES = 64;

/**
 * Runs the phases over worker threads; each finished case (and the fixed-up one again) is handed to
 * `onCase`, whose return value is what the cohort keeps of it.
 */
async function runCohortInParallel(
  options: SynthRunOptions,
  onCase: (c: SyntheticCase) => SyntheticCase,
): Promise<SyntheticCohort> {
  const plan = planSyntheticCohort(options);
  const progress = options.onProgress ?? (() => {});
  const threads = Math.min(options.threads ?? availableParallelism(), plan.n);
  const keepPrepared = plan.n <= (options.keepPreparedMaxCases ?? KEEP_PREPARED_MAX_CASES);
  const pool = new RunnerPool(threads, (k, message) => progress(`case ${k + 1}/${plan.n}: ${message}`));
  try {
    pool.broadcast({ kind: "plan", plan, keepPrepared });
    let prepared = 0;
    let finished = 0;
    const feasible = await Promise.all(
      plan.order.map(async (_, k) => {
        const r = await pool.request({ kind: "prepare", k });
        if (r.kind !== "prepared") throw new Error("synth: unexpected reply");
        progress(`case ${k + 1}/${plan.n}: tumor and probes ready`);
        options.onCaseDone?.("tumor", ++prepared, plan.n, syntheticCaseId(k));
        return r.feasible;
      }),
    );
    const ice = planIceballVolumes(plan, feasible);
    const finish = async (k: number, volumeMl: number, toleranceMl: number) => {
      const r = await pool.request({ kind: "finish", k, volumeMl, toleranceMl });
      if (r.kind !== "finished") throw new Error("synth: unexpected reply");
      return { iceballVolumeMl: r.case.check.iceballVolumeMl, kept: onCase(r.case) };
    };
    const cases = await Promise.all(
      plan.order.map(async (_, k) => {
        const done = await finish(k, ice.volumeMl[k], ice.toleranceMl[k]);
        options.onCaseDone?.("ice", ++finished, plan.n, syntheticCaseId(k));
        return done;
      }),
    );
    const fix = iceballMeanFixup(
      plan,
      ice.toleranceMl,
      cases.map((c) => c.iceballVolumeMl),
    );
    if (fix) cases[fix.k] = await finish(fix.k, fix.volumeMl, fix.toleranceMl);
    return assembleSyntheticCohort(
      plan,
      cases.map((c) => c.kept),
    );
  } finally {
    await pool.close();
  }
}

/** What is left of a cohort written case by case: no volumes. */
export interface WrittenSyntheticCohort {
  metadata: SyntheticCohort["metadata"];
  clinicalCsv: string;
  /** Each case's id and the engine's check of it, in file order. */
  cases: Pick<SyntheticCase, "caseId" | "check">[];
  /** Paths written, relative to the folder. */
  written: string[];
}

/**
 * Generates the cohort over worker threads and writes it to `dir` as it goes: each case's files as soon
 * as the case is finished (its volumes are then dropped, so memory does not grow with the cohort), then
 * clinical.csv and cohort.json. The same bytes as `generateSyntheticCohort(options)` written by `caseFiles` (test/synth-determinism.test.ts).
 * Case folders of an earlier synthetic run in `dir` that this cohort does not have are removed (only
 * when `dir`'s cohort.json says synthetic).
 */
export async function writeSyntheticCohortInParallel(
  dir: string,
  options: SynthRunOptions = {},
): Promise<WrittenSyntheticCohort> {
  const written = new Set<string>();
  const stale = isSyntheticFolder(dir) ? existingCaseFolders(dir) : new Set<string>();
  const cohort = await runCohortInParallel(options, (c) => {
    for (const relative of writeCaseFiles(dir, c)) written.add(relative);
    stale.delete(c.caseId);
    // Only the design and the check enter clinical.csv and the metadata: the volumes go.
    const { images: _images, ...rest } = c;
    return { ...rest, tumor: withoutVoxels(c.tumor), iceball: withoutVoxels(c.iceball) };
  });
  for (const name of stale) rmSync(join(dir, "cases", name), { recursive: true });
  writeCohortTables(dir, cohort);
  written.add("clinical.csv").add("cohort.json");
  return {
    metadata: cohort.metadata,
    clinicalCsv: cohort.clinicalCsv,
    cases: cohort.cases.map((c) => ({ caseId: c.caseId, check: c.check })),
    written: [...written],
  };
}

/** A mask's header without its voxels (what a written case keeps). */
function withoutVoxels(mask: SyntheticCase["tumor"]): SyntheticCase["tumor"] {
  return { ...mask, data: new Uint8Array(0) };
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
      encodeNifti(
        { ...c.images.post, description: `synthetic ${c.images.postContrast.toUpperCase()} post-ablation` },
        { gzip: true },
      ),
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

/** The generated case folders (S01, S02, …) under DIR/cases. */
function existingCaseFolders(dir: string): Set<string> {
  const casesDir = join(dir, "cases");
  return new Set(existsSync(casesDir) ? readdirSync(casesDir).filter((name) => /^S\d+$/.test(name)) : []);
}

/** Writes one case's files (atomically each); returns their paths relative to `dir`. */
function writeCaseFiles(dir: string, c: SyntheticCase): string[] {
  mkdirSync(join(dir, "cases", c.caseId), { recursive: true });
  return caseFiles(c).map(([relative, data]) => {
    writeFileAtomic(join(dir, relative), data);
    return relative;
  });
}

/** clinical.csv and cohort.json. */
function writeCohortTables(dir: string, cohort: Pick<SyntheticCohort, "clinicalCsv" | "metadata">): void {
  writeFileAtomic(join(dir, "clinical.csv"), cohort.clinicalCsv);
  writeFileAtomic(join(dir, "cohort.json"), `${JSON.stringify(cohort.metadata, null, 2)}\n`);
}

/**
 * Running elastix from the main thread: a small pool of worker threads (loaders/register/elastixWorker.ts),
 * images handed over as float32 volumes in ITK's LPS terms, the result read back as a RAS pre → post
 * Mat4 (analysis/src/register/elastixInterface.ts, shared with the browser's runner).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  type ElastixParameterMap,
  ElastixRunError,
  type ElastixRunResult,
  elastixPipelineCall,
  eulerParameters,
  eulerTransformToMat4,
  type FloatVolume,
} from "@cryomargin/analysis";
import { projectPath } from "../projectRoot.js";
import type { ElastixReply, ElastixRequest } from "./elastixTypes.js";

/** The compiled worker: beside this module when compiled, under build/ when running from sources. */
function workerFile(): string {
  const beside = fileURLToPath(new URL("./elastixWorker.js", import.meta.url));
  if (existsSync(beside)) return beside;
  const built = projectPath("build", "loaders", "register", "elastixWorker.js");
  if (existsSync(built)) return built;
  throw new Error("the elastix worker is not compiled: run `npx tsc -b loaders` (npm ci does)");
}

/** Worker threads running elastix, one registration each at a time. */
export class ElastixPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private nextId = 0;

  constructor(threads: number) {
    const file = workerFile();
    for (let t = 0; t < Math.max(1, threads); t++) {
      const worker = new Worker(file, { stdout: true, stderr: true });
      // Anything a worker prints is dropped: the CLI's stdout carries only its own output.
      worker.stdout.resume();
      worker.stderr.resume();
      this.all.push(worker);
      this.idle.push(worker);
    }
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    if (w) return Promise.resolve(w);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  /** Registers `moving` to `fixed` with the given parameter maps. */
  async run(parameterMaps: ElastixParameterMap[], fixed: FloatVolume, moving: FloatVolume): Promise<ElastixRunResult> {
    const worker = await this.acquire();
    try {
      const request: ElastixRequest = {
        id: this.nextId++,
        call: elastixPipelineCall(parameterMaps, fixed, moving),
      };
      const reply = await new Promise<ElastixReply>((resolve, reject) => {
        const onMessage = (r: ElastixReply) => {
          if (r.id !== request.id) return;
          worker.off("message", onMessage);
          worker.off("error", onError);
          resolve(r);
        };
        const onError = (e: Error) => {
          worker.off("message", onMessage);
          reject(e);
        };
        worker.on("message", onMessage);
        worker.once("error", onError);
        worker.postMessage(request);
      });
      if ("error" in reply) throw new ElastixRunError(reply.error, reply.log);
      const euler = eulerParameters(reply.transforms);
      if (!euler) throw new ElastixRunError("elastix returned no Euler3D transform", reply.log);
      return { fixedToMoving: eulerTransformToMat4(euler.parameters, euler.fixedParameters), seconds: reply.seconds };
    } finally {
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}

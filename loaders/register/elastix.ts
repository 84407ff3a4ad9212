/**
 * Running elastix from the main thread: a small pool of worker threads (loaders/register/elastixWorker.ts),
 * images handed over as float32 volumes in ITK's LPS terms, the result read back as a RAS pre → post
 * Mat4 through the project's ITK transform reader (loaders/io/transform.ts), with elastix's final
 * metric value and iteration count taken from its log.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Mat4 } from "@cryomargin/analysis";
import { parseItkTransform } from "../io/transform.js";
import { projectPath } from "../projectRoot.js";
import type { ElastixParameterMap, ElastixReply, ElastixRequest, ItkVolume } from "./elastixTypes.js";

/** A float32 volume on a grid in the project's terms (RAS voxel-to-world). */
export interface FloatVolume {
  dims: [number, number, number];
  voxelToWorld: Mat4;
  data: Float32Array;
}

/** What one elastix run gave. */
export interface ElastixResult {
  /** Fixed world → moving world, RAS mm. */
  fixedToMoving: Mat4;
  /**
   * Iterations summed over the resolutions: adaptive stochastic gradient descent runs the map's
   * MaximumNumberOfIterations at every resolution (it has no stopping rule of its own).
   */
  iterations: number;
  /** Wall time of the wasm run, s. */
  seconds: number;
}

/** The ITK view of a RAS volume: world LPS = diag(−1, −1, 1)·RAS, so rows 0–1 of voxel-to-world flip sign. */
export function itkVolume(volume: FloatVolume): ItkVolume {
  const m = volume.voxelToWorld;
  const spacing = [0, 1, 2].map((c) => Math.hypot(m[c], m[4 + c], m[8 + c])) as [number, number, number];
  const direction: number[] = [];
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) direction.push(((r < 2 ? -1 : 1) * m[4 * r + c]) / spacing[c] + 0);
  return {
    dims: [...volume.dims],
    originLps: [-m[3] + 0, -m[7] + 0, m[11]],
    spacingMm: spacing,
    directionLps: direction,
    data: volume.data,
  };
}

/** The compiled worker: beside this module when compiled, under build/ when running from sources. */
function workerFile(): string {
  const beside = fileURLToPath(new URL("./elastixWorker.js", import.meta.url));
  if (existsSync(beside)) return beside;
  const built = projectPath("build", "loaders", "register", "elastixWorker.js");
  if (existsSync(built)) return built;
  throw new Error("the elastix worker is not compiled: run `npx tsc -b loaders` (npm ci does)");
}

/** An elastix run failed inside elastix (bad parameters, images that do not overlap, …). */
export class ElastixRunError extends Error {
  override name = "ElastixRunError";
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
  }
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
  async run(parameterMaps: ElastixParameterMap[], fixed: FloatVolume, moving: FloatVolume): Promise<ElastixResult> {
    const worker = await this.acquire();
    try {
      const request: ElastixRequest = {
        id: this.nextId++,
        parameterMaps,
        fixed: itkVolume(fixed),
        moving: itkVolume(moving),
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
      const text = [
        "#Insight Transform File V1.0",
        "Transform: Euler3DTransform_double_3_3",
        `Parameters: ${reply.parameters.join(" ")}`,
        `FixedParameters: ${reply.fixedParameters.join(" ")}`,
        "",
      ].join("\n");
      return {
        fixedToMoving: parseItkTransform(text, "elastix"),
        iterations: parameterMaps.reduce(
          (sum, map) =>
            sum + Number(map.MaximumNumberOfIterations?.[0] ?? 0) * Number(map.NumberOfResolutions?.[0] ?? 1),
          0,
        ),
        seconds: reply.seconds,
      };
    } finally {
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}

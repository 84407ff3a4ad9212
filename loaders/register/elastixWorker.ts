/**
 * Worker thread that runs elastix (elastix 5.2 compiled to WebAssembly, `@itk-wasm/elastix`). The
 * wasm runs synchronously for seconds, so it never runs on the CLI's own thread; elastix's log is
 * captured by itk-wasm and anything printed in this worker is dropped, so the CLI's JSON output stays
 * clean. One message = one registration (the pipeline call, made by the caller: elastixPipelineCall); the reply
 * carries elastix's transform list (ITK LPS, fixed → moving). elastix's wasm build writes no log (no metric value, no iteration table).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parentPort } from "node:worker_threads";
import type { ItkWasmTransform } from "@cryomargin/analysis";
import type { ElastixReply, ElastixRequest } from "./elastixTypes.js";

// elastix and itk-wasm may print through console/stdout; nothing of theirs may reach the CLI's stdout.
process.stdout.write = (() => true) as typeof process.stdout.write;
console.log = () => {};
console.info = () => {};

async function run(request: ElastixRequest): Promise<ElastixReply> {
  const itk = await import("itk-wasm");
  const elastixEntry = fileURLToPath(import.meta.resolve("@itk-wasm/elastix"));
  const pipeline = join(dirname(elastixEntry), "pipelines", "elastix");
  const { args, inputs, outputs } = request.call;
  const started = performance.now();
  const result = await itk.runPipelineNode(pipeline, args, outputs as never, inputs as never);
  const seconds = (performance.now() - started) / 1000;
  if (result.returnValue !== 0)
    return {
      id: request.id,
      error: result.stderr.trim() || `elastix exited with ${result.returnValue}`,
      log: result.stdout,
    };
  const transforms = (result.outputs[1]?.data ?? []) as ItkWasmTransform[];
  return { id: request.id, transforms, log: result.stdout, seconds };
}

parentPort?.on("message", (request: ElastixRequest) => {
  run(request).then(
    (reply) => parentPort?.postMessage(reply),
    (error: unknown) =>
      parentPort?.postMessage({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
        log: "",
      }),
  );
});

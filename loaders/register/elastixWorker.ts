/**
 * Worker thread that runs elastix (elastix 5.2 compiled to WebAssembly, `@itk-wasm/elastix`). The
 * wasm runs synchronously for seconds, so it never runs on the CLI's own thread; elastix's log is
 * captured by itk-wasm and anything printed in this worker is dropped, so the CLI's JSON output stays
 * clean. One message = one registration; the reply carries the Euler3D parameters (ITK LPS,
 * fixed → moving). elastix's wasm build writes no log (no metric value, no iteration table).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parentPort } from "node:worker_threads";
import type { ElastixReply, ElastixRequest, ItkVolume } from "./elastixTypes.js";

// elastix and itk-wasm may print through console/stdout; nothing of theirs may reach the CLI's stdout.
process.stdout.write = (() => true) as typeof process.stdout.write;
console.log = () => {};
console.info = () => {};

/** The itk-wasm image of a volume: LPS world, direction row-major (itk-wasm's setMatrixElement). */
function itkImage(volume: ItkVolume) {
  return {
    imageType: { dimension: 3, componentType: "float32", pixelType: "Scalar", components: 1 },
    name: "image",
    origin: volume.originLps,
    spacing: volume.spacingMm,
    direction: Float64Array.from(volume.directionLps),
    size: volume.dims,
    metadata: new Map(),
    data: volume.data,
  };
}

async function run(request: ElastixRequest): Promise<ElastixReply> {
  const itk = await import("itk-wasm");
  const elastixEntry = fileURLToPath(import.meta.resolve("@itk-wasm/elastix"));
  const pipeline = join(dirname(elastixEntry), "pipelines", "elastix");
  const { InterfaceTypes, runPipelineNode } = itk;
  const inputs = [
    { type: InterfaceTypes.JsonCompatible, data: request.parameterMaps },
    { type: InterfaceTypes.Image, data: itkImage(request.fixed) },
    { type: InterfaceTypes.Image, data: itkImage(request.moving) },
  ];
  const outputs = [
    { type: InterfaceTypes.Image },
    { type: InterfaceTypes.TransformList },
    { type: InterfaceTypes.JsonCompatible },
  ];
  const args = ["0", "0", "1", "2", "--memory-io", "--fixed", "1", "--moving", "2"];
  const started = performance.now();
  const result = await runPipelineNode(pipeline, args, outputs as never, inputs as never);
  const seconds = (performance.now() - started) / 1000;
  if (result.returnValue !== 0)
    return {
      id: request.id,
      error: result.stderr.trim() || `elastix exited with ${result.returnValue}`,
      log: result.stdout,
    };
  const transforms = (result.outputs[1]?.data ?? []) as {
    transformType: { transformParameterization: string };
    parameters: ArrayLike<number>;
    fixedParameters: ArrayLike<number>;
  }[];
  const euler = transforms.find((t) => t.transformType.transformParameterization === "Euler3D");
  if (!euler) return { id: request.id, error: "elastix returned no Euler3D transform", log: result.stdout };
  return {
    id: request.id,
    parameters: Array.from(euler.parameters),
    fixedParameters: Array.from(euler.fixedParameters),
    log: result.stdout,
    seconds,
  };
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

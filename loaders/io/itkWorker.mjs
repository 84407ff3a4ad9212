/**
 * The worker thread behind loaders/io/itk.ts: runs @itk-wasm/image-io, @itk-wasm/dicom and
 * @itk-wasm/morphological-contour-interpolation calls (which
 * load WebAssembly, print to stdout and block) off the caller's thread. Plain JavaScript so the same file
 * serves the compiled command and the TypeScript sources under vitest.
 *
 * Protocol: a request { op, args } arrives on `port`; the reply { ok, value } or { ok: false, error } is
 * posted back with its voxel buffers transferred, then `signal[0]` is set to 1 and notified, so the
 * caller, blocked in Atomics.wait, takes the reply with receiveMessageOnPort. Every failure (a C++ error
 * is a bare number, a JavaScript exception otherwise) becomes a reply: the caller is never left waiting.
 */
import { workerData } from "node:worker_threads";

const { port, signal } = workerData;

// The libraries print progress to stdout/stderr; the command's output must stay clean JSON.
process.stdout.write = () => true;
process.stderr.write = () => true;
for (const method of ["log", "info", "warn", "error", "debug"]) console[method] = () => {};

// A pipeline that aborts may end this thread (process.exit): tell the waiting caller (flag 2).
process.on("exit", () => {
  Atomics.store(signal, 0, 2);
  Atomics.notify(signal, 0);
});

/** @type {Promise<typeof import("@itk-wasm/image-io")> | undefined} */
let imageIo;
/** @type {Promise<typeof import("@itk-wasm/dicom")> | undefined} */
let dicom;
/** @type {Promise<typeof import("@itk-wasm/morphological-contour-interpolation")> | undefined} */
let contours;

/** An itk-wasm Image as plain fields; its voxel buffer is transferred, not copied. */
function plainImage(image) {
  return {
    size: [...image.size],
    spacing: [...image.spacing],
    origin: [...image.origin],
    direction: Array.from(image.direction),
    componentType: image.imageType.componentType,
    components: image.imageType.components,
    data: image.data,
    metadata: image.metadata instanceof Map ? [...image.metadata.entries()] : Object.entries(image.metadata ?? {}),
  };
}

/** The itk-wasm Image of plain fields (the inverse of plainImage). */
function itkImageOf(image) {
  return {
    imageType: {
      dimension: image.size.length,
      componentType: image.componentType,
      pixelType: "Scalar",
      components: image.components ?? 1,
    },
    name: "image",
    origin: image.origin,
    spacing: image.spacing,
    direction: Float64Array.from(image.direction),
    size: image.size,
    metadata: new Map(image.metadata ?? []),
    data: image.data,
  };
}

const ops = {
  async readImage(path) {
    imageIo ??= import("@itk-wasm/image-io");
    const { readImageNode } = await imageIo;
    return plainImage(await readImageNode(path));
  },
  async writeImage(image, path) {
    imageIo ??= import("@itk-wasm/image-io");
    const { writeImageNode } = await imageIo;
    await writeImageNode(itkImageOf(image), path);
    return true;
  },
  async interpolateContours(image, options) {
    contours ??= import("@itk-wasm/morphological-contour-interpolation");
    const { morphologicalContourInterpolationNode } = await contours;
    const { outputImage } = await morphologicalContourInterpolationNode(itkImageOf(image), options);
    return plainImage(outputImage);
  },
  async readDicomSeries(paths) {
    dicom ??= import("@itk-wasm/dicom");
    const { readImageDicomFileSeriesNode } = await dicom;
    const { outputImage, sortedFilenames } = await readImageDicomFileSeriesNode({
      inputImages: paths,
      singleSortedSeries: true,
    });
    return { image: plainImage(outputImage), sortedFilenames };
  },
  async readSegmentation(path) {
    dicom ??= import("@itk-wasm/dicom");
    const { readSegmentationNode } = await dicom;
    const { segImage, metaInfo } = await readSegmentationNode(path);
    return { image: plainImage(segImage), metaInfo };
  },
  async writeSegmentation(image, metaInfo, path, refDicomSeries) {
    dicom ??= import("@itk-wasm/dicom");
    const { writeSegmentationNode } = await dicom;
    await writeSegmentationNode(itkImageOf(image), metaInfo, path, { refDicomSeries, skipEmptySlices: true });
    return true;
  },
};

function errorText(error) {
  if (error instanceof Error) return error.message;
  // a C++ exception reaches JavaScript as a bare number (a pointer): say what it almost always means
  if (typeof error === "number") return "malformed or truncated: ITK stopped with a C++ exception";
  return String(error);
}

port.on("message", async ({ op, args }) => {
  let reply;
  const transfer = [];
  try {
    const value = await ops[op](...args);
    const image = value?.image ?? (value?.data ? value : undefined);
    if (image?.data?.buffer) transfer.push(image.data.buffer);
    reply = { ok: true, value };
  } catch (error) {
    reply = { ok: false, error: errorText(error) };
  }
  try {
    port.postMessage(reply, transfer);
  } catch {
    // a buffer that cannot be transferred (a view into shared or wasm memory) is copied instead
    port.postMessage(reply);
  }
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});

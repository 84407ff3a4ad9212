/**
 * What the registration exchanges with elastix (elastix 5.2 compiled to WebAssembly, `@itk-wasm/elastix`),
 * independent of where elastix runs: a Node worker thread (loaders/register/elastixWorker.ts) or a
 * browser Web Worker (src/components/registrationWorker.ts). Pure: no itk-wasm import, no I/O.
 *
 * - Images go to elastix in ITK's terms: world LPS = diag(−1, −1, 1)·RAS, so rows 0–1 of the RAS
 *   voxel-to-world matrix flip sign; spacing = column lengths; direction = columns / spacing, row-major
 *   (itk-wasm's `Image.direction`).
 * - elastix's result (an Euler3DTransform: θx, θy, θz, t in LPS, fixed → moving, about the centre in
 *   its fixed parameters) comes back as the project's RAS pre → post Mat4 through the ITK text
 *   transform parser (transformText.ts), so a registration made anywhere reads like a `.tfm` file.
 */
import type { Mat4 } from "../margin/types.js";
import { parseItkTransform } from "./transformText.js";

/** An elastix parameter map: every value a list of strings, as elastix's parameter files hold them. */
export type ElastixParameterMap = Record<string, string[]>;

/** A float32 volume on a grid in the project's terms (RAS voxel-to-world). Voxel (i, j, k) at i + nx·(j + ny·k). */
export interface FloatVolume {
  dims: [number, number, number];
  voxelToWorld: Mat4;
  data: Float32Array;
}

/** A float32 volume in ITK's terms: LPS origin, spacing, row-major direction cosines. */
export interface ItkVolume {
  dims: [number, number, number];
  originLps: [number, number, number];
  spacingMm: [number, number, number];
  directionLps: number[];
  data: Float32Array;
}

/** What one elastix run gave, in the project's terms. */
export interface ElastixRunResult {
  /** Fixed world → moving world, RAS mm. */
  fixedToMoving: Mat4;
  /** Wall time of the wasm run, s. */
  seconds: number;
}

/**
 * Runs elastix once: registers `moving` to `fixed` with `parameterMaps` and resolves to the transform.
 * The registration strategy (stagedRegistration.ts) is written against this, so the command line and the
 * browser run one strategy with their own elastix runner. A runner may run several calls at once.
 */
export type RunElastix = (
  parameterMaps: ElastixParameterMap[],
  fixed: FloatVolume,
  moving: FloatVolume,
) => Promise<ElastixRunResult>;

/** An elastix run failed inside elastix (bad parameters, images that do not overlap, …); `log` is its output. */
export class ElastixRunError extends Error {
  override name = "ElastixRunError";
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
  }
}

/** elastix's default rigid map (Mattes MI, 3 resolutions, ASGD, 2048 random samples), as elastix 5.2 gives it, without the result image. */
export function defaultRigidParameterMap(): ElastixParameterMap {
  return {
    AutomaticParameterEstimation: ["true"],
    AutomaticScalesEstimation: ["true"],
    CheckNumberOfSamples: ["true"],
    DefaultPixelValue: ["0"],
    FinalBSplineInterpolationOrder: ["3"],
    FixedImagePyramid: ["FixedSmoothingImagePyramid"],
    ImageSampler: ["RandomCoordinate"],
    Interpolator: ["LinearInterpolator"],
    MaximumNumberOfIterations: ["256"],
    MaximumNumberOfSamplingAttempts: ["8"],
    Metric: ["AdvancedMattesMutualInformation"],
    MovingImagePyramid: ["MovingSmoothingImagePyramid"],
    NewSamplesEveryIteration: ["true"],
    NumberOfResolutions: ["3"],
    NumberOfSamplesForExactGradient: ["4096"],
    NumberOfSpatialSamples: ["2048"],
    Optimizer: ["AdaptiveStochasticGradientDescent"],
    Registration: ["MultiResolutionRegistration"],
    ResampleInterpolator: ["FinalBSplineInterpolator"],
    Resampler: ["DefaultResampler"],
    ResultImageFormat: ["nii"],
    Transform: ["EulerTransform"],
    WriteIterationInfo: ["false"],
    WriteResultImage: ["false"],
  };
}

/**
 * Iterations of a run with these maps, summed over the resolutions: adaptive stochastic gradient
 * descent runs the map's MaximumNumberOfIterations at every resolution (it has no stopping rule of its own).
 */
export function elastixIterations(parameterMaps: readonly ElastixParameterMap[]): number {
  return parameterMaps.reduce(
    (sum, map) => sum + Number(map.MaximumNumberOfIterations?.[0] ?? 0) * Number(map.NumberOfResolutions?.[0] ?? 1),
    0,
  );
}

/** The ITK view of a RAS volume (see the module comment). */
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

/** itk-wasm's `Image` (the fields elastix's pipeline reads), 3-D float32 scalar. */
export interface ItkWasmImage {
  imageType: { dimension: number; componentType: string; pixelType: string; components: number };
  name: string;
  origin: number[];
  spacing: number[];
  direction: Float64Array;
  size: number[];
  metadata: Map<string, unknown>;
  data: Float32Array;
}

/** The itk-wasm `Image` of an ITK volume, as elastix's pipeline takes it (structured-cloneable, for a worker). */
export function itkWasmImage(volume: ItkVolume): ItkWasmImage {
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

/**
 * One elastix run as itk-wasm's pipeline takes it (`runPipeline` in a browser, `runPipelineNode` in Node,
 * pipeline "elastix"): inputs [parameter maps (JSON), fixed image, moving image], outputs [result image,
 * transform list, transform parameter object], and the arguments naming them by index. Output 1, the
 * transform list, is what `eulerParameters` reads. Structured-cloneable, for a worker.
 */
export interface ElastixPipelineCall {
  args: string[];
  inputs: { type: "JsonCompatible" | "Image"; data: unknown }[];
  outputs: { type: "Image" | "TransformList" | "JsonCompatible" }[];
}

/** The pipeline call registering `moving` to `fixed` with `parameterMaps` (itk-wasm's InterfaceTypes are these strings). */
export function elastixPipelineCall(
  parameterMaps: ElastixParameterMap[],
  fixed: FloatVolume,
  moving: FloatVolume,
): ElastixPipelineCall {
  return {
    args: ["0", "0", "1", "2", "--memory-io", "--fixed", "1", "--moving", "2"],
    inputs: [
      { type: "JsonCompatible", data: parameterMaps },
      { type: "Image", data: itkWasmImage(itkVolume(fixed)) },
      { type: "Image", data: itkWasmImage(itkVolume(moving)) },
    ],
    outputs: [{ type: "Image" }, { type: "TransformList" }, { type: "JsonCompatible" }],
  };
}

/** One transform of itk-wasm's TransformList output. */
export interface ItkWasmTransform {
  transformType: { transformParameterization: string };
  parameters: ArrayLike<number>;
  fixedParameters: ArrayLike<number>;
}

/** The Euler3D transform's parameters from elastix's transform list, or null when it holds none. */
export function eulerParameters(
  transforms: readonly ItkWasmTransform[],
): { parameters: number[]; fixedParameters: number[] } | null {
  const euler = transforms.find((t) => t.transformType.transformParameterization === "Euler3D");
  return euler
    ? { parameters: Array.from(euler.parameters), fixedParameters: Array.from(euler.fixedParameters) }
    : null;
}

/**
 * elastix's Euler3DTransform (parameters θx, θy, θz, tx, ty, tz in LPS; fixed parameters = the centre
 * of rotation in LPS and ComputeZYX) → RAS fixed → moving Mat4, read as the ITK text file it would be.
 */
export function eulerTransformToMat4(parameters: readonly number[], fixedParameters: readonly number[]): Mat4 {
  const text = [
    "#Insight Transform File V1.0",
    "Transform: Euler3DTransform_double_3_3",
    `Parameters: ${parameters.join(" ")}`,
    `FixedParameters: ${fixedParameters.join(" ")}`,
    "",
  ].join("\n");
  return parseItkTransform(text, "elastix");
}

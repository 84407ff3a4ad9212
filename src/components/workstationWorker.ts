/**
 * The margin workstation's computations in a Web Worker, so the page stays responsive while they run
 * (each takes 0.1–1 s): the tumor from the drawing (planTumorInterpolation → morphological contour
 * interpolation, the command line's ITK pipeline with its options, run by itk-wasm from the site's own
 * files (itkBrowser.ts) in a worker of its own → finishTumorSegmentation), the ice ball from a seed (segmentIceball), and the margins with the 3D
 * view's meshes (measureMargins with surface margins → marginsJson, caseMeshes). The page starts it as a
 * module worker (`new Worker(import.meta.resolve("./workstationWorker.js"), { type: "module" })`, which
 * Framework rewrites to the built module) and sends one request at a time per kind; each answer carries
 * the request's id and the milliseconds the computation took here.
 */
import {
  CONTOUR_INTERPOLATION_OPTIONS,
  contourInterpolationInput,
  contourInterpolationOutput,
  finishTumorSegmentation,
  type MarginsJson,
  type MaskVolume,
  type Mat4,
  marginSurfaces,
  marginsJson,
  marginUncertainty,
  marginUncertaintyJson,
  measureMargins,
  planTumorInterpolation,
  type ScalarVolume,
  segmentIceball,
  type TumorSegmentation,
  type Vec3,
  voxelSpacingMm,
} from "@cryomargin/analysis";
import { type CaseMeshes, caseMeshes } from "./caseMesh.js";
import { morphologicalContourInterpolation } from "./itkBrowser.js";

/** What the page asks. */
export type WorkstationRequest =
  | { kind: "tumor"; image: ScalarVolume; scribbles: Uint8Array }
  | { kind: "iceball"; image: ScalarVolume; seedRas: Vec3 }
  | {
      kind: "margins";
      tumor: MaskVolume;
      iceball: MaskVolume;
      preToPost: Mat4;
      thresholdMm: number;
      /** Also the MTM's interval under registration error, as `margins --uncertainty` with its defaults. */
      uncertainty: boolean;
      /** The SDs of a registration's own error estimate, in place of the defaults' (`--registration-error`). */
      registrationSd?: { rotationSdDeg: number; translationSdMm: number };
    };

/** `margins --uncertainty`'s defaults: 200 draws, 1° and 1 mm SD per axis (loaders/cli/args.ts). */
export const UNCERTAINTY_DEFAULTS = { samples: 200, rotationSdDeg: 1, translationSdMm: 1 } as const;

/** The margins and what the 3D view shows. */
export interface WorkstationMargins {
  json: MarginsJson;
  meshes: CaseMeshes;
  minimumVertex: number;
  centroidRas: Vec3;
}

/** What the worker answers to each kind. */
export interface WorkstationAnswers {
  tumor: { mask: Uint8Array; report: TumorSegmentation["report"] };
  iceball: { mask: Uint8Array; report: ReturnType<typeof segmentIceball>["report"] };
  margins: WorkstationMargins;
}

/** A message to the page: the answer, or the error's message (the analysis package's typed errors say what is wrong). */
export type WorkstationReply =
  | { id: number; ok: true; value: WorkstationAnswers[keyof WorkstationAnswers]; computeMs: number }
  | { id: number; ok: false; message: string };

/**
 * Morphological contour interpolation of `labels` along grid axis `axis`, as `cryomargin segment tumor`
 * does it (loaders/segment/contourInterpolation.ts): the same input image, options and reading of the answer.
 */
async function interpolateContours(
  labels: Uint8Array,
  dims: [number, number, number],
  spacingMm: readonly [number, number, number],
  axis: number,
): Promise<Uint8Array> {
  const input = contourInterpolationInput(labels, dims, spacingMm, axis);
  const { outputImage } = await morphologicalContourInterpolation(
    {
      imageType: { dimension: 3, componentType: "uint8", pixelType: "Scalar", components: 1 },
      name: "outlines",
      origin: input.origin,
      spacing: input.spacing,
      direction: Float64Array.from(input.direction),
      size: input.size,
      metadata: new Map(),
      data: input.data,
    },
    { ...CONTOUR_INTERPOLATION_OPTIONS },
  );
  return contourInterpolationOutput(outputImage.data as Uint8Array, dims, axis);
}

/** Runs one request. */
export async function answer(request: WorkstationRequest): Promise<WorkstationAnswers[keyof WorkstationAnswers]> {
  switch (request.kind) {
    case "tumor": {
      const { image, scribbles } = request;
      const plan = planTumorInterpolation(image, {
        dims: image.dims,
        voxelToWorld: image.voxelToWorld,
        data: scribbles,
      });
      const spacing = voxelSpacingMm(image.voxelToWorld);
      const interpolations: Uint8Array[] = [];
      for (const job of plan.jobs)
        interpolations.push(await interpolateContours(job.labels, image.dims, spacing, job.axis));
      const { mask, report } = finishTumorSegmentation(image, plan, interpolations);
      return { mask, report };
    }
    case "iceball":
      return segmentIceball(request.image, [request.seedRas]);
    case "margins": {
      const { tumor, iceball, preToPost, thresholdMm } = request;
      // Built once for the margins and the uncertainty's draws.
      const surfaces = marginSurfaces(tumor, iceball);
      const result = measureMargins(tumor, iceball, preToPost, { thresholdMm, surfaceMargins: true, surfaces });
      if (result.fractionOutsideFieldOfView >= 1)
        throw new Error(
          "the tumor maps wholly outside the post-ablation scan through the registration, so whether the ice ball covers it cannot be known; check the transform and its direction (invert it)",
        );
      const json = marginsJson(result, result.warnings);
      if (request.uncertainty)
        json.uncertainty = marginUncertaintyJson(
          marginUncertainty(tumor, iceball, preToPost, {
            thresholdMm,
            ...UNCERTAINTY_DEFAULTS,
            ...request.registrationSd,
            surfaces,
          }),
        );
      const meshes = caseMeshes(tumor, iceball, preToPost, result);
      const { tumor: t, ice } = meshes.encoded;
      return {
        json,
        meshes: {
          tumor: {
            positionsMm: Float32Array.from(t.positionsMm),
            marginsMm: Float32Array.from(t.marginsMm),
            areasMm2: Float32Array.from(t.areasMm2),
            triangles: Uint32Array.from(t.triangles),
          },
          ice: { positionsMm: Float32Array.from(ice.positionsMm), triangles: Uint32Array.from(ice.triangles) },
        },
        minimumVertex: meshes.summary.minimumVertex,
        centroidRas: result.tumorCentroidRas,
      };
    }
  }
}

/** The worker's global scope, as far as this module uses it. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<{ id: number; request: WorkstationRequest }>) => void) | null;
  postMessage(message: WorkstationReply): void;
}

// In a worker (no document), answer the page's messages.
if (typeof document === "undefined" && typeof self !== "undefined") {
  const scope = self as unknown as WorkerScope;
  scope.onmessage = async (event) => {
    const { id, request } = event.data;
    const start = performance.now();
    try {
      const value = await answer(request);
      scope.postMessage({ id, ok: true, value, computeMs: performance.now() - start });
    } catch (error) {
      scope.postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  };
}

// Types of the esbuild pre-bundle (scripts/bundle-itk.mjs): what it re-exports from the packages it bundles.
export { InterfaceTypes, runPipeline } from "itk-wasm";
export {
  nrrdReadImage,
  setPipelinesBaseUrl as imageIoSetPipelinesBaseUrl,
  setPipelineWorkerUrl as imageIoSetPipelineWorkerUrl,
} from "@itk-wasm/image-io";
export {
  readImageDicomFileSeries,
  setPipelinesBaseUrl as dicomSetPipelinesBaseUrl,
  setPipelineWorkerUrl as dicomSetPipelineWorkerUrl,
} from "@itk-wasm/dicom";
export {
  morphologicalContourInterpolation,
  setPipelinesBaseUrl as morphologicalContourInterpolationSetPipelinesBaseUrl,
  setPipelineWorkerUrl as morphologicalContourInterpolationSetPipelineWorkerUrl,
} from "@itk-wasm/morphological-contour-interpolation";
export {
  setPipelinesBaseUrl as elastixSetPipelinesBaseUrl,
  setPipelineWorkerUrl as elastixSetPipelineWorkerUrl,
} from "@itk-wasm/elastix";
/** The served packages. */
export type ItkPackage =
  | "@itk-wasm/image-io"
  | "@itk-wasm/dicom"
  | "@itk-wasm/morphological-contour-interpolation"
  | "@itk-wasm/elastix";
/** Where the pipelines and workers sit below the site's root. */
export declare const ITK_ASSET_PATH: string;
/** Each package's folder under ITK_ASSET_PATH. */
export declare const ITK_FOLDERS: Record<ItkPackage, string>;
/** Each package's pipeline worker (the one of the itk-wasm version it depends on), relative to ITK_ASSET_PATH. */
export declare const ITK_WORKERS: Record<ItkPackage, string>;

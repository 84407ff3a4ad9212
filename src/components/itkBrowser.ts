/**
 * itk-wasm in the browser, fully offline: every pipeline the pages run (image-io's NRRD reader,
 * dicom's series reader, morphological contour interpolation, elastix) and itk-wasm's
 * pipeline web worker are served by the site itself, from `<site>/_file/components/vendor/itk/`
 * (scripts/bundle-itk.mjs copies them there: into src/ for `observable preview`, into dist/ after
 * `observable build`), never from the packages' CDN default.
 *
 * Importing this module points each package at those files (its setPipelinesBaseUrl and
 * setPipelineWorkerUrl), so the packages' own functions, re-exported here, load nothing from elsewhere.
 * A pipeline called through itk-wasm's runPipeline takes `itkPipelineOptions(pkg)`.
 *
 * Where the files are: this module is served at `<site>/_import/components/itkBrowser[.hash].js`
 * (Framework's layout for a page's local imports, in preview and build alike), so the site's root is
 * two folders up from import.meta.url. Each call runs in a web worker itk-wasm starts (one per package,
 * reused), so the page stays responsive while a pipeline decodes or interpolates.
 */
import {
  dicomSetPipelinesBaseUrl,
  dicomSetPipelineWorkerUrl,
  elastixSetPipelinesBaseUrl,
  elastixSetPipelineWorkerUrl,
  ITK_ASSET_PATH,
  ITK_FOLDERS,
  ITK_WORKERS,
  type ItkPackage,
  imageIoSetPipelinesBaseUrl,
  imageIoSetPipelineWorkerUrl,
  morphologicalContourInterpolationSetPipelinesBaseUrl,
  morphologicalContourInterpolationSetPipelineWorkerUrl,
} from "./vendor/itk.js";

export {
  InterfaceTypes,
  morphologicalContourInterpolation,
  nrrdReadImage,
  readImageDicomFileSeries,
  runPipeline,
} from "./vendor/itk.js";
export type { ItkPackage };

/** The folder of the served itk-wasm files, as an absolute URL ending in "/". */
export const itkAssetsUrl = new URL(`../../${ITK_ASSET_PATH}/`, import.meta.url).href;

/** The URL of the folder holding `pkg`'s pipelines (`NAME.js`, `NAME.wasm.zst`), without a trailing "/". */
export function itkPipelinesBaseUrl(pkg: ItkPackage): string {
  return new URL(ITK_FOLDERS[pkg], itkAssetsUrl).href;
}

/** The URL of the pipeline web worker of the itk-wasm version `pkg` was built against. */
export function itkPipelineWorkerUrl(pkg: ItkPackage): string {
  return new URL(ITK_WORKERS[pkg], itkAssetsUrl).href;
}

/** The options itk-wasm's runPipeline takes to load `pkg`'s pipelines from this site. */
export function itkPipelineOptions(pkg: ItkPackage): { pipelineBaseUrl: string; pipelineWorkerUrl: string } {
  return { pipelineBaseUrl: itkPipelinesBaseUrl(pkg), pipelineWorkerUrl: itkPipelineWorkerUrl(pkg) };
}

const setters: Record<ItkPackage, [(url: string) => void, (url: string) => void]> = {
  "@itk-wasm/image-io": [imageIoSetPipelinesBaseUrl, imageIoSetPipelineWorkerUrl],
  "@itk-wasm/dicom": [dicomSetPipelinesBaseUrl, dicomSetPipelineWorkerUrl],
  "@itk-wasm/morphological-contour-interpolation": [
    morphologicalContourInterpolationSetPipelinesBaseUrl,
    morphologicalContourInterpolationSetPipelineWorkerUrl,
  ],
  "@itk-wasm/elastix": [elastixSetPipelinesBaseUrl, elastixSetPipelineWorkerUrl],
};
for (const [pkg, [setBaseUrl, setWorkerUrl]] of Object.entries(setters) as [
  ItkPackage,
  (typeof setters)[ItkPackage],
][]) {
  setBaseUrl(itkPipelinesBaseUrl(pkg));
  setWorkerUrl(itkPipelineWorkerUrl(pkg));
}

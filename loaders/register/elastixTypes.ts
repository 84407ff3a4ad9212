/** Messages between the registration code and its elastix worker threads (loaders/register/elastixWorker.ts). */
import type { ElastixParameterMap, ItkWasmImage, ItkWasmTransform } from "@cryomargin/analysis";

export interface ElastixRequest {
  id: number;
  parameterMaps: ElastixParameterMap[];
  fixed: ItkWasmImage;
  moving: ItkWasmImage;
  /** elastix's pipeline arguments (ELASTIX_PIPELINE_ARGS). */
  args: string[];
}

export type ElastixReply =
  | {
      id: number;
      /** elastix's transform list (fixed → moving, LPS); `eulerParameters` reads it. */
      transforms: ItkWasmTransform[];
      log: string;
      seconds: number;
    }
  | { id: number; error: string; log: string };

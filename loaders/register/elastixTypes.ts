/** Messages between the registration code and its elastix worker threads (loaders/register/elastixWorker.ts). */
import type { ElastixPipelineCall, ItkWasmTransform } from "@cryomargin/analysis";

export interface ElastixRequest {
  id: number;
  /** The pipeline's arguments, inputs and outputs (elastixPipelineCall). */
  call: ElastixPipelineCall;
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

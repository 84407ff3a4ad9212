/** Messages between the registration code and its elastix worker threads (loaders/register/elastixWorker.ts). */

/** An elastix parameter map: every value a list of strings, as elastix's parameter files hold them. */
export type ElastixParameterMap = Record<string, string[]>;

/** A float32 volume in ITK's terms: LPS origin, spacing, row-major direction cosines. */
export interface ItkVolume {
  dims: [number, number, number];
  originLps: [number, number, number];
  spacingMm: [number, number, number];
  directionLps: number[];
  data: Float32Array;
}

export interface ElastixRequest {
  id: number;
  parameterMaps: ElastixParameterMap[];
  fixed: ItkVolume;
  moving: ItkVolume;
}

export type ElastixReply =
  | {
      id: number;
      /** Euler3DTransform parameters (θx, θy, θz, tx, ty, tz), LPS, fixed → moving. */
      parameters: number[];
      /** The centre of rotation (LPS) and ComputeZYX. */
      fixedParameters: number[];
      log: string;
      seconds: number;
    }
  | { id: number; error: string; log: string };

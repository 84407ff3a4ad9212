/** Version of the analysis package; reported in every output so results can be traced to code. */
export const ANALYSIS_VERSION = "0.1.0";

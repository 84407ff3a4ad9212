/** Image registration helpers that need no I/O: region of interest, rigid sizes, target registration error. */

export * from "./elastixInterface.js";
export * from "./motionLayers.js";
export * from "./mutualInformation.js";
export * from "./rigid.js";
export * from "./roi.js";
export * from "./stagedRegistration.js";
export * from "./targets.js";
export * from "./transformText.js";

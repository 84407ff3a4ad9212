/**
 * Semi-automatic segmentation: the tumor from outlines on a few slices (interpolated, then refined to
 * the scan's edges) and the ice ball from seed points; with Dice and the 95 % Hausdorff distance to
 * check them. Pure: the contour interpolator itself (ITK, WebAssembly) runs outside this package, in loaders/ and in
 * the browser, on the image contourInterpolation.ts prepares.
 */
export * from "./box.js";
export * from "./components.js";
export * from "./contourInterpolation.js";
export * from "./iceball.js";
export * from "./median.js";
export * from "./morphology.js";
export * from "./otsu.js";
export * from "./overlap.js";
export * from "./simulated.js";
export * from "./slices.js";
export * from "./tumor.js";
export * from "./tumorRefine.js";
export * from "./types.js";

/**
 * Margin geometry: exact anisotropic distance transform, sub-voxel surfaces of binary masks, the ice
 * ball's signed distance at mapped tumor points, MTM, octants, coverage, diameter, volumes, and the
 * QAM-style baseline for comparison. Pure computation on typed arrays; loaders/ reads the files.
 */
export * from "./affine.js";
export * from "./crease.js";
export * from "./diameter.js";
export * from "./drawnOutline.js";
export * from "./edt.js";
export * from "./errors.js";
export * from "./fallbacks.js";
export * from "./json.js";
export * from "./kdTree.js";
export * from "./marchingCubes.js";
export * from "./maskBounds.js";
export * from "./maskRange.js";
export * from "./measure.js";
export * from "./octants.js";
export * from "./phantoms.js";
export * from "./qamBaseline.js";
export * from "./refineSurface.js";
export * from "./resample.js";
export * from "./signedDistance.js";
export * from "./surface.js";
export * from "./surfaceMesh.js";
export * from "./types.js";
export * from "./uncertainty.js";

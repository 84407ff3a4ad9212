/**
 * Scans and masks as volumes in RAS world, from what the readers give: a NIfTI header's geometry
 * (nibabel's policy) and itk-wasm images (LPS). Shared by the command line and the browser.
 */
export * from "./itkImage.js";
export * from "./niftiEncode.js";
export * from "./niftiGeometry.js";

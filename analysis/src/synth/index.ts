/**
 * The calibrated synthetic cohort: a seeded design search against the paper's published figures,
 * analytic tumors and ice balls realised as masks on scanner grids, checked by the margin engine.
 * `generateSyntheticCohort` is the entry point; loaders/cohort/synth.ts writes the files.
 */
export * from "./anatomy.js";
export * from "./cohort.js";
export * from "./continuousMargin.js";
export * from "./design.js";
export * from "./designClinical.js";
export * from "./designMeasures.js";
export * from "./designOutcome.js";
export * from "./ellipsoid.js";
export * from "./images.js";
export * from "./probes.js";
export * from "./realize.js";
export * from "./scanPerturbation.js";
export * from "./targets.js";
export * from "./tumorShape.js";
export * from "./unionPhantoms.js";
export * from "./voxelize.js";

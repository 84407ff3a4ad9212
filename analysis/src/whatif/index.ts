// The what-if explorer's recomputation (threshold, ice-ball Δ, size filter → 2×2, accuracy, Fisher, KM, ROC).
export * from "./diagnosticAccuracy.js";
export * from "./iceballDelta.js";
export * from "./whatIf.js";

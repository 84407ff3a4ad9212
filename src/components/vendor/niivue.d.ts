// Types of the esbuild pre-bundle (scripts/bundle-niivue.mjs): the package it bundles.
export * from "@niivue/niivue";

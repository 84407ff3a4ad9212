#!/usr/bin/env node
// The itk-wasm pipelines the site runs in the browser, served by the site itself (never a CDN):
//
// 1. Pre-bundles the browser entries of the @itk-wasm packages the pages use into one local ES module,
//    src/components/vendor/itk.js (as scripts/bundle-niivue.mjs does for NiiVue: Framework resolves bare
//    imports through each package's exports map with its own conditions, and itk-wasm's worker is found
//    with `new URL(…, import.meta.url)`, which Framework does not rewrite). Pages import it through
//    src/components/itkBrowser.ts only, which points every package at the files below.
// 2. Copies the pipelines the pages use (each a `NAME.js` Emscripten module and its `NAME.wasm.zst`) and
//    itk-wasm's pipeline web worker (one per itk-wasm version the bundled packages depend on) to
//    src/components/vendor/itk/: `observable preview` serves them there at /_file/components/vendor/itk/…
//    `--out DIR` copies the same folder to DIR/_file/components/vendor/itk/ after `observable build`
//    (Framework copies only the files a page references, under hashed names; itk-wasm needs fixed names).
//
// Generated files (listed in .gitignore); quiet and idempotent: a file is rewritten only when its content
// changes, so Framework's cache, its file watcher and the e2e harness's staleness check see no change.
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleVendorModule, writeIfChanged } from "./vendor-bundle.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NODE_MODULES = join(ROOT, "node_modules");
const VENDOR = join(ROOT, "src", "components", "vendor");
const ASSETS = join(VENDOR, "itk");
/** Where the assets sit below the site's root, in `observable preview` and in the built site alike. */
export const ITK_ASSET_PATH = "_file/components/vendor/itk";

/** A package's folder under ASSETS (and under the site's ITK_ASSET_PATH): its name without the scope. */
const folderOf = (pkg) => pkg.replace(/^@itk-wasm\//, "");

/**
 * The pipelines served, by package: only those a page runs (image-io's NRRD reader for the workstation's
 * NRRD scans, dicom's series reader for its DICOM series, morphological contour interpolation, elastix). Each package's folder under ASSETS
 * (folderOf) holds its pipelines.
 */
const PIPELINES = {
  "@itk-wasm/image-io": ["nrrd-read-image"],
  "@itk-wasm/dicom": ["read-image-dicom-file-series"],
  "@itk-wasm/morphological-contour-interpolation": ["morphological-contour-interpolation"],
  "@itk-wasm/elastix": ["elastix"],
};

/** The folder of `pkg` as installed, and of the itk-wasm it depends on (nested when its version differs). */
function packageDir(pkg, from = NODE_MODULES) {
  const nested = join(from, pkg);
  if (existsSync(join(nested, "package.json"))) return nested;
  const hoisted = join(NODE_MODULES, pkg);
  if (existsSync(join(hoisted, "package.json"))) return hoisted;
  throw new Error(`bundle-itk: ${pkg} is not installed (run npm ci)`);
}
const versionOf = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;

/**
 * Copies the pipelines and workers to ASSETS. Returns the files copied and the worker of each package
 * (paths relative to ASSETS).
 */
function copyAssets() {
  const workers = {};
  const files = new Set();
  for (const [pkg, names] of Object.entries(PIPELINES)) {
    const dir = packageDir(pkg);
    for (const name of names)
      for (const ext of [".js", ".wasm.zst"]) {
        const file = `${folderOf(pkg)}/${name}${ext}`;
        writeIfChanged(join(ASSETS, file), readFileSync(join(dir, "dist", "pipelines", `${name}${ext}`)));
        files.add(file);
      }
    const itkWasm = packageDir("itk-wasm", join(dir, "node_modules"));
    const worker = `itk-wasm-${versionOf(itkWasm)}/itk-wasm-pipeline.min.worker.js`;
    writeIfChanged(
      join(ASSETS, worker),
      readFileSync(join(itkWasm, "dist", "pipeline", "web-workers", "bundles", "itk-wasm-pipeline.min.worker.js")),
    );
    workers[pkg] = worker;
    files.add(worker);
  }
  return { workers, files: [...files] };
}

/** The module pages import (through itkBrowser.ts): each package's browser functions and URL setters. */
function bundleSource(workers) {
  const alias = (pkg) => pkg.replace("@itk-wasm/", "").replace(/-(\w)/g, (_, c) => c.toUpperCase());
  const lines = [
    'export { runPipeline, InterfaceTypes } from "itk-wasm";',
    `export const ITK_ASSET_PATH = ${JSON.stringify(ITK_ASSET_PATH)};`,
    `export const ITK_FOLDERS = ${JSON.stringify(Object.fromEntries(Object.keys(PIPELINES).map((p) => [p, folderOf(p)])))};`,
    `export const ITK_WORKERS = ${JSON.stringify(workers)};`,
  ];
  const functions = {
    "@itk-wasm/image-io": ["nrrdReadImage"],
    "@itk-wasm/dicom": ["readImageDicomFileSeries"],
    "@itk-wasm/morphological-contour-interpolation": ["morphologicalContourInterpolation"],
    "@itk-wasm/elastix": [],
  };
  for (const [pkg, names] of Object.entries(functions)) {
    const a = alias(pkg);
    lines.push(
      `export { ${[...names, `setPipelinesBaseUrl as ${a}SetPipelinesBaseUrl`, `setPipelineWorkerUrl as ${a}SetPipelineWorkerUrl`].join(", ")} } from ${JSON.stringify(pkg)};`,
    );
  }
  return lines.join("\n");
}

async function bundle(workers) {
  await bundleVendorModule({
    name: "bundle-itk",
    source: bundleSource(workers),
    resolveDir: ROOT,
    outFile: join(VENDOR, "itk.js"),
    banner: `// Generated by scripts/bundle-itk.mjs from ${Object.keys(PIPELINES)
      .map((p) => `${p} ${versionOf(packageDir(p))}`)
      .join(", ")}; do not edit.`,
  });
}

const outIndex = process.argv.indexOf("--out");
const { workers, files } = copyAssets();
await bundle(workers);
if (outIndex > 0) {
  const out = process.argv[outIndex + 1];
  if (!out || !existsSync(join(out, "index.html"))) {
    console.error(`bundle-itk: --out ${out ?? ""} is not a built site (no index.html)`);
    process.exit(1);
  }
  const target = join(out, ITK_ASSET_PATH);
  rmSync(target, { recursive: true, force: true });
  for (const file of files) cpSync(join(ASSETS, file), join(target, file));
}

/**
 * A second build of the study report, isolated from dist/: its own source root (a folder of symlinks to
 * src/'s entries, so Framework's loader cache under root/.observablehq is its own) and output folder
 * under test-output/, its own cohort and mode (CRYOMARGIN_COHORT, CRYOMARGIN_PUBLISH). Tests use it for
 * publish mode on a cohort with planted canaries, and for the report's pages when the committed cohort
 * is absent. Rebuilt only when the site's inputs, the cohort or the mode changed since the last build.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { buildFailure, newestMtimeMs, ROOT } from "./harness.js";

const run = promisify(execFile);

/** What the site is built from (as the harness's staleness check, plus the compiled loaders). */
const SITE_INPUTS = ["src", "observablehq.config.ts", "analysis/src", "loaders", "build/loaders", "analysis/dist"];

export interface IsolatedSite {
  /** Output folder (absolute). */
  dist: string;
  built: boolean;
  ms: number;
}

/** The root folder: one symlink per entry of src/ (not its .observablehq cache). */
function linkRoot(root: string): void {
  mkdirSync(root, { recursive: true });
  for (const entry of readdirSync(join(ROOT, "src"))) {
    if (entry === ".observablehq") continue;
    const link = join(root, entry);
    if (existsSync(link)) continue;
    symlinkSync(relative(root, join(ROOT, "src", entry)), link);
  }
}

/**
 * Framework's bundles of npm packages (its cache's `_node/<name>@<version>/`) that the main build made,
 * copied into the isolated root's cache where missing: Framework names a bundle by package and version
 * and bundles a package only when its file is absent, so the isolated build takes them as they are
 * instead of bundling vega, d3 and the stdlib functions again. The workspace package @cryomargin is
 * left out: it changes without a version bump (the config clears its bundle when the code changes).
 * Likewise its `_npm/<name>@<version>/` folders, the versions Framework resolved for its client's
 * optional libraries: with them present it asks the npm registry for none of them again (15 requests a
 * build), and the isolated site names the same versions as the main one.
 */
function seedPackageBundles(root: string): void {
  for (const folder of ["_node", "_npm"]) {
    const from = join(ROOT, "src", ".observablehq", "cache", folder);
    if (!existsSync(from)) continue;
    const to = join(root, ".observablehq", "cache", folder);
    for (const entry of readdirSync(from)) {
      if (entry === "@cryomargin" || existsSync(join(to, entry))) continue;
      cpSync(join(from, entry), join(to, entry), { recursive: true });
    }
  }
}

/**
 * Builds the site for `cohortDir` (publish mode when `publish`) into test-output/site-<name>/dist unless
 * that build is up to date. Framework's output must lie inside the working folder to be cleared.
 */
export async function buildIsolatedSite(
  name: string,
  cohortDir: string,
  { publish = false, timeoutMs = 240_000 } = {},
): Promise<IsolatedSite> {
  const start = performance.now();
  const base = join(ROOT, "test-output", `site-${name}`);
  const root = join(base, "root");
  const dist = join(base, "dist");
  const stampFile = join(base, "build-stamp.txt");
  const stamp = JSON.stringify({ cohortDir, publish });
  const newest = Math.max(...SITE_INPUTS.map((p) => newestMtimeMs(join(ROOT, p))), newestMtimeMs(cohortDir));
  const index = join(dist, "index.html");
  if (
    existsSync(index) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8") === stamp &&
    statSync(index).mtimeMs > newest
  )
    return { dist, built: false, ms: performance.now() - start };
  linkRoot(root);
  seedPackageBundles(root);
  rmSync(stampFile, { force: true });
  await run(process.execPath, [join(ROOT, "scripts", "bundle-niivue.mjs")], { cwd: ROOT });
  await run(process.execPath, [join(ROOT, "scripts", "bundle-itk.mjs")], { cwd: ROOT });
  try {
    await run(join(ROOT, "node_modules", ".bin", "observable"), ["build"], {
      cwd: ROOT,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        // Framework runs the data loaders with `tsx` from PATH, as npm scripts provide it.
        PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
        CRYOMARGIN_COHORT: cohortDir,
        CRYOMARGIN_PUBLISH: publish ? "1" : "0",
        CRYOMARGIN_SITE_ROOT: relative(ROOT, root),
        CRYOMARGIN_SITE_OUTPUT: relative(ROOT, dist),
      },
    });
    // The itk-wasm pipelines at their fixed names (as `npm run build` does after `observable build`).
    await run(process.execPath, [join(ROOT, "scripts", "bundle-itk.mjs"), "--out", dist], { cwd: ROOT });
  } catch (error) {
    throw new Error(`e2e: isolated site build '${name}' ${buildFailure(error, timeoutMs)}`);
  }
  writeFileSync(stampFile, stamp);
  return { dist, built: true, ms: performance.now() - start };
}

/** Every file under `dir` (absolute paths). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** What a built site weighs: every file, the optional case images among them, and gzip's estimate. */
export interface Payload {
  /** Bytes of every file of dist/. */
  totalBytes: number;
  /**
   * Bytes of the cases' pre/post *images* (background.nii.gz of kind "pre", post.nii.gz of kind "post")
   * and of their 3D meshes (mesh.bin.gz): per-case imagery, whose bars are per page (≤ 2 MB) and for
   * the whole of dist/ (≤ 30 MB).
   */
  caseImageBytes: number;
  /**
   * Bytes of the itk-wasm pipelines and workers (_file/components/vendor/itk/, scripts/bundle-itk.mjs):
   * fetched only when the workstation runs a pipeline (reading a format, interpolating, registering).
   */
  itkBytes: number;
  /** totalBytes − caseImageBytes − itkBytes: the figure the 5 MB bar is about. */
  payloadBytes: number;
  /** What the payload would transfer with gzip (level 6) on the wire. */
  gzipBytes: number;
  files: number;
}

/**
 * Weighs a built site. Case images are recognised from each case's JSON (`background.kind === "pre"`,
 * `post.kind === "post"`; a cohort without images has none: its mask volumes count as payload), case
 * meshes by their name (mesh.bin.gz).
 */
export function sitePayload(dist: string): Payload {
  const all = filesUnder(dist);
  const casesDir = join(dist, "_file", "data", "study", "cases");
  const images = new Set<string>();
  if (existsSync(casesDir))
    for (const name of readdirSync(casesDir)) {
      const match = /^(.+)\.[0-9a-f]{8}\.json$/.exec(name);
      if (!match) continue;
      const c = JSON.parse(readFileSync(join(casesDir, name), "utf8")) as {
        background: { kind: string };
        post: { kind: string };
      };
      const dir = join(casesDir, match[1]);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir))
        if (
          (file.startsWith("background.") && c.background.kind === "pre") ||
          (file.startsWith("post.") && c.post.kind === "post") ||
          file.startsWith("mesh.bin.")
        )
          images.add(join(dir, file));
    }
  let totalBytes = 0;
  let caseImageBytes = 0;
  let itkBytes = 0;
  let gzipBytes = 0;
  const itkDir = join(dist, "_file", "components", "vendor", "itk");
  for (const file of all) {
    const bytes = readFileSync(file);
    totalBytes += bytes.length;
    if (images.has(file)) caseImageBytes += bytes.length;
    else if (file.startsWith(itkDir)) itkBytes += bytes.length;
    else gzipBytes += /\.(gz|png|jpg|woff2)$/.test(file) ? bytes.length : gzipSync(bytes).length;
  }
  return {
    totalBytes,
    caseImageBytes,
    itkBytes,
    payloadBytes: totalBytes - caseImageBytes - itkBytes,
    gzipBytes,
    files: all.length,
  };
}

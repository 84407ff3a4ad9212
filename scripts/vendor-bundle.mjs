// What scripts/bundle-niivue.mjs and scripts/bundle-itk.mjs share: an esbuild pre-bundle of npm packages
// into one self-contained ES module under src/components/vendor/ (no bare import left, which Framework
// could not resolve), written only when its content changes.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { build } from "esbuild";

/**
 * Writes `bytes` to `file` unless it already holds them, so Framework's cache, its file watcher and the
 * e2e harness's staleness check see no change on a no-op run. Write then rename: a build running at the
 * same time never reads half a file. Returns whether the file was written.
 */
export function writeIfChanged(file, bytes) {
  if (existsSync(file)) {
    const old = readFileSync(file);
    if (old.length === bytes.length && old.equals(bytes)) return false;
  }
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, file);
  return true;
}

/**
 * Bundles the module `source` (resolved from `resolveDir`) for the browser, minified, into `outFile` with
 * `banner` on top. `name` prefixes the messages; on failure it prints esbuild's errors and exits 1.
 */
export async function bundleVendorModule({ name, source, resolveDir, outFile, banner, plugins = [] }) {
  let result;
  try {
    result = await build({
      stdin: { contents: source, resolveDir, loader: "js" },
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      legalComments: "none",
      write: false,
      metafile: true,
      outfile: outFile,
      plugins,
      logLevel: "silent",
      banner: { js: banner },
    });
  } catch (error) {
    const messages = error.errors?.map((e) => `${e.location?.file ?? ""}:${e.location?.line ?? ""} ${e.text}`) ?? [];
    console.error(`${name}: esbuild could not bundle:\n${messages.join("\n") || error.message}`);
    process.exit(1);
  }
  const leftImports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  if (leftImports.length > 0) {
    console.error(`${name}: the bundle still imports ${leftImports.join(", ")}; Framework could not resolve it`);
    process.exit(1);
  }
  writeIfChanged(outFile, Buffer.from(result.outputFiles[0].text));
}

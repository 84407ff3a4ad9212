/**
 * Rendered figures, cached by what determines them: a figure's SVG and PNG are a function of its vega-lite
 * spec, the PNG options and the versions of vega, vega-lite and resvg, so they are stored under the
 * SHA-256 of those (`<key>.svg`, `<key>.png`) and a second `cryomargin analyze` with the same results
 * reads them instead of loading the renderers (≈ 0.5 s of imports) and drawing (≈ 0.2 s per figure).
 * An entry that is missing, or is not an SVG document and a PNG file, is drawn again.
 *
 * Nothing is written here: new entries are returned as files for the caller to write with its output.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { VegaLiteSpec } from "@cryomargin/analysis";
import type { PngOptions, RenderedFigure } from "./render.js";

const require = createRequire(import.meta.url);

/** The version of an installed package: its package.json found above the file its name resolves to. */
function installedVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? "unknown";
    }
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

let renderers: string | undefined;

/** The renderer versions that enter every key. */
function rendererVersions(): string {
  renderers ??= ["vega", "vega-lite", "@resvg/resvg-js"].map((n) => `${n}@${installedVersion(n)}`).join(" ");
  return renderers;
}

/** SHA-256 (hex) of the spec, the PNG options and the renderer versions. */
export function figureCacheKey(spec: VegaLiteSpec, options: PngOptions = {}): string {
  return createHash("sha256")
    .update(JSON.stringify({ spec, options, renderers: rendererVersions() }))
    .digest("hex");
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A cached figure, or null when either file is missing or not what it should be. */
function readCachedFigure(cacheDir: string, key: string): RenderedFigure | null {
  try {
    const svg = readFileSync(join(cacheDir, `${key}.svg`), "utf8");
    const png = readFileSync(join(cacheDir, `${key}.png`));
    if (!svg.startsWith("<svg") || !svg.trimEnd().endsWith("</svg>")) return null;
    if (png.length <= PNG_SIGNATURE.length || !png.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return null;
    return { svg, png };
  } catch {
    return null;
  }
}

export interface CachedFigure extends RenderedFigure {
  /** Entries to add to the cache (file name in the cache folder → content); empty when read from it. */
  newEntries: { name: string; content: string | Uint8Array }[];
}

/**
 * The figure from `cacheDir` when it holds it, else drawn (render.js loaded on first need) and returned
 * with the cache entries to write. Without `cacheDir`, always drawn, no entries.
 */
export async function cachedFigure(
  spec: VegaLiteSpec,
  cacheDir: string | undefined,
  options: PngOptions = {},
): Promise<CachedFigure> {
  const key = cacheDir === undefined ? undefined : figureCacheKey(spec, options);
  if (cacheDir !== undefined && key !== undefined) {
    const cached = readCachedFigure(cacheDir, key);
    if (cached) return { ...cached, newEntries: [] };
  }
  const { renderFigure } = await import("./render.js");
  const rendered = await renderFigure(spec, options);
  return {
    ...rendered,
    newEntries:
      key === undefined
        ? []
        : [
            { name: `${key}.svg`, content: rendered.svg },
            { name: `${key}.png`, content: rendered.png },
          ],
  };
}

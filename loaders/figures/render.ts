/**
 * Headless figures: a vega-lite spec from `@cryomargin/analysis` (the same spec the site draws) → SVG with
 * vega's headless renderer (no DOM, no canvas; text widths are vega's estimate), and SVG → PNG with resvg.
 * Fonts: the specs name a system font stack; resvg loads the machine's fonts and uses the first family of
 * the stack it finds (DejaVu Sans on Debian), so a figure renders with no network and no web font.
 */
import { writeFile } from "node:fs/promises";
import type { VegaLiteSpec } from "@cryomargin/analysis";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile } from "vega-lite";
import { CryomarginError } from "../errors.js";

/** A figure could not be compiled or drawn; names the chart and, when writing, the file. */
export class FigureRenderError extends CryomarginError {
  override name = "FigureRenderError";
}

export interface PngOptions {
  /** Pixel scale relative to the SVG's size (2 = print-ready for a 1-column figure). Default 2. */
  scale?: number;
  /**
   * Font for text whose font-family list names no installed font. Default "DejaVu Sans" (Debian's); when
   * that is not installed either, resvg takes the first system font.
   */
  fallbackFontFamily?: string;
}

/** The chart's title, for messages. */
function chartName(spec: VegaLiteSpec): string {
  return typeof spec.title === "string" ? spec.title : (spec.title?.text ?? "untitled chart");
}

/** Escapes text for an XML element body or attribute. */
function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Makes a standalone SVG accessible: role="img", aria-label = the title, and <title>/<desc> (the spec's
 * text alternative) as the first children — what screen readers and file viewers read.
 */
export function addTextAlternative(svg: string, title: string, description: string): string {
  return svg.replace(
    /^<svg\b([^>]*)>/,
    (_, attributes: string) =>
      `<svg${attributes} role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title><desc>${escapeXml(description)}</desc>`,
  );
}

/**
 * Compiles the vega-lite spec and renders it to an SVG string (vega View with renderer "none", `toSVG()`),
 * with the spec's title and description as the SVG's text alternative.
 * Example: `await renderSvg(mtmByOutcome(rows))`.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  let view: vega.View | undefined;
  try {
    // vega tags the data objects it ingests (a symbol property): give it a copy, not the caller's spec.
    const vgSpec = compile(structuredClone(spec) as unknown as Parameters<typeof compile>[0]).spec;
    view = new vega.View(vega.parse(vgSpec), { renderer: "none", logLevel: vega.Warn });
    return addTextAlternative(await view.toSVG(), chartName(spec), spec.description);
  } catch (error) {
    throw new FigureRenderError(`could not render the chart "${chartName(spec)}": ${(error as Error).message}`);
  } finally {
    view?.finalize();
  }
}

/** Rasterises an SVG string to PNG bytes with resvg, on a white background. */
export function svgToPng(svg: string, { scale = 2, fallbackFontFamily = "DejaVu Sans" }: PngOptions = {}): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: fallbackFontFamily },
    logLevel: "off",
  });
  return resvg.render().asPng();
}

export interface RenderedFigure {
  svg: string;
  png: Uint8Array;
}

/** Both formats of one chart. */
export async function renderFigure(spec: VegaLiteSpec, options: PngOptions = {}): Promise<RenderedFigure> {
  const svg = await renderSvg(spec);
  return { svg, png: svgToPng(svg, options) };
}

/**
 * Writes `<basePath>.svg` and `<basePath>.png` (and the spec as `<basePath>.vl.json`, so the figure can be
 * re-rendered or restyled); returns the paths written. Example: `writeFigure(spec, "results/fig3-mtm")`.
 */
export async function writeFigure(spec: VegaLiteSpec, basePath: string, options: PngOptions = {}): Promise<string[]> {
  const { svg, png } = await renderFigure(spec, options);
  const paths = [`${basePath}.svg`, `${basePath}.png`, `${basePath}.vl.json`];
  try {
    await writeFile(paths[0], svg);
    await writeFile(paths[1], png);
    await writeFile(paths[2], `${JSON.stringify(spec, null, 2)}\n`);
  } catch (error) {
    throw new FigureRenderError(
      `could not write the figure "${chartName(spec)}" to ${basePath}.*: ${(error as Error).message}`,
    );
  }
  return paths;
}

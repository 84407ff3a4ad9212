/**
 * Draws a chart spec of @cryomargin/analysis (the same vega-lite spec the CLI renders to SVG/PNG) into
 * the page as an accessible SVG figure:
 * - the SVG gets role="img", aria-label = the chart's title, and aria-describedby pointing at a visually
 *   hidden <figcaption> holding the spec's `description` (the text alternative with the key numbers);
 * - vega's own tooltips (the SVG `title` of the hovered mark; no extra package);
 * - the vega View is finalised when Framework invalidates the cell (pass its `invalidation` promise), so a
 *   slider that redraws the chart does not leak views.
 *
 * Example, in a page:
 *   import { mtmByOutcome } from "@cryomargin/analysis";
 *   import { vegaFigure } from "./components/vegaFigure.js";
 *   display(await vegaFigure(mtmByOutcome(rows, { thresholdMm: 5 }), { invalidation }));
 */
import * as vega from "vega";
import { compile } from "vega-lite";

let nextId = 0;

/** Hidden from sight, not from screen readers (the usual "visually hidden" rule). */
const VISUALLY_HIDDEN =
  "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0";

/**
 * The chart's title as text, whether the spec gives a string or an object.
 * @param {{ title?: string | { text?: string } }} spec
 * @returns {string}
 */
export function chartTitle(spec) {
  if (typeof spec.title === "string") return spec.title;
  return spec.title?.text ?? "Chart";
}

/**
 * Renders the spec; resolves to a <figure> holding the SVG and its hidden description.
 * @param {Record<string, unknown> & { title?: unknown, description?: string }} spec a vega-lite spec
 * @param {{ invalidation?: Promise<unknown> }} [options]
 * @returns {Promise<HTMLElement>}
 */
export async function vegaFigure(spec, { invalidation } = {}) {
  const id = `cm-chart-${++nextId}`;
  const figure = document.createElement("figure");
  figure.className = "cm-chart";
  figure.style.margin = "0 0 1rem 0";
  const target = document.createElement("div");
  const caption = document.createElement("figcaption");
  caption.id = `${id}-description`;
  caption.style.cssText = VISUALLY_HIDDEN;
  caption.textContent = spec.description ?? "";
  figure.append(target, caption);

  // vega tags the data objects it ingests (a symbol property): give it a copy, not the caller's spec.
  const vgSpec = compile(structuredClone(spec)).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: "svg", container: target, hover: true });
  await view.runAsync();
  const svg = target.querySelector("svg");
  if (svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", chartTitle(spec));
    svg.setAttribute("aria-describedby", caption.id);
  }
  if (invalidation) invalidation.then(() => view.finalize());
  return figure;
}

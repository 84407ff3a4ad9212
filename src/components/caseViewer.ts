/**
 * The case page's viewer: NiiVue (the esbuild pre-bundle in ./vendor/niivue.js) showing axial, coronal
 * and sagittal slices of the case's crop of the pre-ablation grid, with
 * - the tumor outline in green and the ice-ball outline in blue (the ice ball brought into the
 *   pre-ablation grid through the registration, for display), and the minimum-margin point in magenta
 *   with the crosshair on it;
 * - the coverage map at a chosen threshold, coloured green (margin ≥ t), yellow (0 ≤ margin < t) and
 *   red (not covered), recomputed from the engine's per-voxel margins on every slider input;
 * - a switch between the pre-ablation slices and the post-ablation ones (registered); a cohort without
 *   images shows the masks themselves;
 * and beside it the numbers: MTM, where it is attained, volumes, diameter, coverage and octants at the
 * chosen threshold (each number with `data-field`/`data-value` for tests).
 *
 * Example, in a case page:
 *   display(await caseViewer(caseJson, buffers, { invalidation }));
 */
import { COVERAGE_COLORS, formatFixed } from "@cryomargin/analysis";
import { type CoverageMap, coverageAtThreshold } from "./coverage.js";
import { el, num, percent } from "./report.js";
import type { CaseJson } from "./study.js";
import { Niivue, NVImage, SHOW_RENDER } from "./vendor/niivue.js";

/** The case's volumes as bytes (NIfTI .nii.gz), as FileAttachment(...).arrayBuffer() gives them. */
export interface CaseBuffers {
  background: ArrayBuffer;
  post: ArrayBuffer;
  overlay: ArrayBuffer;
  margins: ArrayBuffer;
}

/** Colours of the overlay labels: tumor outline, ice-ball outline, minimum-margin point. */
export const OUTLINE_COLORS = { tumor: "#00e676", iceball: "#2979ff", minMarginPoint: "#ff00ff" } as const;

/** The coverage map is see-through so the slice and the outlines stay visible under it. */
const COVERAGE_OPACITY = 0.4;

/** "#rrggbb" → [r, g, b]. */
function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** A NiiVue label colormap (index 0 transparent). */
function labelColormap(colors: readonly string[], labels: readonly string[], alpha: number) {
  const rows = colors.map(rgb);
  return {
    R: [0, ...rows.map((c) => c[0])],
    G: [0, ...rows.map((c) => c[1])],
    B: [0, ...rows.map((c) => c[2])],
    A: [0, ...rows.map(() => alpha)],
    I: [0, ...rows.map((_, i) => i + 1)],
    labels: ["", ...labels],
  };
}

/** A NIfTI volume from bytes, named so NiiVue detects the format. */
function volume(buffer: ArrayBuffer, name: string, options: Record<string, unknown> = {}): Promise<NVImage> {
  return NVImage.loadFromUrl({ url: buffer.slice(0), name, ...options });
}

/** A number cell tests can read. */
function field(name: string, value: number | null, text: string): HTMLElement {
  return el("span", { "data-field": name, "data-value": value === null ? "NaN" : String(value) }, text);
}

/** The numbers beside the viewer at the current threshold. */
function numbersElement(c: CaseJson, coverage: CoverageMap): HTMLElement {
  const m = c.margins;
  const t = coverage.thresholdMm;
  const point = m.minMarginPointRas.map((v) => formatFixed(v, 1)).join(", ");
  const definition = (term: string, ...value: (Node | string)[]) => [el("dt", {}, term), el("dd", {}, ...value)];
  const list = el(
    "dl",
    { class: "cm-case-numbers" },
    ...definition("MTM", field("mtm", m.mtmMm, `${formatFixed(m.mtmMm, 2)} mm`), ` (rounded ${m.mtmMmRounded} mm)`),
    ...definition("Minimum-margin point (RAS mm)", `${point} — octant ${m.minMarginOctant}`),
    ...definition("Tumor volume", field("tumor-volume", m.tumorVolumeMl, `${formatFixed(m.tumorVolumeMl, 2)} ml`)),
    ...definition("Ice-ball volume", `${formatFixed(m.iceballVolumeMl, 1)} ml`),
    ...definition("Maximum tumor diameter", `${formatFixed(m.tumorMaxDiameterMm, 1)} mm`),
    ...definition(
      `Coverage at ${formatFixed(t, 1)} mm`,
      field("green", coverage.overall.fractionGreen, percent(coverage.overall.fractionGreen)),
      " green, ",
      field("yellow", coverage.overall.fractionYellow, percent(coverage.overall.fractionYellow)),
      " yellow, ",
      field("red", coverage.overall.fractionRed, percent(coverage.overall.fractionRed)),
      " red",
    ),
  );
  const engineOctant = new Map(m.octants.map((o) => [o.name, o]));
  const octants = el(
    "table",
    { class: "cm-octants" },
    el("caption", {}, `Octants (coverage at ${formatFixed(t, 1)} mm)`),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ...["Octant", "Volume (ml)", "Minimum margin (mm)", "Green", "Yellow", "Red"].map((h) =>
          el("th", { scope: "col" }, h),
        ),
      ),
    ),
    el(
      "tbody",
      {},
      ...coverage.octants.map((o) => {
        const engine = engineOctant.get(o.name);
        return el(
          "tr",
          { "data-octant": o.name, class: o.name === m.minMarginOctant ? "cm-min-octant" : null },
          el("th", { scope: "row" }, o.name),
          el("td", { class: "cm-num" }, num(engine?.tumorVolumeMl, 2)),
          el("td", { class: "cm-num" }, num(engine?.minMarginMm, 2)),
          el("td", { class: "cm-num" }, field(`${o.name}-green`, o.fractionGreen, percent(o.fractionGreen))),
          el("td", { class: "cm-num" }, field(`${o.name}-yellow`, o.fractionYellow, percent(o.fractionYellow))),
          el("td", { class: "cm-num" }, field(`${o.name}-red`, o.fractionRed, percent(o.fractionRed))),
        );
      }),
    ),
  );
  return el("div", {}, list, octants);
}

/** The legend of the viewer's colours. */
function legend(c: CaseJson): HTMLElement {
  const swatch = (color: string, text: string) =>
    el("li", {}, el("span", { class: "cm-swatch", style: `background:${color}`, "aria-hidden": "true" }), text);
  return el(
    "ul",
    { class: "cm-legend", "aria-label": "Colours of the viewer" },
    swatch(OUTLINE_COLORS.tumor, "tumor outline"),
    swatch(OUTLINE_COLORS.iceball, "ice-ball outline (registered into the pre-ablation grid)"),
    swatch(OUTLINE_COLORS.minMarginPoint, "minimum-margin point (crosshair)"),
    swatch(COVERAGE_COLORS.green, "margin ≥ threshold"),
    swatch(COVERAGE_COLORS.yellow, "covered, margin < threshold"),
    swatch(COVERAGE_COLORS.red, "not covered"),
    el(
      "li",
      {},
      c.background.kind === "pre"
        ? "Grey: the pre-ablation image."
        : "Grey: the masks (no images in this cohort): ice ball dim, tumor bright.",
    ),
  );
}

/**
 * Builds the viewer for one case. Resolves once NiiVue has drawn the first frame; the WebGL context is
 * released when `invalidation` resolves.
 */
export async function caseViewer(
  c: CaseJson,
  buffers: CaseBuffers,
  options: { invalidation?: Promise<unknown> } = {},
): Promise<HTMLElement> {
  const canvas = el("canvas", {
    class: "cm-niivue",
    role: "img",
    "aria-label": `Slices of case ${c.siteId}: tumor outline green, ice-ball outline blue, coverage coloured, minimum margin ${formatFixed(c.margins.mtmMm, 2)} mm marked`,
  });
  const nv = new Niivue({
    backColor: [0, 0, 0, 1],
    show3Dcrosshair: false,
    crosshairColor: [1, 0, 1, 0.5],
    crosshairWidth: 1,
    crosshairGap: 6,
    multiplanarShowRender: SHOW_RENDER.NEVER,
    isColorbar: false,
    logLevel: "error",
  });
  const viewerBox = el("div", { class: "cm-niivue-box" }, canvas);
  const thresholdId = `case-threshold-${c.siteId}`;
  const threshold = el("input", {
    id: thresholdId,
    type: "range",
    min: 0,
    max: 10,
    step: 0.5,
    value: c.margins.thresholdMm,
  });
  const thresholdOutput = el("output", { for: thresholdId }, `${formatFixed(c.margins.thresholdMm, 1)} mm`);
  const showPost = el("input", { id: `case-post-${c.siteId}`, type: "checkbox" });
  const showCoverage = el("input", { id: `case-coverage-${c.siteId}`, type: "checkbox", checked: true });
  const controls = el(
    "fieldset",
    { class: "cm-controls" },
    el("legend", {}, "Viewer"),
    el(
      "div",
      { class: "cm-control" },
      el("label", { for: thresholdId }, "Coverage threshold"),
      threshold,
      thresholdOutput,
    ),
    el("div", { class: "cm-control" }, showCoverage, el("label", { for: showCoverage.id }, " Coverage map")),
    el(
      "div",
      { class: "cm-control" },
      showPost,
      el(
        "label",
        { for: showPost.id },
        c.post.kind === "post" ? " Post-ablation slices (registered)" : " Post-ablation ice-ball mask (registered)",
      ),
    ),
  );
  const numbers = el("div", { class: "cm-case-side", "aria-live": "polite" });
  const root = el(
    "section",
    { class: "cm-case", "aria-label": `Case ${c.siteId}` },
    el("div", { class: "cm-case-view" }, viewerBox, controls, legend(c)),
    numbers,
  );

  const margins = await volume(buffers.margins, "margins.nii.gz");
  const marginValues = margins.img as Float32Array;
  const render = (thresholdMm: number, coverage: NVImage) => {
    const map = coverageAtThreshold(marginValues, c.grid, c.centroidRas, thresholdMm);
    (coverage.img as Uint8Array).set(map.classes);
    numbers.replaceChildren(numbersElement(c, map));
    return map;
  };

  // Attach only once the canvas is in the document (NiiVue sizes the drawing buffer from it).
  const attach = async () => {
    await nv.attachToCanvas(canvas);
    const background = await volume(buffers.background, "background.nii.gz", { colormap: "gray" });
    const post = await volume(buffers.post, "post.nii.gz", { colormap: "gray", opacity: 0 });
    const coverage = await volume(buffers.overlay, "coverage.nii.gz", { opacity: COVERAGE_OPACITY });
    const overlay = await volume(buffers.overlay, "overlay.nii.gz");
    coverage.setColormapLabel(
      labelColormap(
        [COVERAGE_COLORS.green, COVERAGE_COLORS.yellow, COVERAGE_COLORS.red],
        ["green", "yellow", "red"],
        255,
      ),
    );
    overlay.setColormapLabel(
      labelColormap(
        [OUTLINE_COLORS.tumor, OUTLINE_COLORS.iceball, OUTLINE_COLORS.minMarginPoint],
        ["tumor outline", "ice-ball outline", "minimum-margin point"],
        255,
      ),
    );
    for (const v of [background, post, coverage, overlay]) nv.addVolume(v);
    nv.setSliceType(nv.sliceTypeMultiplanar);
    render(Number(threshold.value), coverage);
    nv.scene.crosshairPos = nv.mm2frac(c.margins.minMarginPointRas);
    nv.updateGLVolume();
    threshold.addEventListener("input", () => {
      thresholdOutput.textContent = `${formatFixed(Number(threshold.value), 1)} mm`;
      render(Number(threshold.value), coverage);
      nv.updateGLVolume();
    });
    showCoverage.addEventListener("change", () => nv.setOpacity(2, showCoverage.checked ? COVERAGE_OPACITY : 0));
    showPost.addEventListener("change", () => nv.setOpacity(1, showPost.checked ? 1 : 0));
    root.dataset.ready = "true";
  };
  // Numbers first, so the page is useful even before (or without) WebGL.
  numbers.replaceChildren(
    numbersElement(c, coverageAtThreshold(marginValues, c.grid, c.centroidRas, Number(threshold.value))),
  );
  requestAnimationFrame(() => {
    attach().catch((error: Error) => {
      viewerBox.replaceChildren(el("p", { class: "cm-banner" }, `The viewer could not start: ${error.message}`));
      root.dataset.ready = "error";
    });
  });
  if (options.invalidation)
    options.invalidation.then(() => {
      // Browsers cap live WebGL contexts: release this one when the cell is rerun or the page left.
      canvas.getContext("webgl2")?.getExtension("WEBGL_lose_context")?.loseContext();
    });
  return root;
}

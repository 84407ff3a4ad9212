/**
 * The case page's viewer, like the paper's case figures: three axial slice panels of the crop of the
 * pre-ablation grid and a 3D view.
 * 1. the pre-ablation scan with the tumor outline;
 * 2. the post-ablation scan, brought into the pre-ablation grid through the registration (for display,
 *    nearest neighbour), with the ice-ball outline;
 * 3. the overlay after registration: the tumor filled with its coverage classes at the threshold (the
 *    engine's per-voxel margins), the tumor and ice-ball outlines and the minimum-margin point;
 * 4. the 3D view (caseView3d.ts): the tumor surface coloured per vertex by the engine's margin, the ice
 *    ball translucent, the minimum-margin point labelled, the octant planes.
 * One threshold slider recolours the fills, the 3D surface and the numbers; a palette switch offers a
 * colour-blind-safe set; the slices follow the radiological convention (patient's right on the screen's
 * left) unless switched, and switching turns the 3D view to the slices' viewpoint (from the feet or from
 * the head; caseView3d.ts says why it turns rather than flips). Beside it the numbers: MTM, where it is attained, volumes, diameter, coverage by
 * volume (the engine's) and by surface area, and the octants (each number with `data-field`/`data-value`
 * for tests). A cohort without images shows the masks themselves in grey.
 *
 * Example, in a case page:
 *   display(await caseViewer(caseJson, buffers, { invalidation }));
 */
import { type CoverageFractions, coverageClass, formatFixed, invertAffine, type Vec3 } from "@cryomargin/analysis";
import { type CaseMeshes, decodeCaseMeshes } from "./caseMesh.js";
import { axialLayout, drawAxialSlice, readGridVolume, type SlicePanel } from "./caseSlices.js";
import { type CaseView3d, caseView3d } from "./caseView3d.js";
import { type CoverageMap, coverageAtThreshold } from "./coverage.js";
import { COVERAGE_PALETTES, OUTLINE_COLORS, type PaletteName } from "./palettes.js";
import { el, num, percent } from "./report.js";
import type { CaseJson } from "./study.js";

/** The case's files as bytes (gzipped NIfTI, gzipped meshes), as FileAttachment(...).arrayBuffer() gives them. */
export interface CaseBuffers {
  background: ArrayBuffer;
  post: ArrayBuffer;
  masks: ArrayBuffer;
  margins: ArrayBuffer;
  mesh: ArrayBuffer;
}

/** Canvas size of a slice panel and of the 3D view, CSS pixels. */
const PANEL_PX = 340;
const VIEW3D_PX = 460;

/** The meshes' class fractions by surface area at a threshold (the engine's margins and vertex areas). */
export function areaFractions(meshes: CaseMeshes, thresholdMm: number): CoverageFractions {
  const sums = [0, 0, 0];
  const { marginsMm, areasMm2 } = meshes.tumor;
  for (let v = 0; v < marginsMm.length; v++) {
    if (Number.isNaN(marginsMm[v])) continue;
    sums[coverageClass(marginsMm[v], thresholdMm)] += areasMm2[v];
  }
  const total = sums[0] + sums[1] + sums[2];
  return { fractionGreen: sums[0] / total, fractionYellow: sums[1] / total, fractionRed: sums[2] / total };
}

/** A number cell tests can read. */
export function field(name: string, value: number | null, text: string): HTMLElement {
  return el("span", { "data-field": name, "data-value": value === null ? "NaN" : String(value) }, text);
}

/** A definition-list entry: the term, then its value. */
export function definition(term: string, ...value: (Node | string)[]): HTMLElement[] {
  return [el("dt", {}, term), el("dd", {}, ...value)];
}

/** The coverage entry at a threshold: the class fractions by volume, readable by tests as `green` … */
export function coverageDefinition(
  thresholdMm: number,
  fractions: { green: number; yellow: number; red: number },
  source: string,
): HTMLElement[] {
  return definition(
    `Coverage at ${formatFixed(thresholdMm, 1)} mm`,
    field("green", fractions.green, percent(fractions.green)),
    " green, ",
    field("yellow", fractions.yellow, percent(fractions.yellow)),
    " yellow, ",
    field("red", fractions.red, percent(fractions.red)),
    ` red (${source})`,
  );
}

/**
 * The octants table at a threshold: each octant's volume, minimum margin and class fractions (the
 * fractions readable by tests as `<octant>-green` …), the octant of the minimum margin underlined.
 */
export function octantsTable(
  thresholdMm: number,
  minMarginOctant: string,
  rows: readonly {
    name: string;
    tumorVolumeMl: number | null | undefined;
    minMarginMm: number | null | undefined;
    fractionGreen: number | null;
    fractionYellow: number | null;
    fractionRed: number | null;
  }[],
): HTMLElement {
  const fraction = (name: string, value: number | null) => field(name, value, percent(value));
  return el(
    "table",
    { class: "cm-octants" },
    el("caption", {}, `Octants (coverage at ${formatFixed(thresholdMm, 1)} mm)`),
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
      ...rows.map((o) =>
        el(
          "tr",
          { "data-octant": o.name, class: o.name === minMarginOctant ? "cm-min-octant" : null },
          el("th", { scope: "row" }, o.name),
          el("td", { class: "cm-num" }, num(o.tumorVolumeMl, 2)),
          el("td", { class: "cm-num" }, num(o.minMarginMm, 2)),
          el("td", { class: "cm-num" }, fraction(`${o.name}-green`, o.fractionGreen)),
          el("td", { class: "cm-num" }, fraction(`${o.name}-yellow`, o.fractionYellow)),
          el("td", { class: "cm-num" }, fraction(`${o.name}-red`, o.fractionRed)),
        ),
      ),
    ),
  );
}

/** The numbers beside the viewer at the current threshold. */
function numbersElement(c: CaseJson, coverage: CoverageMap, areas: CoverageFractions | null): HTMLElement {
  const m = c.margins;
  const t = coverage.thresholdMm;
  const point = m.minMarginPointRas.map((v) => formatFixed(v, 1)).join(", ");
  const list = el(
    "dl",
    { class: "cm-case-numbers" },
    ...definition("MTM", field("mtm", m.mtmMm, `${formatFixed(m.mtmMm, 2)} mm`), ` (rounded ${m.mtmMmRounded} mm)`),
    ...definition("Minimum-margin point (RAS mm)", `${point} — ${m.minMarginOctant} octant`),
    ...definition("Tumor volume", field("tumor-volume", m.tumorVolumeMl, `${formatFixed(m.tumorVolumeMl, 2)} ml`)),
    ...definition("Ice-ball volume", `${formatFixed(m.iceballVolumeMl, 1)} ml`),
    ...definition("Maximum tumor diameter", `${formatFixed(m.tumorMaxDiameterMm, 1)} mm`),
    ...coverageDefinition(
      t,
      {
        green: coverage.overall.fractionGreen,
        yellow: coverage.overall.fractionYellow,
        red: coverage.overall.fractionRed,
      },
      "by volume, the engine's",
    ),
    ...(areas
      ? definition(
          "Tumor surface by area",
          field("area-green", areas.fractionGreen, percent(areas.fractionGreen)),
          " green, ",
          field("area-yellow", areas.fractionYellow, percent(areas.fractionYellow)),
          " yellow, ",
          field("area-red", areas.fractionRed, percent(areas.fractionRed)),
          " red (the 3D view's surface; the margin is smallest on it, so its shares lean to yellow and red)",
        )
      : []),
  );
  const engineOctant = new Map(m.octants.map((o) => [o.name, o]));
  const octants = octantsTable(
    t,
    m.minMarginOctant,
    coverage.octants.map((o) => {
      const engine = engineOctant.get(o.name);
      return { ...o, tumorVolumeMl: engine?.tumorVolumeMl, minMarginMm: engine?.minMarginMm };
    }),
  );
  return el("div", {}, list, octants);
}

/** The legend of the viewer's colours in the current palette. */
function legend(c: CaseJson, palette: PaletteName): HTMLElement {
  const p = COVERAGE_PALETTES[palette];
  const swatch = (color: string, text: string, style = "") =>
    el(
      "li",
      {},
      el("span", { class: "cm-swatch", style: `background:${color};${style}`, "aria-hidden": "true" }),
      text,
    );
  return el(
    "ul",
    { class: "cm-legend", "aria-label": "Colours of the viewer" },
    swatch(p.green, "margin ≥ threshold (covered with the intended margin)"),
    swatch(p.yellow, "0 ≤ margin < threshold (covered, without the intended margin)"),
    swatch(p.red, "margin < 0 (not covered)"),
    swatch("transparent", "tumor outline", `border:2px solid ${OUTLINE_COLORS.tumor}`),
    swatch(
      "transparent",
      "ice-ball outline (registered into the pre-ablation grid)",
      `border:2px solid ${OUTLINE_COLORS.iceball}`,
    ),
    swatch(
      "#000",
      "minimum-margin point (ring on the slices, white ball in 3D)",
      `border:2px solid ${OUTLINE_COLORS.minMarginPoint};border-radius:50%`,
    ),
    swatch(
      "rgb(120 190 255 / 0.35)",
      "ice ball in 3D (translucent); grey planes: the octant planes through the tumor centroid",
    ),
    el(
      "li",
      {},
      c.background.kind === "pre"
        ? "Grey: the scans (synthetic T2-like in the twin cohort)."
        : "Grey: the masks (no images in this cohort): ice ball dim, tumor bright.",
    ),
  );
}

/** A labelled control (checkbox or select) in the viewer's fieldset. */
function control(input: HTMLElement, text: string): HTMLElement {
  return el("div", { class: "cm-control" }, input, el("label", { for: input.id }, text));
}

/** A captioned panel. */
function panel(canvas: HTMLElement, caption: string): HTMLElement {
  return el("figure", { class: "cm-panel" }, canvas, el("figcaption", {}, caption));
}

/**
 * Builds the viewer for one case. Resolves with the numbers and the slices drawn; the 3D view starts on
 * the next frame (data-view3d="ready" on the section when its first frame is drawn, data-view3d-at the
 * time since navigation, ms). Its WebGL context is released when `invalidation` resolves.
 */
export async function caseViewer(
  c: CaseJson,
  buffers: CaseBuffers,
  options: { invalidation?: Promise<unknown> } = {},
): Promise<HTMLElement> {
  const id = c.siteId;
  const [background, post, masks, margins] = await Promise.all(
    [buffers.background, buffers.post, buffers.masks, buffers.margins].map(readGridVolume),
  );
  const meshes = decodeCaseMeshes(await gunzip(buffers.mesh));
  const marginValues = margins.data as Float32Array;
  const maskLabels = masks.data as Uint8Array;
  // masks.nii.gz: 1 ice only, 2 tumor outside the ice, 3 tumor inside → bit 1 tumor, bit 2 ice.
  const maskBits = maskLabels.map((v) => (v >= 2 ? 1 : 0) | (v === 1 || v === 3 ? 2 : 0));

  const threshold = el("input", {
    id: `case-threshold-${id}`,
    type: "range",
    min: 0,
    max: 10,
    step: 0.5,
    value: c.margins.thresholdMm,
  });
  const thresholdOutput = el("output", { for: threshold.id }, `${formatFixed(c.margins.thresholdMm, 1)} mm`);
  const paletteSelect = el(
    "select",
    { id: `case-palette-${id}` },
    ...(Object.keys(COVERAGE_PALETTES) as PaletteName[]).map((name) =>
      el("option", { value: name }, COVERAGE_PALETTES[name].label),
    ),
  );
  const orientation = el(
    "select",
    { id: `case-orientation-${id}` },
    el("option", { value: "radiological" }, "radiological (patient's right on the left)"),
    el("option", { value: "neurological" }, "neurological (patient's right on the right)"),
  );
  const showFills = el("input", { id: `case-coverage-${id}`, type: "checkbox", checked: true });
  const showIce = el("input", { id: `case-ice-${id}`, type: "checkbox", checked: true });
  const showPlanes = el("input", { id: `case-octants-${id}`, type: "checkbox", checked: true });
  const showMarker = el("input", { id: `case-marker-${id}`, type: "checkbox", checked: true });

  const voxelToWorld = c.grid.voxelToWorld;
  const spacing = [0, 1, 2].map((a) => Math.hypot(voxelToWorld[a], voxelToWorld[4 + a], voxelToWorld[8 + a]));
  const W = invertAffine(Float64Array.from(voxelToWorld), "tumor");
  const p = c.margins.minMarginPointRas;
  const pointVoxel: Vec3 | null = p.every(Number.isFinite)
    ? ([0, 1, 2].map((r) =>
        Math.round(W[4 * r] * p[0] + W[4 * r + 1] * p[1] + W[4 * r + 2] * p[2] + W[4 * r + 3]),
      ) as Vec3)
    : null;
  let layout = axialLayout(voxelToWorld, true);
  const slices = background.dims[layout.through];
  // The tumor's slices: the first view is the minimum point's slice, or the tumor's nearest to it (a
  // point on a cap between slices rounds to a slice without tumor).
  const throughStride = [1, background.dims[0], background.dims[0] * background.dims[1]][layout.through];
  let firstTumorSlice = slices;
  let lastTumorSlice = -1;
  maskBits.forEach((bits, v) => {
    if ((bits & 1) === 0) return;
    const k = Math.floor(v / throughStride) % slices;
    firstTumorSlice = Math.min(firstTumorSlice, k);
    lastTumorSlice = Math.max(lastTumorSlice, k);
  });
  const slice = el("input", {
    id: `case-slice-${id}`,
    type: "range",
    min: 0,
    max: slices - 1,
    step: 1,
    value:
      pointVoxel && lastTumorSlice >= 0
        ? Math.min(lastTumorSlice, Math.max(firstTumorSlice, pointVoxel[layout.through]))
        : Math.floor(slices / 2),
  });
  const sliceOutput = el("output", { for: slice.id }, "");

  const canvases = [0, 1, 2].map((k) =>
    el("canvas", {
      class: "cm-slice",
      width: PANEL_PX,
      height: PANEL_PX,
      role: "img",
      "aria-label": [
        "Pre-ablation scan with the tumor outline",
        "Post-ablation scan (registered) with the ice-ball outline",
        "Overlay after registration: tumor coverage, tumor and ice-ball outlines, minimum-margin point",
      ][k],
    }),
  );
  const canvas3d = el("canvas", {
    class: "cm-view3d",
    role: "img",
    "aria-label": `3D view of case ${id}: tumor surface coloured by margin, ice ball translucent, minimum margin ${formatFixed(c.margins.mtmMm, 2)} mm marked`,
  });
  const box3d = el("div", { class: "cm-view3d-box", style: `width:${VIEW3D_PX}px;height:${VIEW3D_PX}px` }, canvas3d);
  const numbers = el("div", { class: "cm-case-side", "aria-live": "polite" });
  const legendBox = el("div", {});
  const controls = el(
    "fieldset",
    { class: "cm-controls" },
    el("legend", {}, "Viewer"),
    el(
      "div",
      { class: "cm-control" },
      el("label", { for: threshold.id }, "Coverage threshold"),
      threshold,
      thresholdOutput,
    ),
    el("div", { class: "cm-control" }, el("label", { for: slice.id }, "Axial slice"), slice, sliceOutput),
    el("div", { class: "cm-control" }, el("label", { for: paletteSelect.id }, "Colours"), paletteSelect),
    el("div", { class: "cm-control" }, el("label", { for: orientation.id }, "Orientation"), orientation),
    control(showFills, " Coverage fill on the overlay"),
    control(showIce, " Ice ball in 3D"),
    control(showPlanes, " Octant planes in 3D"),
    control(showMarker, " Minimum-margin point in 3D"),
  );
  const root = el(
    "section",
    { class: "cm-case", "aria-label": `Case ${id}` },
    el(
      "div",
      { class: "cm-case-view" },
      el(
        "div",
        { class: "cm-panels" },
        panel(canvases[0], "1 · Pre-ablation scan, tumor outline"),
        panel(canvases[1], "2 · Post-ablation scan (registered), ice-ball outline"),
        panel(canvases[2], "3 · Overlay after registration: coverage, both outlines"),
        panel(box3d, "4 · 3D: tumor surface by margin, ice ball, minimum point (drag to rotate, wheel to zoom)"),
      ),
      controls,
      legendBox,
    ),
    numbers,
  );

  const colorsOf = (): [string, string, string] => {
    const q = COVERAGE_PALETTES[paletteSelect.value as PaletteName];
    return [q.green, q.yellow, q.red];
  };
  let coverage = coverageAtThreshold(marginValues, c.grid, c.centroidRas, Number(threshold.value));
  const drawSlices = () => {
    const k = Number(slice.value);
    sliceOutput.textContent = `${k + 1} of ${slices}`;
    const colors = colorsOf();
    const panels: SlicePanel[] = [
      { grey: background, masks: maskBits, outline: { tumor: OUTLINE_COLORS.tumor }, fills: null, point: pointVoxel },
      { grey: post, masks: maskBits, outline: { iceball: OUTLINE_COLORS.iceball }, fills: null, point: pointVoxel },
      {
        grey: background,
        masks: maskBits,
        outline: { tumor: OUTLINE_COLORS.tumor, iceball: OUTLINE_COLORS.iceball },
        fills: showFills.checked ? { labels: coverage.classes, colors } : null,
        point: pointVoxel,
      },
    ];
    for (let i = 0; i < panels.length; i++) drawAxialSlice(canvases[i], panels[i], layout, spacing, k);
  };
  const showNumbers = () =>
    numbers.replaceChildren(numbersElement(c, coverage, areaFractions(meshes, coverage.thresholdMm)));
  showNumbers();
  legendBox.replaceChildren(legend(c, paletteSelect.value as PaletteName));
  drawSlices();

  let view: CaseView3d | null = null;
  threshold.addEventListener("input", () => {
    const t = Number(threshold.value);
    thresholdOutput.textContent = `${formatFixed(t, 1)} mm`;
    coverage = coverageAtThreshold(marginValues, c.grid, c.centroidRas, t);
    showNumbers();
    drawSlices();
    view?.recolor(t, colorsOf());
  });
  paletteSelect.addEventListener("change", () => {
    legendBox.replaceChildren(legend(c, paletteSelect.value as PaletteName));
    drawSlices();
    view?.recolor(Number(threshold.value), colorsOf());
  });
  orientation.addEventListener("change", () => {
    const radiological = orientation.value === "radiological";
    layout = axialLayout(voxelToWorld, radiological);
    drawSlices();
    if (view) {
      view.viewAsSlices(radiological);
      markProjections(view);
    }
  });
  slice.addEventListener("input", drawSlices);
  showFills.addEventListener("change", drawSlices);
  showIce.addEventListener("change", () => view?.showIce(showIce.checked));
  showPlanes.addEventListener("change", () => view?.showPlanes(showPlanes.checked));
  showMarker.addEventListener("change", () => view?.showMarker(showMarker.checked));
  root.dataset.ready = "true";

  /**
   * Where the current 3D view shows the minimum point and the patient's right and left of the tumor
   * centroid (±20 mm in x), as canvas CSS pixels in data attributes (tests read them).
   */
  const markProjections = (v: CaseView3d) => {
    const m = c.mesh.minimumVertex;
    const positions = meshes.tumor.positionsMm;
    const [x, y] = v.project([positions[3 * m], positions[3 * m + 1], positions[3 * m + 2]]);
    const [cx, cy, cz] = c.centroidRas;
    canvas3d.dataset.minX = String(x);
    canvas3d.dataset.minY = String(y);
    canvas3d.dataset.rightX = String(v.project([cx + 20, cy, cz])[0]);
    canvas3d.dataset.leftX = String(v.project([cx - 20, cy, cz])[0]);
  };

  // The 3D view attaches once the canvas is in the document (NiiVue sizes the drawing buffer from it).
  requestAnimationFrame(() => {
    // NiiVue's label font has ASCII glyphs only.
    const label = `MTM ${formatFixed(c.margins.mtmMm, 1)} mm, ${c.margins.minMarginOctant}`;
    caseView3d(canvas3d, meshes, {
      thresholdMm: Number(threshold.value),
      colors: colorsOf(),
      centroidRas: c.centroidRas,
      minimumVertex: c.mesh.minimumVertex,
      label,
    })
      .then((v) => {
        view = v;
        markProjections(v);
        root.dataset.view3dAt = String(performance.now());
        root.dataset.view3d = "ready";
      })
      .catch((error: Error) => {
        box3d.replaceChildren(el("p", { class: "cm-banner" }, `The 3D view could not start: ${error.message}`));
        root.dataset.view3d = "error";
      });
  });
  if (options.invalidation)
    options.invalidation.then(() => {
      // Browsers cap live WebGL contexts: release this one when the cell is rerun or the page left.
      canvas3d.getContext("webgl2")?.getExtension("WEBGL_lose_context")?.loseContext();
    });
  return root;
}

/** Inflates gzip bytes with the browser's DecompressionStream. */
async function gunzip(bytes: ArrayBuffer): Promise<ArrayBuffer> {
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
}

/**
 * The what-if explorer: a margin-threshold slider (−5 to +10 mm), an ice-ball Δ slider (a uniform change
 * of the ice ball, −5 to +5 mm) and a "tumors > 3 cm only" checkbox; on every input it reruns `whatIf`
 * of @cryomargin/analysis (the package the CLI runs) in the browser and redraws everything:
 * the 2×2 table of predicted versus observed LTP, sensitivity/specificity/PPV/NPV with exact
 * (Clopper-Pearson) intervals, Fisher's exact p, Kaplan-Meier by predicted group with the log-rank p,
 * and the ROC of the margin with its AUC (DeLong CI) and the Youden threshold marked. Nothing is looked
 * up: every number comes from the cases on each input.
 *
 * Controls are native <input>s with <label>s (keyboard: Tab, arrows, Space). Each shown number carries
 * `data-field` and its unrounded value in `data-value`, so tests compare it with the CLI's; the root
 * element counts finished updates in `data-updates`, names the settings shown in `data-rendered`
 * ("threshold|delta|largeOnly") and dispatches `cm-whatif-updated` (detail: ms of the update) after the
 * charts are drawn. An update overtaken by a newer input is dropped (not counted).
 *
 * Example, in a page:
 *   display(whatIfExplorer(study.whatIfCases, { invalidation }));
 */
import {
  formatAuc,
  formatFixed,
  formatPStatementPaper,
  MISSING_TEXT,
  rocChart,
  type WhatIfCase,
  type WhatIfOptions,
  type WhatIfResult,
  whatIf,
  whatIfSurvivalChart,
} from "@cryomargin/analysis";
import { el, percent } from "./report.js";
import { vegaFigure } from "./vegaFigure.js";

export interface ExplorerOptions {
  thresholdMm?: number;
  iceballDeltaMm?: number;
  largeTumorsOnly?: boolean;
  /** Framework's cell invalidation: finalises the charts' vega views when the cell is rerun. */
  invalidation?: Promise<unknown>;
  /** Prefix of element ids (two explorers on one page need different ones). */
  idPrefix?: string;
}

/** The explorer's control ranges, mm. */
export const THRESHOLD_RANGE = { min: -5, max: 10, step: 0.5 } as const;
export const ICEBALL_DELTA_RANGE = { min: -5, max: 5, step: 0.5 } as const;

/** A number cell that tests can read: formatted text, unrounded value in data-value. */
function field(name: string, value: number, text: string): HTMLElement {
  return el("span", { "data-field": name, "data-value": Number.isFinite(value) ? String(value) : "NaN" }, text);
}

/** "66.7% (9.4%–99.2%)" for a proportion with its exact CI; "—" without a denominator. */
function proportionText(p: WhatIfResult["accuracy"]["sensitivity"]): string {
  if (p.n === 0) return MISSING_TEXT;
  return `${percent(p.estimate)} (${percent(p.lower)}–${percent(p.upper)})`;
}

/** The 2×2 table of predicted (rows) versus observed (columns) outcome. */
function confusionElement(r: WhatIfResult): HTMLElement {
  const t = r.table;
  const rule = `MTM${r.iceballDeltaMm === 0 ? "" : ` + Δ`} < ${formatFixed(r.thresholdMm, 1)} mm`;
  const row = (label: string, a: [string, number], b: [string, number]) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, label),
      el("td", { class: "cm-num" }, field(a[0], a[1], String(a[1]))),
      el("td", { class: "cm-num" }, field(b[0], b[1], String(b[1]))),
      el("td", { class: "cm-num" }, String(a[1] + b[1])),
    );
  return el(
    "table",
    { class: "cm-confusion" },
    el("caption", {}, `Predicted (${rule} ⇒ LTP) versus observed, n = ${r.n}`),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("td"),
        el("th", { scope: "col" }, "Observed LTP"),
        el("th", { scope: "col" }, "Observed local control"),
        el("th", { scope: "col" }, "Total"),
      ),
    ),
    el(
      "tbody",
      {},
      row("Predicted LTP", ["tp", t.truePositive], ["fp", t.falsePositive]),
      row("Predicted local control", ["fn", t.falseNegative], ["tn", t.trueNegative]),
    ),
  );
}

/** Sensitivity, specificity, PPV, NPV with their exact CIs and x/n. */
function accuracyElement(r: WhatIfResult): HTMLElement {
  const level = `${Math.round(100 * r.confLevel)}%`;
  const rows: [string, string, WhatIfResult["accuracy"]["sensitivity"]][] = [
    ["sensitivity", "Sensitivity", r.accuracy.sensitivity],
    ["specificity", "Specificity", r.accuracy.specificity],
    ["ppv", "Positive predictive value", r.accuracy.positivePredictiveValue],
    ["npv", "Negative predictive value", r.accuracy.negativePredictiveValue],
  ];
  return el(
    "table",
    { class: "cm-accuracy" },
    el("caption", {}, `Accuracy of the rule, with exact (Clopper-Pearson) ${level} intervals`),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, "Measure"),
        el("th", { scope: "col" }, `Estimate (${level} CI)`),
        el("th", { scope: "col" }, "x / n"),
      ),
    ),
    el(
      "tbody",
      {},
      ...rows.map(([key, label, p]) =>
        el(
          "tr",
          { "data-measure": key },
          el("th", { scope: "row" }, label),
          el(
            "td",
            {},
            field(key, p.estimate, proportionText(p)),
            el("span", { hidden: true, "data-field": `${key}-lower`, "data-value": String(p.lower) }),
            el("span", { hidden: true, "data-field": `${key}-upper`, "data-value": String(p.upper) }),
          ),
          el("td", { class: "cm-num" }, `${p.x} / ${p.n}`),
        ),
      ),
    ),
  );
}

/** Fisher's test, log-rank and ROC numbers as sentences. */
function testsElement(r: WhatIfResult): HTMLElement {
  const or = r.fisher.oddsRatio;
  const logRank = r.survival.logRank;
  const roc = r.roc;
  const items = [
    el(
      "li",
      {},
      "Fisher's exact test (two-sided): ",
      field("fisher-p", r.fisher.p, formatPStatementPaper(r.fisher.p)),
      Number.isFinite(or) ? `, odds ratio ${formatFixed(or, 2)}` : ", odds ratio undefined (an empty row or column)",
      ".",
    ),
    el(
      "li",
      {},
      "Log-rank test of LTP-free survival between the predicted groups: ",
      Number.isFinite(logRank.p)
        ? el(
            "span",
            {},
            `χ² = ${formatFixed(logRank.chisq, 2)}, `,
            field("logrank-p", logRank.p, formatPStatementPaper(logRank.p)),
          )
        : field("logrank-p", Number.NaN, "undefined (a group is empty or has no event)"),
      ".",
    ),
    roc
      ? el(
          "li",
          {},
          "ROC of the margin: AUC ",
          field("auc", roc.auc, formatAuc(roc.auc)),
          ` (${Math.round(100 * roc.confLevel)}% CI `,
          field("auc-lower", roc.ci[0], formatAuc(roc.ci[0])),
          "–",
          field("auc-upper", roc.ci[1], formatAuc(roc.ci[1])),
          ", DeLong); Youden-optimal rule MTM < ",
          field("youden-mm", roc.youden.thresholdMm, formatFixed(roc.youden.thresholdMm, 1)),
          ` mm (J = ${formatFixed(roc.youden.j, 2)}).`,
        )
      : el("li", {}, "ROC undefined: it needs at least one LTP and one local control."),
  ];
  for (const group of r.survival.groups)
    items.push(
      el(
        "li",
        {},
        `${group.label}: ${group.n} tumors, ${group.events} LTP; LTP-free survival `,
        group.landmarks.length > 0 && group.fit
          ? group.landmarks.map((l) => `${percent(l.surv)} at ${l.time} months`).join(", ")
          : MISSING_TEXT,
        ".",
      ),
    );
  return el("ul", { class: "cm-tests" }, ...items);
}

/** A labelled range input with its live value. */
function rangeControl(
  id: string,
  label: string,
  range: { min: number; max: number; step: number },
  value: number,
): { wrapper: HTMLElement; input: HTMLInputElement } {
  const input = el("input", {
    id,
    type: "range",
    min: range.min,
    max: range.max,
    step: range.step,
    value,
    "aria-valuetext": `${value} mm`,
  });
  const output = el("output", { for: id }, `${formatFixed(value, 1)} mm`);
  input.addEventListener("input", () => {
    output.textContent = `${formatFixed(Number(input.value), 1)} mm`;
    input.setAttribute("aria-valuetext", `${input.value} mm`);
  });
  return { wrapper: el("div", { class: "cm-control" }, el("label", { for: id }, label), input, output), input };
}

/**
 * Builds the explorer over `cases` (one per tumor: MTM, LTP, LTP-free months, diameter). Returns its root
 * element; it updates itself on every input.
 */
export function whatIfExplorer(cases: readonly WhatIfCase[], options: ExplorerOptions = {}): HTMLElement {
  const prefix = options.idPrefix ?? "whatif";
  const threshold = rangeControl(
    `${prefix}-threshold`,
    "Margin threshold: a tumor is predicted to progress when its MTM is below",
    THRESHOLD_RANGE,
    options.thresholdMm ?? 0,
  );
  const delta = rangeControl(
    `${prefix}-delta`,
    "Ice ball Δ (+ larger, − smaller): every MTM shifts by",
    ICEBALL_DELTA_RANGE,
    options.iceballDeltaMm ?? 0,
  );
  const large = el("input", { id: `${prefix}-large`, type: "checkbox", checked: options.largeTumorsOnly ?? false });
  const controls = el(
    "fieldset",
    { class: "cm-controls" },
    el("legend", {}, "What if…"),
    threshold.wrapper,
    delta.wrapper,
    el("div", { class: "cm-control" }, large, el("label", { for: `${prefix}-large` }, " Tumors > 3 cm only")),
  );
  const summary = el("p", { class: "cm-whatif-summary", "aria-live": "polite" });
  const numbers = el("div", { class: "cm-whatif-numbers" });
  const km = el("div", { class: "cm-whatif-chart" });
  const roc = el("div", { class: "cm-whatif-chart" });
  const notes = el("ul", { class: "cm-notes" });
  const root = el(
    "section",
    { class: "cm-whatif", "data-updates": 0, "aria-label": "What-if explorer" },
    controls,
    summary,
    numbers,
    el("div", { class: "cm-whatif-charts" }, km, roc),
    notes,
  );

  let updates = 0;
  let sequence = 0;
  let finalizeCharts: () => void = () => {};
  if (options.invalidation) options.invalidation.then(() => finalizeCharts());

  /** Reads the controls, recomputes, redraws; a stale update (a newer input arrived) is discarded. */
  const update = async () => {
    const start = performance.now();
    const mine = ++sequence;
    const settings: WhatIfOptions = {
      thresholdMm: Number(threshold.input.value),
      iceballDeltaMm: Number(delta.input.value),
      largeTumorsOnly: large.checked,
    };
    const r = whatIf(cases, settings);
    let release: () => void = () => {};
    const invalidation = new Promise<void>((resolve) => {
      release = resolve;
    });
    const [kmFigure, rocFigure] = await Promise.all([
      vegaFigure(whatIfSurvivalChart(r.survival), { invalidation }),
      r.roc
        ? vegaFigure(rocChart(r.roc, { operatingPoint: r.operatingPoint }), { invalidation })
        : Promise.resolve(el("p", {}, "ROC undefined: it needs at least one LTP and one local control.")),
    ]);
    if (mine !== sequence) {
      release();
      return;
    }
    finalizeCharts();
    finalizeCharts = release;
    summary.replaceChildren(
      `${r.n} tumors analysed`,
      r.nExcluded > 0 ? ` (${r.nExcluded} of ${cases.length} left out: diameter ≤ 3 cm)` : "",
      `; rule: predicted LTP when MTM${r.iceballDeltaMm === 0 ? "" : ` ${r.iceballDeltaMm > 0 ? "+" : "−"} ${formatFixed(Math.abs(r.iceballDeltaMm), 1)}`} < ${formatFixed(r.thresholdMm, 1)} mm.`,
    );
    numbers.replaceChildren(confusionElement(r), accuracyElement(r), testsElement(r));
    km.replaceChildren(kmFigure);
    roc.replaceChildren(rocFigure);
    notes.replaceChildren(...[...r.notes, r.method].map((n) => el("li", {}, n)));
    updates++;
    root.dataset.updates = String(updates);
    root.dataset.rendered = `${r.thresholdMm}|${r.iceballDeltaMm}|${r.largeTumorsOnly}`;
    root.dispatchEvent(new CustomEvent("cm-whatif-updated", { detail: { ms: performance.now() - start } }));
  };
  for (const input of [threshold.input, delta.input]) input.addEventListener("input", () => void update());
  large.addEventListener("change", () => void update());
  void update();
  return root;
}

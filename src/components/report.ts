/**
 * Small DOM builders shared by the study report's pages: the CLI's text tables as real HTML tables
 * (caption, header cells with scope, notes), a sortable table whose header buttons work from the
 * keyboard, and the notice a page shows when the site was built without a cohort. No library: plain DOM,
 * so nothing is fetched from elsewhere.
 *
 * Example, in a page:
 *   import { textTableElement } from "./components/report.js";
 *   display(textTableElement(study.tables.table1));
 */
import { formatFixed, MISSING_TEXT, type TextTable } from "@cryomargin/analysis";
import type { StudyJson } from "./study.js";

type Child = Node | string | number | null | undefined | false;

/**
 * A DOM element with attributes (strings; `false`/null/undefined skip) and children (strings become text).
 * Example: `el("a", { href: "/x" }, "link")`.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | null | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "number" ? String(child) : child);
  }
  return node;
}

/** A number with fixed decimals, "—" when missing (the CLI's formatting). */
export function num(x: number | null | undefined, decimals: number): string {
  return x === null || x === undefined ? MISSING_TEXT : formatFixed(x, decimals);
}

/** A fraction as a percentage with one decimal: 0.1234 → "12.3%"; missing → "—". */
export function percent(x: number | null | undefined, decimals = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? MISSING_TEXT : `${formatFixed(100 * x, decimals)}%`;
}

/**
 * One of the CLI's tables (a TextTable of formatResults) as an HTML table: the title as caption, the
 * columns as header cells, the first column as row headers, the notes below. `cellLink` may turn a
 * cell into a link (the per-case table links its case column to the case page).
 */
export function textTableElement(
  table: TextTable,
  options: { cellLink?: (row: string[], column: number) => string | null } = {},
): HTMLElement {
  const head = el("tr", {}, ...table.columns.map((c) => el("th", { scope: "col" }, c)));
  const body = table.rows.map((row) =>
    el(
      "tr",
      {},
      ...row.map((cell, i) => {
        const href = options.cellLink?.(row, i) ?? null;
        const content = href ? el("a", { href }, cell) : cell;
        return i === 0 ? el("th", { scope: "row" }, content) : el("td", {}, content);
      }),
    ),
  );
  const figure = el(
    "figure",
    { class: "cm-table", "data-table": table.name },
    el("table", {}, el("caption", {}, table.title), el("thead", {}, head), el("tbody", {}, ...body)),
  );
  if (table.notes.length > 0)
    figure.append(el("ul", { class: "cm-notes" }, ...table.notes.map((n) => el("li", {}, n))));
  return figure;
}

/** A column of a sortable table: how to show and how to sort a row's value. */
export interface SortableColumn<Row> {
  label: string;
  /** Sort key (numbers sort numerically, NaN/null last; strings by locale). */
  value: (row: Row) => number | string | null;
  /** Cell content (default: the value as text). */
  cell?: (row: Row) => Node | string;
  numeric?: boolean;
}

/**
 * A table whose column headers are buttons: activating one (click, Enter or Space) sorts by that column,
 * again reverses; `aria-sort` tells assistive technology the current order.
 */
export function sortableTable<Row>(
  caption: string,
  columns: readonly SortableColumn<Row>[],
  rows: readonly Row[],
  initial: { column: number; descending?: boolean } = { column: 0 },
): HTMLElement {
  let sortColumn = initial.column;
  let descending = initial.descending ?? false;
  const tbody = el("tbody");
  const headers = columns.map((c, i) => {
    const button = el("button", { type: "button", class: "cm-sort" }, c.label);
    button.addEventListener("click", () => {
      descending = sortColumn === i ? !descending : false;
      sortColumn = i;
      render();
    });
    return el("th", { scope: "col", class: c.numeric ? "cm-num" : null }, button);
  });
  const compare = (a: Row, b: Row): number => {
    const va = columns[sortColumn].value(a);
    const vb = columns[sortColumn].value(b);
    const missingA = va === null || (typeof va === "number" && Number.isNaN(va));
    const missingB = vb === null || (typeof vb === "number" && Number.isNaN(vb));
    if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
    const order = typeof va === "number" && typeof vb === "number" ? va - vb : String(va).localeCompare(String(vb));
    return descending ? -order : order;
  };
  const render = () => {
    headers.forEach((th, i) => {
      th.setAttribute("aria-sort", i === sortColumn ? (descending ? "descending" : "ascending") : "none");
    });
    tbody.replaceChildren(
      ...[...rows].sort(compare).map((row) =>
        el(
          "tr",
          {},
          ...columns.map((c, i) => {
            const content = c.cell ? c.cell(row) : String(c.value(row) ?? MISSING_TEXT);
            return i === 0
              ? el("th", { scope: "row" }, content)
              : el("td", { class: c.numeric ? "cm-num" : null }, content);
          }),
        ),
      ),
    );
  };
  render();
  return el(
    "figure",
    { class: "cm-table" },
    el("table", { class: "cm-sortable" }, el("caption", {}, caption), el("thead", {}, el("tr", {}, ...headers)), tbody),
  );
}

/** What a page shows when the site was built without a cohort (study.json says why). */
export function unavailableNotice(study: StudyJson): HTMLElement | null {
  if (study.available) return null;
  return el("p", { class: "cm-banner", role: "note" }, el("strong", {}, "No data. "), study.reason);
}

/** The link to a case page from a page at the site's top level. */
export function caseHref(siteId: string): string {
  return `./cases/${encodeURIComponent(siteId)}`;
}

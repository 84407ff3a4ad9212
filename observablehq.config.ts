// Observable Framework configuration for the cryomargin study report.
// Pages import libraries by bare specifier from node_modules only (no `npm:` imports, no implicit
// Plot/d3/Inputs), so the site builds and runs with no network but the npm registry at install time.
//
// Environment (see src/data/siteEnv.ts): CRYOMARGIN_COHORT (cohort folder, default data/cohort),
// CRYOMARGIN_PUBLISH=1 (publish mode: pseudonyms, no user columns). CRYOMARGIN_SITE_ROOT and
// CRYOMARGIN_SITE_OUTPUT move the source root and output folder (tests build a second site in isolation).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCohortFolder } from "./build/loaders/cohort/cohortFolder.js";
import { cohortExists, isPublishMode, siteCaseIds, siteCohortDir, siteInputsFingerprint } from "./src/data/siteEnv.js";

const root = process.env.CRYOMARGIN_SITE_ROOT ?? "src";
const output = process.env.CRYOMARGIN_SITE_OUTPUT ?? "dist";
const cohortDir = siteCohortDir();
const publish = isPublishMode();
const cohort = cohortExists(cohortDir) ? loadCohortFolder(cohortDir) : null;

/**
 * Framework re-runs a data loader only when the loader file is newer than its cached output; the study's
 * outputs also depend on the cohort folder, the mode and the loaders' code. When their fingerprint
 * changes, clear the cached outputs and the bundle of @cryomargin/analysis (not Framework's other `_node`
 * bundles, nor the margin cache `_cryomargin-margins-*`, which is keyed by content).
 */
function clearStaleLoaderOutputs(): void {
  const cache = join(root, ".observablehq", "cache");
  const stampFile = join(cache, "_cryomargin-inputs.txt");
  const stamp = siteInputsFingerprint();
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return;
  if (existsSync(cache))
    for (const entry of readdirSync(cache)) if (!entry.startsWith("_")) rmSync(join(cache, entry), { recursive: true });
  // Framework bundles a node_modules package once per version; the workspace's analysis package changes
  // without a version bump, so its bundle goes too (rebuilt in about a second).
  rmSync(join(cache, "_node", "@cryomargin"), { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  writeFileSync(stampFile, stamp);
}
clearStaleLoaderOutputs();

/** Text as HTML (cohort.json is user input). */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The banner on every page: which cohort, and that it is synthetic when cohort.json says so. */
function cohortBanner(): string {
  if (!cohort) return '<p class="cm-banner" role="note"><strong>No cohort loaded.</strong> The report is empty.</p>';
  const name = escapeHtml(cohort.info.name);
  const mode = publish ? " Publish mode: ids are pseudonyms." : "";
  return cohort.info.synthetic
    ? `<p class="cm-banner cm-synthetic" role="note"><strong>Synthetic cohort</strong> (${name}): generated data, not patients.${mode}</p>`
    : `<p class="cm-banner" role="note">Cohort: ${name}.${mode}</p>`;
}

/** The report's own styles (inline: no extra file to fetch), on top of Framework's default theme. */
const SITE_CSS = `
#observablehq-main table,#observablehq-main figure{max-width:none}
.cm-banner{margin:0;padding:.4rem .8rem;border-left:4px solid #b26a00;background:#fff4e5;color:#3d2600;font-size:.9rem}
.cm-table{margin:1rem 0;max-width:none;overflow-x:auto}
.cm-table table,.cm-whatif table,.cm-case table{border-collapse:collapse;font-variant-numeric:tabular-nums}
.cm-table caption,.cm-whatif caption,.cm-case caption{caption-side:top;text-align:left;font-weight:600;padding:.3rem 0}
.cm-table th,.cm-table td{padding:.2rem .5rem;vertical-align:top}
.cm-num{text-align:right}
.cm-notes{font-size:.85rem;color:var(--theme-foreground-muted)}
.cm-sort{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;text-align:left;color:inherit}
.cm-sort:focus-visible,.cm-control input:focus-visible{outline:2px solid var(--theme-foreground-focus);outline-offset:2px}
th[aria-sort=ascending] .cm-sort::after{content:" ▲"}
th[aria-sort=descending] .cm-sort::after{content:" ▼"}
.cm-controls{border:1px solid var(--theme-foreground-faint);padding:.5rem 1rem;margin:1rem 0;max-width:640px}
.cm-control{display:flex;gap:.6rem;align-items:center;margin:.3rem 0;flex-wrap:wrap}
.cm-control input[type=range]{width:220px}
.cm-whatif-numbers{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.cm-whatif-numbers td,.cm-whatif-numbers th{padding:.2rem .5rem}
.cm-whatif-charts{display:flex;flex-wrap:wrap;gap:1.5rem}
.cm-case{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.cm-panels{display:grid;grid-template-columns:repeat(2,max-content);gap:.8rem}
.cm-panel{margin:0}
.cm-panel figcaption{font-size:.85rem;max-width:460px}
.cm-slice{display:block;background:#000;width:340px;height:340px}
.cm-view3d-box{background:#1a1a1f}
.cm-view3d{width:100%;height:100%;display:block}
.cm-case-side{flex:1;min-width:320px}
.cm-case-numbers{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
.cm-case-numbers dd{margin:0}
.cm-min-octant th{text-decoration:underline}
.cm-legend{list-style:none;padding:0;font-size:.85rem}
.cm-thumbs{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem;max-width:none}
.cm-thumb{border:3px solid transparent;padding:2px}
.cm-thumb-ltp{border-color:#111}
.cm-thumb a{display:flex;flex-direction:column;align-items:center;text-decoration:none;color:inherit;font-size:.8rem}
.cm-thumb-image{display:block}
.cm-swatch{display:inline-block;width:.9em;height:.9em;margin-right:.4em;vertical-align:middle;border:1px solid #0003}
.cm-dropzone{border:2px dashed var(--theme-foreground-faint);padding:1rem;max-width:640px}
.cm-ws-views{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.cm-ws-view{margin:0}
.cm-ws-canvas{display:block;width:100%;height:100%}
.cm-ws-problem{color:#b00020}
.cm-ws-results{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.cm-ws-problem:empty{display:none}
button[aria-pressed=true]{outline:2px solid var(--theme-foreground-focus)}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
`;

/**
 * The site's icon, inline (an ice ball around a tumor): the browser takes it from the page and never
 * asks the server for /favicon.ico, which a static host answers 404 (a console error on every page).
 * Base64, so Framework's rewriting of the head's URLs has no % to escape again.
 */
const FAVICON = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#56B4E9"/><circle cx="14" cy="17" r="7" fill="#D55E00"/></svg>',
).toString("base64")}`;

/** The case pages: one per tumor of clinical.csv, at cases/<site id> (pseudonyms in publish mode). */
const casePaths = cohort
  ? [
      ...siteCaseIds(
        cohort.records.map((r) => r.caseId),
        publish,
      ).values(),
    ].map((id) => `/cases/${id}`)
  : [];

export default {
  title: "cryomargin",
  root,
  output,
  pages: [
    { name: "Overview", path: "/" },
    { name: "Cohort", path: "/cohort" },
    { name: "Margins", path: "/margins" },
    { name: "Survival", path: "/survival" },
    { name: "Reproduction", path: "/reproduction" },
    { name: "What-if explorer", path: "/whatif" },
    { name: "Methods", path: "/methods" },
    { name: "Your own data", path: "/own-data" },
    { name: "Margin workstation", path: "/workstation" },
  ],
  // The case pages are linked from the Margins page's per-case table rather than listed in the sidebar
  // (32 links on every page of the site would cost ~100 kB of the 5 MB payload and bury the report).
  dynamicPaths: casePaths,
  // Data loaders run with a tsconfig without `paths`: @cryomargin/analysis is then the compiled package,
  // the same engine `cryomargin analyze` and its worker threads run (the root tsconfig maps it to the
  // TypeScript sources for type checking, and tsx would follow that mapping).
  interpreters: { ".ts": ["tsx", "--tsconfig", "src/data/tsconfig.loaders.json"] },
  head: `<meta name="description" content="Volumetric ablation margins after renal cryoablation: study report"><link rel="icon" href="${FAVICON}"><style>${SITE_CSS}</style>`,
  header: cohortBanner(),
  footer:
    "cryomargin — open margin and outcome analysis. Everything is computed on this machine; nothing is sent anywhere.",
  // Framework's default links Google Fonts; a hospital intranet cannot reach it, so use system fonts only.
  globalStylesheets: [],
  search: false,
  linkify: false,
};

// Observable Framework configuration for the cryomargin study report.
// Pages import libraries by bare specifier from node_modules only (no `npm:` imports, no implicit
// Plot/d3/Inputs), so the site builds and runs with no network but the npm registry at install time.
export default {
  title: "cryomargin",
  root: "src",
  output: "dist",
  pages: [{ name: "Overview", path: "/" }],
  head: '<meta name="description" content="Volumetric ablation margins after renal cryoablation: study report">',
  footer: "cryomargin — open margin and outcome analysis. Synthetic cohort unless stated otherwise.",
  // Framework's default links Google Fonts; a hospital intranet cannot reach it, so use system fonts only.
  globalStylesheets: [],
  search: false,
  linkify: false,
};

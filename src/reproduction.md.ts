/**
 * Page loader of the Reproduction page: for a cohort that declares itself the paper's twin, every figure
 * of published-values.json beside the reproduced one, the difference, the tolerance and its status, and
 * the paper's inconsistencies with the reading the reproduction matches — exactly the Markdown
 * `cryomargin analyze` writes as reproduction.md (reproductionToMarkdown), rendered as HTML tables.
 * Same cohort and mode as the study data (src/data/siteEnv.ts); margins come from the shared cache.
 */
import { reproductionToMarkdown } from "@cryomargin/analysis";
import { siteAnalysis, siteNaming } from "./data/buildStudy.js";
import { analyzeSiteCohort } from "./data/siteCohort.js";
import { cohortExists, isPublishMode, siteCaseIds, siteCohortDir } from "./data/siteEnv.js";

const FRONT_MATTER = "---\ntitle: Reproduction\n---\n\n# Reproduction report\n\n";
const INTRO = [
  "Each figure the paper reports (data/paper/published-values.json) beside the figure reproduced from",
  "this cohort, with the tolerance it must meet: counts exactly, rounded values to the printed digits,",
  "hazard ratios within 5%, survival within 1.5 points, p-values to the same significance decision.",
  "",
].join("\n");

async function page(): Promise<string> {
  const dir = siteCohortDir();
  const publish = isPublishMode();
  if (!cohortExists(dir)) return `${FRONT_MATTER}No cohort folder: nothing to compare.\n`;
  const analysis = await analyzeSiteCohort(dir);
  const ids = siteCaseIds(
    analysis.cases.map((c) => c.caseId),
    publish,
  );
  const { reproduction } = siteAnalysis(analysis, siteNaming(dir, analysis.cases, ids, publish));
  if (!reproduction)
    return (
      FRONT_MATTER +
      "This cohort does not declare itself the paper's twin (`paper_twin` in cohort.json), so its figures " +
      "are not compared with the published ones. The paper's own figures are listed on the Methods page.\n"
    );
  // reproductionToMarkdown starts with the same "# Reproduction report" heading: keep one.
  const report = reproductionToMarkdown(reproduction).replace(/^# Reproduction report\n/, "");
  return `${FRONT_MATTER}${INTRO}${report}`;
}

process.stdout.write(await page());

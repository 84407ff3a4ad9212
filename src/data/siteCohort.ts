/**
 * The site's analysis of its cohort: `analyzeCohortFolder` (what `cryomargin analyze` runs) with the
 * site's caches of measured margins and of the registrations cryomargin makes for cases without
 * registration.tfm. The new cache entries are written once the analysis has succeeded, so the next
 * loader (and the next build) reads them instead of measuring and registering again.
 */
import type { CohortAnalysis } from "../../build/loaders/cohort/analyzeFolder.js";
import { analyzeCohortFolder } from "../../build/loaders/cohort/analyzeFolder.js";
import { writeFilesAtomic } from "../../build/loaders/io/files.js";
import { marginCacheDir, registrationCacheDir } from "./siteEnv.js";

export async function analyzeSiteCohort(dir: string): Promise<CohortAnalysis> {
  const analysis = await analyzeCohortFolder(dir, {
    cacheDir: marginCacheDir(),
    registrationCacheDir: registrationCacheDir(),
  });
  writeFilesAtomic(analysis.cacheEntries);
  return analysis;
}

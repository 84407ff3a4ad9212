/**
 * Test-file order for a 2-core run. Vitest's default puts larger (or, with its cache, longer) files first;
 * on top of that the site build is scheduled so that no worker waits on it: the file that builds the site
 * (site-report) starts first, alongside the unit tests, and the other browser files, which need the built
 * site, run after every unit file. A worker waiting on the build lock would otherwise sit idle for the
 * build's minute while the other core builds.
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

const SITE_BUILDER = "test/e2e/site-report.test.ts";

/** 0: builds the site; 1: unit and CLI tests; 2: browser tests that need the built site. */
function phase(moduleId: string): number {
  const path = moduleId.replaceAll("\\", "/");
  if (path.endsWith(SITE_BUILDER)) return 0;
  return path.includes("/test/e2e/") ? 2 : 1;
}

export default class SiteBuildFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const byDefault = await super.sort(files);
    const rank = new Map(byDefault.map((file, index) => [file, index]));
    return [...byDefault].sort(
      (a, b) => phase(a.moduleId) - phase(b.moduleId) || (rank.get(a) ?? 0) - (rank.get(b) ?? 0),
    );
  }
}

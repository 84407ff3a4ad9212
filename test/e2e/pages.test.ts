/**
 * Every page of the built site in chromium but the case pages (over whatever pages exist): no console
 * error or uncaught exception, no cell that failed (.observablehq--error), zero requests to any host but
 * the site's own, no request answered 404 (not even /favicon.ico), no table or chart held to Framework's
 * 640-px column (pageProblems), and a full-page screenshot of each under
 * test-output/screenshots/page-<path>.png. Pages are found in dist/ after the build, so new pages are
 * covered without editing this test. The case pages (/cases/<id>) get the same checks in
 * case3d.test.ts, which loads each of them once for its 3D checks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  builtPagePaths,
  type Chromium,
  DIST,
  ensureChromium,
  ensureSiteBuilt,
  launchChromium,
  openPage,
  pageProblems,
  type StaticServer,
  serveDist,
} from "./harness.js";

describe("every built page in chromium", () => {
  let server: StaticServer;
  let browser: Chromium;
  let pages: string[];

  beforeAll(async () => {
    await ensureChromium();
    await ensureSiteBuilt();
    pages = builtPagePaths(DIST).filter((p) => !/^\/cases\/[^/]+$/.test(p));
    server = await serveDist();
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("renders each page without errors or foreign requests, and screenshots it", async () => {
    expect(pages).toContain("/");
    const problems: Record<string, string[]> = {};
    // One tab for every page: a new page per path would start a new renderer each time.
    const visit = await openPage(browser, server, pages[0]);
    for (const path of pages) {
      if (path !== pages[0]) await visit.navigate(path);
      await visit.page.waitForTimeout(250); // let cells that run after load settle
      const found = await pageProblems(visit);
      if (found.length > 0) problems[path] = found;
      await visit.screenshot(`page-${path === "/" ? "index" : path.slice(1).replace(/\//g, "_")}`);
    }
    await visit.page.close();
    expect(problems).toEqual({});
    expect(server.notFound).toEqual([]); // not even /favicon.ico
  }, 300_000);
});

/**
 * Every page of the built site in chromium (the bar, over whatever pages exist): no console
 * error or uncaught exception, no cell that failed (.observablehq--error), zero requests to any host but
 * the site's own, no request answered 404 (not even /favicon.ico), no table or chart held to Framework's
 * 640-px column, and a full-page screenshot of each under test-output/screenshots/page-<path>.png.
 * Pages are found in dist/ after the build, so new pages are covered without editing this test.
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
    pages = builtPagePaths(DIST);
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
    for (const path of pages) {
      const visit = await openPage(browser, server, path);
      await visit.page.waitForTimeout(250); // let cells that run after load settle
      const cellErrors = await visit.page.locator(".observablehq--error").allTextContents();
      // Tables and charts may use the page's full width (Framework's theme caps them at 640 px).
      const capped = await visit.page.$$eval("#observablehq-main table, #observablehq-main figure", (els) =>
        els.filter((e) => getComputedStyle(e).maxWidth !== "none").map((e) => e.tagName.toLowerCase()),
      );
      const found = [
        ...visit.consoleErrors,
        ...capped.map((tag) => `a ${tag} capped below the page's width`),
        ...cellErrors.map((e) => `cell error: ${e}`),
        ...visit.foreignRequests.map((u) => `foreign request: ${u}`),
      ];
      if (found.length > 0) problems[path] = found;
      await visit.screenshot(`page-${path === "/" ? "index" : path.slice(1).replace(/\//g, "_")}`);
      await visit.page.close();
    }
    expect(problems).toEqual({});
    expect(server.notFound).toEqual([]); // not even /favicon.ico
  }, 300_000);
});

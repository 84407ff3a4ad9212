/**
 * The overview page (src/index.md) in chromium: it renders its heading, says the cohort is synthetic,
 * has no cell that failed (Framework marks one with .observablehq--error), logs no console error and
 * requests nothing from any host but its own. Screenshot: test-output/screenshots/overview.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Chromium,
  ensureChromium,
  ensureSiteBuilt,
  launchChromium,
  openPage,
  type RecordedPage,
  type StaticServer,
  serveDist,
} from "./harness.js";

describe("overview page in chromium", () => {
  let server: StaticServer;
  let browser: Chromium;
  let visit: RecordedPage;

  beforeAll(async () => {
    await ensureChromium();
    await ensureSiteBuilt();
    server = await serveDist();
    browser = await launchChromium();
    visit = await openPage(browser, server, "/");
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the heading, says the cohort is synthetic, and every cell ran", async () => {
    const heading = visit.page.locator("h1").first();
    await heading.waitFor({ timeout: 10_000 });
    expect((await heading.textContent())?.trim()).toMatch(/cryomargin/i);
    const body = (await visit.page.locator("main").textContent()) ?? "";
    expect(body).toMatch(/synthetic/i);
    expect(await visit.page.locator(".observablehq--error").count()).toBe(0);
  });

  it("logs no console error and makes zero requests to other hosts", async () => {
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.foreignRequests).toEqual([]);
    // Not even /favicon.ico: the icon is inline in the page's head.
    expect(server.notFound).toEqual([]);
    const icon = (await visit.page.locator('head link[rel="icon"]').getAttribute("href")) ?? "";
    expect(icon).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(icon.split(",")[1], "base64").toString("utf8")).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/,
    );
  });

  it("saves a screenshot", async () => {
    const file = await visit.screenshot("overview");
    expect(file).toMatch(/test-output\/screenshots\/overview\.png$/);
  });
});

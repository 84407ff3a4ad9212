/**
 * The harness catches what the site tests rely on it to catch: a planted console error, an uncaught
 * exception and requests to other hosts (recorded, and failing without an answer); and the static server maps clean URLs as
 * Framework writes them and refuses paths outside its root.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  builtPagePaths,
  type Chromium,
  ensureChromium,
  isForeign,
  isSiteStale,
  launchChromium,
  openPage,
  type RecordedPage,
  resolveStaticPath,
  type StaticServer,
  serveDist,
} from "./harness.js";
import { changedShare, decodePng, luminanceSd } from "./pixels.js";

const PLANTED = `<!doctype html><html><head><meta charset="utf-8"><title>planted</title></head><body>
<h1>planted</h1>
<div id="swatch" style="position:absolute;left:300px;top:10px;width:40px;height:30px;background:linear-gradient(90deg,#1a9850 50%,#d73027 50%)"></div>
<img src="https://cdn.example.com/logo.png" alt="">
<script>
  console.error("planted console error");
  fetch("http://198.51.100.7/track").catch(() => {});
  setTimeout(() => { throw new Error("planted exception"); }, 0);
</script></body></html>`;

/** A page asking a host that would answer (`url`) and one that does not exist. */
const asking = (url: string) => `<!doctype html><html><head><meta charset="utf-8"><title>asking</title></head><body>
<img src="https://cdn.example.com/logo.png" alt=""><script>fetch(${JSON.stringify(url)}).catch(() => {});</script></body></html>`;

describe("e2e harness", () => {
  let server: StaticServer;
  let browser: Chromium;
  let visit: RecordedPage;
  /** Another host that answers: a server on this machine's own network address (not loopback, which chromium never sends through a proxy), counting the requests that reach it. */
  let other: Server;
  let otherUrl: string;
  let reachedOther = 0;

  beforeAll(async () => {
    await ensureChromium();
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === "IPv4" && !a.internal)?.address;
    if (!address) throw new Error("e2e: the harness test needs a non-loopback IPv4 address to stand for another host");
    other = createServer((_request, response) => {
      reachedOther++;
      response.end("answered");
    });
    await new Promise<void>((resolve) => other.listen(0, address, resolve));
    otherUrl = `http://${address}:${(other.address() as AddressInfo).port}/track`;
    server = await serveDist({
      routes: {
        "/__e2e/planted.html": { body: PLANTED, type: "text/html" },
        "/__e2e/asking.html": { body: asking(otherUrl), type: "text/html" },
      },
    });
    browser = await launchChromium();
    visit = await openPage(browser, server, "/__e2e/planted.html");
    await visit.page.waitForTimeout(200);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => other?.close(resolve));
  });

  it("records every request to another host, and none is answered: each fails", async () => {
    expect(visit.foreignRequests).toEqual(
      expect.arrayContaining(["https://cdn.example.com/logo.png", "http://198.51.100.7/track"]),
    );
    expect(visit.foreignRequests).toHaveLength(2);
    // A page asking a host that would answer: the request is recorded and fails, and never reaches it.
    const failed: string[] = [];
    const answered: string[] = [];
    browser.context.on("requestfailed", (r) => failed.push(r.url()));
    browser.context.on("response", (r) => answered.push(r.url()));
    const asked = await openPage(browser, server, "/__e2e/asking.html");
    await expect.poll(() => failed.length).toBe(2);
    expect(failed.sort()).toEqual([otherUrl, "https://cdn.example.com/logo.png"].sort());
    expect(asked.foreignRequests.sort()).toEqual([...failed]);
    expect(answered).toEqual([`${server.origin}/__e2e/asking.html`]);
    expect(reachedOther).toBe(0);
    await asked.page.close();
  });

  it("records console errors and uncaught exceptions", () => {
    expect(visit.consoleErrors).toEqual(
      expect.arrayContaining(["console.error: planted console error", "uncaught: planted exception"]),
    );
  });

  it("reads chromium's screenshots back as pixels (decodePng)", async () => {
    const shot = decodePng(await visit.page.locator("#swatch").screenshot());
    expect([shot.width, shot.height]).toEqual([40, 30]);
    const at = (x: number, y: number) =>
      Array.from(shot.data.subarray(4 * (y * shot.width + x), 4 * (y * shot.width + x) + 4));
    expect(at(5, 3)).toEqual([0x1a, 0x98, 0x50, 255]);
    expect(at(34, 27)).toEqual([0xd7, 0x30, 0x27, 255]);
    expect(luminanceSd(shot)).toBeGreaterThan(10);
    const allGreen = { ...shot, data: shot.data.map((_, i) => [0x1a, 0x98, 0x50, 255][i % 4]) };
    expect(changedShare(shot, allGreen)).toBeCloseTo(0.5, 2);
    expect(() => decodePng(new Uint8Array(16))).toThrow(/not a PNG/);
  });

  it("tells local from foreign URLs", () => {
    expect(isForeign(`${server.origin}/a.js`, server.host)).toBe(false);
    expect(isForeign("data:image/png;base64,AAAA", server.host)).toBe(false);
    expect(isForeign("http://127.0.0.1:1/a.js", server.host)).toBe(true);
    expect(isForeign("https://fonts.googleapis.com/css", server.host)).toBe(true);
  });
});

describe("static path resolution", () => {
  const root = mkdtempSync(join(tmpdir(), "cryomargin-static-"));
  mkdirSync(join(root, "cases"));
  for (const f of ["index.html", "cohort.html", "cases/index.html", "cases/P01.html"]) writeFileSync(join(root, f), f);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("maps clean URLs and refuses to leave the root", () => {
    expect(resolveStaticPath(root, "/")).toBe(join(root, "index.html"));
    expect(resolveStaticPath(root, "/cohort")).toBe(join(root, "cohort.html"));
    expect(resolveStaticPath(root, "/cases/")).toBe(join(root, "cases/index.html"));
    expect(resolveStaticPath(root, "/cases/P01")).toBe(join(root, "cases/P01.html"));
    expect(resolveStaticPath(root, "/missing")).toBeUndefined();
    expect(resolveStaticPath(root, "/../etc/passwd")).toBeUndefined();
    expect(resolveStaticPath(root, "/%2e%2e/%2e%2e/etc/passwd")).toBeUndefined();
  });
});

describe("built page discovery", () => {
  const dist = mkdtempSync(join(tmpdir(), "cryomargin-dist-"));
  for (const d of ["cases", "_observablehq", "_import/components"]) mkdirSync(join(dist, d), { recursive: true });
  for (const f of [
    "index.html",
    "cohort.html",
    "404.html",
    "cases/index.html",
    "cases/P01.html",
    "_observablehq/x.html",
  ])
    writeFileSync(join(dist, f), f);
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  it("lists pages as clean URLs and skips Framework's asset folders and 404", () => {
    expect(builtPagePaths(dist)).toEqual(["/", "/cases/", "/cases/P01", "/cohort"]);
  });
});

describe("site staleness", () => {
  const dist = mkdtempSync(join(tmpdir(), "cryomargin-dist-"));
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  it("a dist/ without index.html, or without the itk-wasm pipelines (a bare `observable build`), is stale", () => {
    expect(isSiteStale(dist)).toBe(true);
    writeFileSync(join(dist, "index.html"), "built now, newer than every input");
    expect(isSiteStale(dist)).toBe(true);
    mkdirSync(join(dist, "_file", "components", "vendor", "itk"), { recursive: true });
    expect(isSiteStale(dist)).toBe(false);
  });
});

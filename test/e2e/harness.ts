/**
 * End-to-end test harness: the built site in Debian's chromium, driven by playwright-core.
 *
 * - `ensureChromium()` runs scripts/ensure-chromium.sh (installs /usr/bin/chromium with apt-get if missing).
 * - `ensureSiteBuilt()` runs `npm run build` when dist/ is missing or older than any input of the site.
 * - `serveDist()` serves dist/ on a random 127.0.0.1 port with a tiny node:http static server (clean URLs
 *   as Framework writes them: /cohort → cohort.html), plus optional extra routes for test fixtures.
 * - `launchChromium()` starts chromium headless with a fresh profile, no sandbox, no GPU but WebGL through
 *   SwiftShader (NiiVue needs WebGL2), and no background traffic of its own.
 * - `openPage()` records console errors, uncaught exceptions and every request to a host other than the
 *   local server (which fails: chromium sends it to a proxy that is not there, so a test never reaches
 *   the network), and saves screenshots under
 *   test-output/screenshots/; `navigate()` takes the same page (and its recording) to the next path.
 * - `pageProblems()` lists what no page of the site may show: console errors, failed cells, foreign
 *   requests, and tables or charts held to Framework's 640-px column.
 */
import { execFile } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type BrowserContext, chromium, type Page } from "playwright-core";

const run = promisify(execFile);

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DIST = join(ROOT, "dist");
export const SCREENSHOTS = join(ROOT, "test-output", "screenshots");
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Chromium's command line: the flags the issue asks for, WebGL via SwiftShader without a GPU, and a proxy
 * on a closed port of this machine for every request to another host, which therefore fails without
 * reaching the network. Chromium sends no loopback request through a proxy: the test server's, and a
 * request to another port of this machine (recorded as foreign all the same, never leaving it). The
 * requests are not intercepted (Playwright's page.route): intercepting every request of the site's
 * pages cost a quarter of the case pages' CPU (case3d.test.ts, 32 pages: 51–54 s of CPU intercepted,
 * 38–41 s not, load 6–10).
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-quic",
  "--no-first-run",
  "--disable-sync",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--proxy-server=127.0.0.1:9",
];

/** Installs chromium through the project's script when it is missing; throws its message if it cannot. */
export async function ensureChromium(): Promise<void> {
  try {
    await run("sh", [join(ROOT, "scripts", "ensure-chromium.sh")], { cwd: ROOT });
  } catch (error) {
    const { stderr = "" } = error as { stderr?: string };
    throw new Error(
      `e2e: chromium is not available and could not be installed:\n${stderr || (error as Error).message}`,
    );
  }
}

/** What the site is built from; a change to any of these makes dist/ stale. Test files do not count. */
const SITE_INPUTS = [
  "src",
  "observablehq.config.ts",
  "analysis/src",
  "loaders",
  "data",
  "scripts/bundle-niivue.mjs",
  "scripts/bundle-itk.mjs",
  "scripts/vendor-bundle.mjs",
  "package.json",
];
const SKIPPED_DIRS = new Set(["node_modules", ".observablehq", "vendor"]);

/** Latest modification time (ms) of the files under `path`, skipping caches, vendor bundles and tests. */
export function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIPPED_DIRS.has(entry.name)) continue;
    newest = Math.max(newest, newestMtimeMs(join(path, entry.name)));
  }
  return newest;
}

/**
 * Where `npm run build`'s last step puts the itk-wasm pipelines in dist/ (scripts/bundle-itk.mjs
 * `--out dist`); a bare `observable build` leaves them out, and the workstation then gets 404s.
 */
const ITK_IN_DIST = join("_file", "components", "vendor", "itk");

/**
 * dist/ is stale when its index.html is missing or older than the newest site input, or when it lacks
 * the itk-wasm pipelines (built by `observable build` alone, not `npm run build`).
 */
export function isSiteStale(dist = DIST): boolean {
  const index = join(dist, "index.html");
  if (!existsSync(index) || !existsSync(join(dist, ITK_IN_DIST))) return true;
  const built = statSync(index).mtimeMs;
  return SITE_INPUTS.some((p) => newestMtimeMs(join(ROOT, p)) > built);
}

const BUILD_LOCK = join(ROOT, "test-output", ".site-build.lock");

/**
 * Runs `npm run build` when dist/ is stale. Test files running in parallel share one build: the first
 * takes a lock directory, the others wait for it and re-check. Throws with the build's output on failure.
 */
export async function ensureSiteBuilt({ timeoutMs = 240_000 } = {}): Promise<{ built: boolean; ms: number }> {
  const start = performance.now();
  mkdirSync(join(ROOT, "test-output"), { recursive: true });
  for (;;) {
    if (!isSiteStale()) return { built: false, ms: performance.now() - start };
    try {
      mkdirSync(BUILD_LOCK);
    } catch {
      // Another test file is building; a lock older than the timeout is left over from a killed run.
      if (Date.now() - statSync(BUILD_LOCK, { throwIfNoEntry: false })!.mtimeMs > timeoutMs)
        rmSync(BUILD_LOCK, { recursive: true, force: true });
      if (performance.now() - start > timeoutMs) throw new Error("e2e: timed out waiting for another site build");
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      await run("npm", ["run", "build"], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
      return { built: true, ms: performance.now() - start };
    } catch (error) {
      // Framework writes dist/ page by page: a killed or failed build leaves some pages, index.html among
      // them, newer than the inputs. Without it dist/ is stale, so the next call builds again.
      rmSync(join(DIST, "index.html"), { force: true });
      throw new Error(`e2e: npm run build ${buildFailure(error, timeoutMs)}`);
    } finally {
      rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
  }
}

/**
 * Why a build run by execFile failed, with the last 30 lines of its output: "did not finish within N s"
 * when the timeout killed it (its output then just stops), else "failed".
 */
export function buildFailure(error: unknown, timeoutMs: number): string {
  const { stdout = "", stderr = "", killed = false } = error as { stdout?: string; stderr?: string; killed?: boolean };
  const tail = `${stdout}\n${stderr}`.trim().split("\n").slice(-30).join("\n");
  return `${killed ? `did not finish within ${timeoutMs / 1000} s (killed)` : "failed"}:\n${tail}`;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".csv": "text/csv; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
  ".gz": "application/gzip",
  ".nii": "application/octet-stream",
  ".txt": "text/plain; charset=utf-8",
};

/** An extra route of the test server: a file on disk or an inline body. */
export type ExtraRoute = { file: string } | { body: string | Uint8Array; type: string };

export interface StaticServer {
  /** e.g. "http://127.0.0.1:41234" */
  origin: string;
  /** host:port, to tell local requests from foreign ones. */
  host: string;
  /** Requests answered 404 (path), for debugging. */
  notFound: string[];
  close(): Promise<void>;
}

/** The file under `root` for a URL path, Framework-style: / → index.html, /a → a.html, /a/ → a/index.html. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  const decoded = decodeURIComponent(urlPath);
  const relative = normalize(decoded).replace(/^([/\\])+/, "");
  if (relative.split(sep).includes("..")) return undefined;
  const base = join(root, relative);
  const candidates = decoded.endsWith("/") ? [join(base, "index.html")] : [base, `${base}.html`];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Serves `root` (default dist/) on 127.0.0.1 at a random free port. */
export async function serveDist({
  root = DIST,
  routes = {},
}: {
  root?: string;
  routes?: Record<string, ExtraRoute>;
} = {}): Promise<StaticServer> {
  const notFound: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = routes[path];
    if (route && "body" in route) {
      res.writeHead(200, { "content-type": route.type, "cache-control": "no-store" });
      res.end(route.body);
      return;
    }
    const file = route ? route.file : resolveStaticPath(root, path);
    if (!file || !existsSync(file)) {
      notFound.push(path);
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-store",
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    notFound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Framework's own folders in dist/: assets, not pages. */
const ASSET_DIRS = new Set(["_observablehq", "_import", "_file", "_node", "_npm"]);

/** URL paths of the built pages: index.html → "/", cohort.html → "/cohort", cases/P01.html → "/cases/P01". */
export function builtPagePaths(dist: string = DIST): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!ASSET_DIRS.has(entry.name)) walk(path);
      } else if (entry.name.endsWith(".html") && entry.name !== "404.html") {
        const url = `/${relative(dist, path).split(sep).join("/")}`.replace(/\.html$/, "");
        pages.push(url.endsWith("/index") ? url.slice(0, -"index".length) : url);
      }
    }
  };
  walk(dist);
  return pages.sort();
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium headless with a fresh user-data-dir (removed on close). */
export async function launchChromium({ width = 1280, height = 900 } = {}): Promise<Chromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), "cryomargin-e2e-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    locale: "en-US",
    timezoneId: "UTC",
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface RecordedPage {
  page: Page;
  /** Console messages of type "error" and uncaught page exceptions. */
  consoleErrors: string[];
  /** Every request (URL) to a host other than the local server; each fails (CHROMIUM_ARGS' proxy). */
  foreignRequests: string[];
  /** Saves a full-page PNG as test-output/screenshots/<name>.png; returns its path. */
  screenshot(name: string): Promise<string>;
  /**
   * Takes this page to `path` on the same server, the recorded errors and requests cleared first (they
   * then belong to `path`). One page for many paths spares chromium a new renderer per path.
   */
  navigate(path: string, options?: NavigateOptions): Promise<void>;
}

export interface NavigateOptions {
  /**
   * What the navigation waits for (Playwright's): "networkidle" (default) adds 500 ms without requests
   * after load; a test that waits for its own ready signal passes "load".
   */
  waitUntil?: "load" | "domcontentloaded" | "networkidle";
}

/** Whether a URL leaves the machine: anything but the local server and in-page schemes (data:, blob:). */
export function isForeign(url: string, localHost: string): boolean {
  const u = new URL(url);
  if (u.protocol === "data:" || u.protocol === "blob:" || u.protocol === "about:") return false;
  return u.host !== localHost;
}

/**
 * A new page on `server` recording console errors and foreign requests (as chromium issues them: each
 * then fails, see CHROMIUM_ARGS); navigates to `path`.
 */
export async function openPage(
  browser: Chromium,
  server: StaticServer,
  path = "/",
  { waitUntil = "networkidle" }: NavigateOptions = {},
): Promise<RecordedPage> {
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const page = await browser.context.newPage();
  page.on("request", (request) => {
    const url = request.url();
    if (isForeign(url, server.host)) foreignRequests.push(url);
  });
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`console.error: ${message.text()}`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await page.goto(`${server.origin}${path}`, { waitUntil });
  return {
    page,
    consoleErrors,
    foreignRequests,
    screenshot: async (name: string) => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const file = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    navigate: async (next: string, options: NavigateOptions = {}) => {
      consoleErrors.length = 0;
      foreignRequests.length = 0;
      await page.goto(`${server.origin}${next}`, { waitUntil: options.waitUntil ?? "networkidle" });
    },
  };
}

/**
 * What no page of the site may show, as readable lines (none when the page is right): console errors and
 * uncaught exceptions, cells that failed (Framework marks them .observablehq--error), requests to another
 * host, and tables or charts held to Framework's 640-px column (the report's pages use the full width).
 */
export async function pageProblems(visit: RecordedPage): Promise<string[]> {
  const cellErrors = await visit.page.locator(".observablehq--error").allTextContents();
  const capped = await visit.page.$$eval("#observablehq-main table, #observablehq-main figure", (els) =>
    els.filter((e) => getComputedStyle(e).maxWidth !== "none").map((e) => e.tagName.toLowerCase()),
  );
  return [
    ...visit.consoleErrors,
    ...capped.map((tag) => `a ${tag} capped below the page's width`),
    ...cellErrors.map((e) => `cell error: ${e}`),
    ...visit.foreignRequests.map((u) => `foreign request: ${u}`),
  ];
}

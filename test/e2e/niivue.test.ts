/**
 * NiiVue in chromium: WebGL2 is available (SwiftShader, no GPU), the esbuild pre-bundle
 * src/components/vendor/niivue.js loads as an ES module, constructs a Niivue on a canvas, loads a NIfTI
 * sphere phantom (the margin engine's rasterizer, the loaders' NIfTI encoder) and draws it — with no
 * console error and no request to another host.
 * Screenshot: test-output/screenshots/niivue-phantom.png.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { gridAffine, rasterizeEllipsoid, sphere } from "@cryomargin/analysis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeNifti } from "../../loaders/io/nifti.js";
import {
  type Chromium,
  ensureChromium,
  launchChromium,
  openPage,
  type RecordedPage,
  ROOT,
  type StaticServer,
  serveDist,
} from "./harness.js";

/** A 32³ grid of 1-mm voxels centred on the origin holding a sphere of radius 10 mm, as NIfTI-1 bytes. */
function niftiSphere(): Uint8Array {
  const identity = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const mask = {
    dims: [32, 32, 32] as [number, number, number],
    voxelToWorld: gridAffine([1, 1, 1], identity, [-16, -16, -16]),
    data: new Uint8Array(32 ** 3),
  };
  rasterizeEllipsoid(mask, sphere([0, 0, 0], 10));
  return encodeNifti(mask, { gzip: false });
}

// The icon is inline: without one, chromium asks the test server for /favicon.ico (a 404, a console error).
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>NiiVue check</title></head>
<body style="margin:0;background:#000"><canvas id="gl" style="width:512px;height:512px"></canvas></body></html>`;

/**
 * Runs in the page. A string, not a function: vitest rewrites `import()` inside test functions, and
 * page.evaluate would ship that rewritten source to the browser.
 */
const DRAW_PHANTOM = `(async () => {
  const { Niivue } = await import("/__e2e/niivue.js");
  const nv = new Niivue({ backColor: [0, 0, 0, 1], show3Dcrosshair: false });
  await nv.attachToCanvas(document.getElementById("gl"));
  await nv.loadVolumes([{ url: "/__e2e/phantom.nii" }]);
  nv.drawScene();
  // Read the frame just drawn (before the browser swaps buffers) and count lit pixels.
  const gl = nv.gl;
  const w = gl.drawingBufferWidth;
  const h = gl.drawingBufferHeight;
  const pixels = new Uint8Array(4 * w * h);
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  let lit = 0;
  for (let p = 0; p < pixels.length; p += 4) if (pixels[p] + pixels[p + 1] + pixels[p + 2] > 60) lit++;
  return { isWebGL2: gl instanceof WebGL2RenderingContext, dims: Array.from(nv.volumes[0].dims), lit, total: w * h };
})()`;

describe("NiiVue pre-bundle in chromium (WebGL2 via SwiftShader)", () => {
  let server: StaticServer;
  let browser: Chromium;
  let visit: RecordedPage;

  beforeAll(async () => {
    await ensureChromium();
    await promisify(execFile)(process.execPath, [join(ROOT, "scripts", "bundle-niivue.mjs")], { cwd: ROOT });
    server = await serveDist({
      routes: {
        "/__e2e/niivue.html": { body: PAGE, type: "text/html; charset=utf-8" },
        "/__e2e/niivue.js": { file: join(ROOT, "src", "components", "vendor", "niivue.js") },
        "/__e2e/phantom.nii": { body: niftiSphere(), type: "application/octet-stream" },
      },
    });
    browser = await launchChromium();
    visit = await openPage(browser, server, "/__e2e/niivue.html");
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("has WebGL2, rendered by SwiftShader", async () => {
    const gl = await visit.page.evaluate(() => {
      const context = document.createElement("canvas").getContext("webgl2");
      if (!context) return null;
      const info = context.getExtension("WEBGL_debug_renderer_info");
      return {
        version: String(context.getParameter(context.VERSION)),
        renderer: String(
          info ? context.getParameter(info.UNMASKED_RENDERER_WEBGL) : context.getParameter(context.RENDERER),
        ),
      };
    });
    expect(gl).not.toBeNull();
    expect(gl?.version).toMatch(/^WebGL 2\.0/);
    expect(gl?.renderer).toMatch(/SwiftShader/i);
  });

  it("imports the bundle, attaches Niivue to a canvas and draws a NIfTI volume", async () => {
    const result = (await visit.page.evaluate(DRAW_PHANTOM)) as {
      isWebGL2: boolean;
      dims: number[];
      lit: number;
      total: number;
    };
    expect(result.isWebGL2).toBe(true);
    expect(result.dims.slice(1, 4)).toEqual([32, 32, 32]);
    // The sphere (radius 10 mm in a 32-mm grid) shows as discs in the multiplanar view: some, not all, pixels lit.
    expect(result.lit).toBeGreaterThan(0.005 * result.total);
    expect(result.lit).toBeLessThan(0.9 * result.total);
    await visit.screenshot("niivue-phantom");
  });

  it("logs no console error and makes zero requests to other hosts", () => {
    expect(visit.consoleErrors).toEqual([]);
    expect(visit.foreignRequests).toEqual([]);
  });
});

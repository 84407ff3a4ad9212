/**
 * The case page's 3D view (NiiVue meshes, WebGL2): the tumor surface coloured per vertex by the margin
 * engine's signed margin in the coverage classes at the page's threshold, the ice ball as a translucent
 * surface, the minimum-margin point as a white ball labelled with its value and octant, and the octant
 * planes through the tumor centroid. Drag to rotate, wheel to zoom (NiiVue's render mode). It opens
 * looking at the minimum-margin point.
 *
 * Radiological or neurological. A slice is a picture seen from one side: radiological axial slices are
 * the patient seen from the feet (the patient's right on the screen's left), neurological ones seen from
 * the head (right on the right), anterior up in both. A 3D view is seen from wherever its camera is, so
 * the convention is a viewpoint: `viewAsSlices` turns the camera to the slices' (NiiVue's render angles:
 * azimuth 180°, elevation −90° from the feet; azimuth 0°, elevation 90° from the head). Flipping the
 * picture instead would mirror the tumor into the other kidney's anatomy. The orientation cube names the
 * sides in every view.
 */
import { coverageClass, type Vec3 } from "@cryomargin/analysis";
import type { CaseMeshes } from "./caseMesh.js";
import { NO_MARGIN_COLOR, rgbOf } from "./palettes.js";
import { LabelLineTerminator, LabelTextAlignment, Niivue, NVLabel3DStyle, NVMesh } from "./vendor/niivue.js";

/** Ice-ball surface: light blue at this opacity. */
const ICE_RGBA = [120, 190, 255, 255];
const ICE_OPACITY = 0.28;
const PLANE_RGBA = [235, 235, 235, 255];
const PLANE_OPACITY = 0.3;
/** Radius of the minimum-point ball, mm. */
const MARKER_RADIUS_MM = 1.2;

/** Per-vertex RGBA of the tumor at a threshold and palette (class colours; grey without a margin). */
export function vertexColors(
  marginsMm: ArrayLike<number>,
  thresholdMm: number,
  colors: readonly [string, string, string],
): Uint8Array {
  const rgb = colors.map(rgbOf);
  const none = rgbOf(NO_MARGIN_COLOR);
  const out = new Uint8Array(4 * marginsMm.length);
  for (let v = 0; v < marginsMm.length; v++) {
    const m = marginsMm[v];
    const [r, g, b] = Number.isNaN(m) ? none : rgb[coverageClass(m, thresholdMm)];
    out[4 * v] = r;
    out[4 * v + 1] = g;
    out[4 * v + 2] = b;
    out[4 * v + 3] = 255;
  }
  return out;
}

/** An icosahedron subdivided once (42 vertices), radius r about c. */
function ball(c: Vec3, r: number): { pts: Float32Array; tris: Uint32Array } {
  const t = (1 + Math.sqrt(5)) / 2;
  const vertices: number[][] = [
    [-1, t, 0],
    [1, t, 0],
    [-1, -t, 0],
    [1, -t, 0],
    [0, -1, t],
    [0, 1, t],
    [0, -1, -t],
    [0, 1, -t],
    [t, 0, -1],
    [t, 0, 1],
    [-t, 0, -1],
    [-t, 0, 1],
  ]; // prettier-ignore
  let faces = [
    [0, 11, 5],
    [0, 5, 1],
    [0, 1, 7],
    [0, 7, 10],
    [0, 10, 11],
    [1, 5, 9],
    [5, 11, 4],
    [11, 10, 2],
    [10, 7, 6],
    [7, 1, 8],
    [3, 9, 4],
    [3, 4, 2],
    [3, 2, 6],
    [3, 6, 8],
    [3, 8, 9],
    [4, 9, 5],
    [2, 4, 11],
    [6, 2, 10],
    [8, 6, 7],
    [9, 8, 1],
  ]; // prettier-ignore
  const midpoint = new Map<string, number>();
  const middle = (a: number, b: number) => {
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    let m = midpoint.get(key);
    if (m === undefined) {
      m = vertices.push(vertices[a].map((x, i) => (x + vertices[b][i]) / 2)) - 1;
      midpoint.set(key, m);
    }
    return m;
  };
  faces = faces.flatMap(([a, b, c2]) => {
    const ab = middle(a, b);
    const bc = middle(b, c2);
    const ca = middle(c2, a);
    return [
      [a, ab, ca],
      [b, bc, ab],
      [c2, ca, bc],
      [ab, bc, ca],
    ];
  });
  const pts = new Float32Array(3 * vertices.length);
  vertices.forEach((v, i) => {
    const len = Math.hypot(v[0], v[1], v[2]);
    for (let a = 0; a < 3; a++) pts[3 * i + a] = c[a] + (r * v[a]) / len;
  });
  return { pts, tris: Uint32Array.from(faces.flat()) };
}

/** Three planes through `centre`, each a double-sided quad spanning the box [lo, hi] grown by 4 mm. */
function octantPlanes(centre: Vec3, lo: Vec3, hi: Vec3): { pts: Float32Array; tris: Uint32Array } {
  const pts: number[] = [];
  const tris: number[] = [];
  const g = 4;
  for (let axis = 0; axis < 3; axis++) {
    const [u, v] = [0, 1, 2].filter((a) => a !== axis);
    const base = pts.length / 3;
    for (const [su, sv] of [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ]) {
      const p = [0, 0, 0];
      p[axis] = centre[axis];
      p[u] = su ? hi[u] + g : lo[u] - g;
      p[v] = sv ? hi[v] + g : lo[v] - g;
      pts.push(...p);
    }
    tris.push(base, base + 1, base + 2, base, base + 2, base + 3, base, base + 2, base + 1, base, base + 3, base + 2);
  }
  return { pts: Float32Array.from(pts), tris: Uint32Array.from(tris) };
}

/** What the page can change on the 3D view. */
export interface CaseView3d {
  nv: Niivue;
  recolor(thresholdMm: number, colors: readonly [string, string, string]): void;
  showIce(on: boolean): void;
  showPlanes(on: boolean): void;
  showMarker(on: boolean): void;
  /** Turns the camera to the axial slices' viewpoint: from the feet (radiological) or the head. */
  viewAsSlices(radiological: boolean): void;
  /** Canvas CSS pixel of a RAS point in the current view (for tests and the label). */
  project(p: Vec3): [number, number];
}

/** NiiVue's render angles [azimuth, elevation] (degrees) of the axial slices' viewpoints, anterior up. */
export const SLICE_VIEWPOINTS = { radiological: [180, -90], neurological: [0, 90] } as const;

/**
 * Starts the 3D view on `canvas` (already in the document). `minimumVertex` is the tumor vertex with
 * the engine's minimum margin; `label` its text.
 */
export async function caseView3d(
  canvas: HTMLCanvasElement,
  meshes: CaseMeshes,
  options: {
    thresholdMm: number;
    colors: readonly [string, string, string];
    centroidRas: Vec3;
    minimumVertex: number;
    label: string;
  },
): Promise<CaseView3d> {
  const nv = new Niivue({
    backColor: [0.1, 0.1, 0.12, 1],
    show3Dcrosshair: false,
    isOrientCube: true,
    isColorbar: false,
    logLevel: "error",
  });
  await nv.attachToCanvas(canvas);
  nv.setSliceType(nv.sliceTypeRender);
  const gl = nv.gl;
  const { tumor, ice } = meshes;
  const tumorMesh = new NVMesh(
    tumor.positionsMm,
    tumor.triangles,
    "tumor",
    vertexColors(tumor.marginsMm, options.thresholdMm, options.colors),
    1,
    true,
    gl,
  );
  const iceMesh = new NVMesh(
    ice.positionsMm,
    ice.triangles,
    "ice ball",
    new Uint8Array(ICE_RGBA),
    ICE_OPACITY,
    true,
    gl,
  );
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let v = 0; v < tumor.positionsMm.length; v++) {
    lo[v % 3] = Math.min(lo[v % 3], tumor.positionsMm[v]);
    hi[v % 3] = Math.max(hi[v % 3], tumor.positionsMm[v]);
  }
  const planes = octantPlanes(options.centroidRas, lo, hi);
  const planeMesh = new NVMesh(
    planes.pts,
    planes.tris,
    "octant planes",
    new Uint8Array(PLANE_RGBA),
    PLANE_OPACITY,
    true,
    gl,
  );
  const m = options.minimumVertex;
  const minPoint: Vec3 = [tumor.positionsMm[3 * m], tumor.positionsMm[3 * m + 1], tumor.positionsMm[3 * m + 2]];
  const marker = ball(minPoint, MARKER_RADIUS_MM);
  const markerMesh = new NVMesh(
    marker.pts,
    marker.tris,
    "minimum-margin point",
    new Uint8Array([255, 255, 255, 255]),
    1,
    true,
    gl,
  );
  for (const mesh of [tumorMesh, markerMesh, planeMesh, iceMesh]) nv.addMesh(mesh);
  const label = nv.addLabel(
    options.label,
    new NVLabel3DStyle([1, 1, 1, 1], 1.0, LabelTextAlignment.LEFT, 2, [1, 1, 1, 1], LabelLineTerminator.CIRCLE),
    minPoint,
  );

  const project = (
    p: Vec3,
    azimuth = nv.scene.renderAzimuth,
    elevation = nv.scene.renderElevation,
  ): [number, number, number] => {
    const w = gl.canvas.width;
    const h = gl.canvas.height;
    const [mvp] = nv.calculateMvpMatrix(null, [0, 0, w, h], azimuth, elevation);
    // gl-matrix: column-major.
    const x = mvp[0] * p[0] + mvp[4] * p[1] + mvp[8] * p[2] + mvp[12];
    const y = mvp[1] * p[0] + mvp[5] * p[1] + mvp[9] * p[2] + mvp[13];
    const z = mvp[2] * p[0] + mvp[6] * p[1] + mvp[10] * p[2] + mvp[14];
    const q = mvp[3] * p[0] + mvp[7] * p[1] + mvp[11] * p[2] + mvp[15];
    const scale = canvas.clientWidth / w;
    return [((x / q + 1) / 2) * w * scale, ((1 - y / q) / 2) * h * scale, z / q];
  };
  // Open looking at the minimum point: of a grid of views, the one that brings it nearest the camera.
  nv.drawScene();
  let best = [nv.scene.renderAzimuth, nv.scene.renderElevation];
  let nearest = Infinity;
  for (let azimuth = 0; azimuth < 360; azimuth += 15)
    for (let elevation = -60; elevation <= 60; elevation += 15) {
      const depth = project(minPoint, azimuth, elevation)[2];
      if (depth < nearest) {
        nearest = depth;
        best = [azimuth, elevation];
      }
    }
  nv.setRenderAzimuthElevation(best[0], best[1]);

  return {
    nv,
    recolor(thresholdMm, colors) {
      tumorMesh.rgba255 = vertexColors(tumor.marginsMm, thresholdMm, colors);
      tumorMesh.updateMesh(gl);
      nv.drawScene();
    },
    showIce(on) {
      iceMesh.visible = on;
      nv.drawScene();
    },
    showPlanes(on) {
      planeMesh.visible = on;
      nv.drawScene();
    },
    showMarker(on) {
      markerMesh.visible = on;
      label.text = on ? options.label : "";
      nv.drawScene();
    },
    viewAsSlices(radiological) {
      const [azimuth, elevation] = SLICE_VIEWPOINTS[radiological ? "radiological" : "neurological"];
      nv.setRenderAzimuthElevation(azimuth, elevation);
    },
    project: (p) => {
      const [x, y] = project(p);
      return [x, y];
    },
  };
}

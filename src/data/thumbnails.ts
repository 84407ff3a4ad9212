/**
 * The Margins page's small multiples: every case's tumor surface (the 3D view's mesh) rendered at build
 * time into one PNG sheet, sorted by MTM, so the page shows the cohort at a glance with one image.
 *
 * Each tile is a software rendering (orthographic, z-buffered, Lambert-shaded, vertex colours
 * interpolated) of the tumor coloured by coverage class at the analysis threshold, seen from the side
 * of its minimum-margin point (the view direction runs from the point to the tumor centre; superior is
 * up when it can be), the point marked by a white ring. Pure computation plus a minimal PNG encoder
 * (zlib from Node).
 */
import { deflateSync } from "node:zlib";
import { coverageClass, type Vec3 } from "@cryomargin/analysis";
import type { CaseMeshes } from "../components/caseMesh.js";
import { COVERAGE_PALETTES, NO_MARGIN_COLOR, rgbOf } from "../components/palettes.js";

/** Tile edge, pixels. */
export const THUMBNAIL_PX = 150;
const BACKGROUND = [250, 250, 250];

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const unit = (a: Vec3): Vec3 => {
  const n = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / n, a[1] / n, a[2] / n];
};

/**
 * One tile (RGBA, THUMBNAIL_PX²) of a case's tumor surface at `thresholdMm`, seen from its minimum
 * point's side. Example: `thumbnail(meshes, c.mesh.minimumVertex, 5)`.
 */
export function thumbnail(meshes: CaseMeshes, minimumVertex: number, thresholdMm: number): Uint8Array {
  const { positionsMm: p, marginsMm, triangles } = meshes.tumor;
  const n = marginsMm.length;
  const centre: Vec3 = [0, 0, 0];
  for (let v = 0; v < n; v++) for (let a = 0; a < 3; a++) centre[a] += p[3 * v + a] / n;
  const point: Vec3 = [p[3 * minimumVertex], p[3 * minimumVertex + 1], p[3 * minimumVertex + 2]];
  // Screen axes: toward the viewer w (centre → point), up u (superior, made orthogonal), right r = u × w.
  const w = unit(sub(point, centre));
  let up: Vec3 = [0, 0, 1];
  if (Math.abs(dot(up, w)) > 0.95) up = [0, 1, 0];
  const u = unit(sub(up, w.map((x) => x * dot(up, w)) as Vec3));
  const r = cross(u, w);
  let extent = 0;
  for (let v = 0; v < n; v++) {
    const d = sub([p[3 * v], p[3 * v + 1], p[3 * v + 2]], centre);
    extent = Math.max(extent, Math.hypot(dot(d, r), dot(d, u)));
  }
  const size = THUMBNAIL_PX;
  const scale = (0.45 * size) / (extent || 1);
  const sx = new Float64Array(n);
  const sy = new Float64Array(n);
  const sz = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    const d = sub([p[3 * v], p[3 * v + 1], p[3 * v + 2]], centre);
    sx[v] = size / 2 + scale * dot(d, r);
    sy[v] = size / 2 - scale * dot(d, u);
    sz[v] = dot(d, w);
  }
  const palette = COVERAGE_PALETTES.standard;
  const colors = [palette.green, palette.yellow, palette.red].map(rgbOf);
  const none = rgbOf(NO_MARGIN_COLOR);
  const vertexRgb = (v: number) =>
    Number.isNaN(marginsMm[v]) ? none : colors[coverageClass(marginsMm[v], thresholdMm)];
  const rgba = new Uint8Array(4 * size * size);
  const depth = new Float64Array(size * size).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < size * size; i++) rgba.set([...BACKGROUND, 255], 4 * i);
  for (let t = 0; t < triangles.length; t += 3) {
    const [a, b, c] = [triangles[t], triangles[t + 1], triangles[t + 2]];
    const normal = unit(
      cross(
        sub([p[3 * b], p[3 * b + 1], p[3 * b + 2]], [p[3 * a], p[3 * a + 1], p[3 * a + 2]]),
        sub([p[3 * c], p[3 * c + 1], p[3 * c + 2]], [p[3 * a], p[3 * a + 1], p[3 * a + 2]]),
      ),
    );
    const facing = dot(normal, w);
    if (facing <= 0) continue; // back face (the triangles are wound outward)
    const shade = 0.35 + 0.65 * facing;
    const area = (sx[b] - sx[a]) * (sy[c] - sy[a]) - (sx[c] - sx[a]) * (sy[b] - sy[a]);
    if (area === 0) continue;
    const [ca, cb, cc] = [vertexRgb(a), vertexRgb(b), vertexRgb(c)];
    const x0 = Math.max(0, Math.floor(Math.min(sx[a], sx[b], sx[c])));
    const x1 = Math.min(size - 1, Math.ceil(Math.max(sx[a], sx[b], sx[c])));
    const y0 = Math.max(0, Math.floor(Math.min(sy[a], sy[b], sy[c])));
    const y1 = Math.min(size - 1, Math.ceil(Math.max(sy[a], sy[b], sy[c])));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const l0 = ((sx[b] - px) * (sy[c] - py) - (sx[c] - px) * (sy[b] - py)) / area;
        const l1 = ((sx[c] - px) * (sy[a] - py) - (sx[a] - px) * (sy[c] - py)) / area;
        const l2 = 1 - l0 - l1;
        if (l0 < 0 || l1 < 0 || l2 < 0) continue;
        const z = l0 * sz[a] + l1 * sz[b] + l2 * sz[c];
        const k = y * size + x;
        if (z <= depth[k]) continue;
        depth[k] = z;
        for (let ch = 0; ch < 3; ch++) rgba[4 * k + ch] = Math.round(shade * (l0 * ca[ch] + l1 * cb[ch] + l2 * cc[ch]));
      }
  }
  // The minimum point: a white ring with a dark edge.
  const mx = sx[minimumVertex];
  const my = sy[minimumVertex];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - mx, y + 0.5 - my);
      if (d >= 4 && d <= 6.5) rgba.set(d >= 4.8 && d <= 5.8 ? [255, 255, 255] : [30, 30, 30], 4 * (y * size + x));
    }
  return rgba;
}

/** What the Margins page needs to place and label each tile of the sheet. */
export interface ThumbnailTile {
  siteId: string;
  mtmMm: number;
  ltp: boolean;
  /** Tile's top-left pixel on the sheet. */
  x: number;
  y: number;
}

/**
 * The sheet of every case (sorted by MTM, smallest first) and its layout: `cases` carry the decoded
 * meshes and the case JSON's numbers.
 */
export function thumbnailSheet(
  cases: readonly { siteId: string; mtmMm: number; ltp: boolean; meshes: CaseMeshes; minimumVertex: number }[],
  thresholdMm: number,
  columns = 8,
): { png: Uint8Array; tiles: ThumbnailTile[]; tilePx: number; thresholdMm: number } {
  const sorted = [...cases].sort((a, b) => a.mtmMm - b.mtmMm);
  const sheet = tileSheet(
    sorted.map((c) => thumbnail(c.meshes, c.minimumVertex, thresholdMm)),
    columns,
  );
  return {
    png: encodePng(sheet.width, sheet.height, sheet.rgba),
    tiles: sorted.map((c, i) => ({
      siteId: c.siteId,
      mtmMm: c.mtmMm,
      ltp: c.ltp,
      x: (i % columns) * THUMBNAIL_PX,
      y: Math.floor(i / columns) * THUMBNAIL_PX,
    })),
    tilePx: THUMBNAIL_PX,
    thresholdMm,
  };
}

/** A sheet of tiles, `columns` wide, in the order given; returns the RGBA image and its size. */
export function tileSheet(
  tiles: readonly Uint8Array[],
  columns: number,
): { width: number; height: number; rgba: Uint8Array } {
  const size = THUMBNAIL_PX;
  const rows = Math.max(1, Math.ceil(tiles.length / columns));
  const width = columns * size;
  const height = rows * size;
  const rgba = new Uint8Array(4 * width * height).fill(255);
  tiles.forEach((tile, i) => {
    const ox = (i % columns) * size;
    const oy = Math.floor(i / columns) * size;
    for (let y = 0; y < size; y++)
      rgba.set(tile.subarray(4 * y * size, 4 * (y + 1) * size), 4 * ((oy + y) * width + ox));
  });
  return { width, height, rgba };
}

/** CRC-32 (ISO 3309, as PNG uses) of bytes. */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** An 8-bit RGB PNG (filter 0 on every row, zlib level 9) of RGBA pixels (alpha dropped). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const raw = new Uint8Array(height * (1 + 3 * width));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      raw.set(rgba.subarray(4 * (y * width + x), 4 * (y * width + x) + 3), y * (1 + 3 * width) + 1 + 3 * x);
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(deflateSync(raw, { level: 9 }))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((s, q) => s + q.length, 0));
  let at = 0;
  for (const q of parts) {
    out.set(q, at);
    at += q.length;
  }
  return out;
}

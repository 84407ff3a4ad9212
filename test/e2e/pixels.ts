/**
 * Pixels of chromium's screenshots, read in Node: a PNG decoder for what chromium writes (8-bit
 * greyscale, RGB or RGBA, with or without alpha, not interlaced; every row filter of the PNG
 * specification, §9) and the measures the 3D e2e checks take on them.
 *
 * Example: `luminanceSd(decodePng(await page.screenshot()))` → the screenshot's contrast (0 when blank).
 */
import { inflateSync } from "node:zlib";

/** RGBA pixels, row-major from the top-left, 4 bytes per pixel. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Bytes per pixel of the 8-bit colour types: greyscale 0, RGB 2, grey + alpha 4, RGBA 6. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** The Paeth predictor (PNG §9.4): whichever of left, up, up-left is nearest left + up − up-left. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes a PNG into RGBA pixels; throws on what it does not read (palette, 16-bit, interlaced). */
export function decodePng(png: Uint8Array): Pixels {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => png[i] === b)) throw new Error("decodePng: not a PNG");
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at < png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colorType, , , interlace] = data.subarray(8, 13);
      channels = CHANNELS[colorType] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0)
        throw new Error(`decodePng: bit depth ${depth}, colour type ${colorType}, interlace ${interlace} not read`);
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error("decodePng: image data shorter than its header says");
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? rows[out + x - channels] : 0;
      const b = y > 0 ? rows[out - stride + x] : 0;
      const c = x >= channels && y > 0 ? rows[out - stride + x - channels] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) throw new Error(`decodePng: unknown row filter ${filter}`);
      rows[out + x] = (line[x] + predictor) & 0xff;
    }
  }
  const data = new Uint8Array(4 * width * height);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    const grey = channels <= 2;
    data[4 * p] = rows[s];
    data[4 * p + 1] = grey ? rows[s] : rows[s + 1];
    data[4 * p + 2] = grey ? rows[s] : rows[s + 2];
    data[4 * p + 3] = channels === 2 ? rows[s + 1] : channels === 4 ? rows[s + 3] : 255;
  }
  return { width, height, data };
}

/** Standard deviation of the luminance (Rec. 709 weights: 0.2126 R + 0.7152 G + 0.0722 B); 0 when blank. */
export function luminanceSd(p: Pixels): number {
  let sum = 0;
  let sum2 = 0;
  const n = p.width * p.height;
  for (let i = 0; i < p.data.length; i += 4) {
    const y = 0.2126 * p.data[i] + 0.7152 * p.data[i + 1] + 0.0722 * p.data[i + 2];
    sum += y;
    sum2 += y * y;
  }
  return Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2));
}

/** Share of pixels whose colour changed by more than 30 (sum of |ΔR| + |ΔG| + |ΔB|) between two shots. */
export function changedShare(a: Pixels, b: Pixels): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error("changedShare: the shots differ in size");
  let changed = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    const d =
      Math.abs(a.data[i] - b.data[i]) +
      Math.abs(a.data[i + 1] - b.data[i + 1]) +
      Math.abs(a.data[i + 2] - b.data[i + 2]);
    if (d > 30) changed++;
  }
  return changed / (a.width * a.height);
}

/**
 * The index of the palette colour whose chromaticity (r, g, b) / (r + g + b) is nearest a shaded pixel's:
 * shading scales a colour's channels alike, which chromaticity ignores.
 */
export function nearestColor(rgb: ArrayLike<number>, palette: readonly (readonly number[])[]): number {
  const chroma = (c: ArrayLike<number>) => {
    const s = c[0] + c[1] + c[2] || 1;
    return [c[0] / s, c[1] / s, c[2] / s];
  };
  const q = chroma(rgb);
  let best = 0;
  let bestD = Infinity;
  palette.forEach((c, k) => {
    const p = chroma(c);
    const d = (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  });
  return best;
}

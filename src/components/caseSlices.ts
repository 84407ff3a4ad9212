/**
 * The case page's slice panels, drawn on 2-D canvases (no WebGL): axial slices of the crop of the
 * pre-ablation grid with the scan in grey, outlines traced along voxel edges, coverage fills in the
 * legend's own colours (opaque: as saturated as the swatches) and the minimum-margin point.
 *
 * Orientation. The crop's voxel axes are matched to the world (RAS) axes they run closest to; a panel
 * shows the axial plane with anterior up and, in the radiological convention (the default), the
 * patient's right on the screen's left — as a radiologist reads a scan from the feet; the neurological
 * convention puts the patient's right on the right. Letters on the panel's edges name the sides.
 */
import type { Vec3 } from "@cryomargin/analysis";
import { rgbOf } from "./palettes.js";

/** A volume of the crop grid, decoded. */
export interface GridVolume {
  dims: [number, number, number];
  data: Uint8Array | Int16Array | Float32Array;
}

/**
 * Decodes a gzipped NIfTI-1 as the data loader writes it (little-endian; uint8, int16 or float32) in the
 * browser, with its DecompressionStream. Throws on anything else.
 */
export async function readGridVolume(gzipped: ArrayBuffer): Promise<GridVolume> {
  const stream = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip"));
  const bytes = await new Response(stream).arrayBuffer();
  const view = new DataView(bytes);
  if (view.getInt32(0, true) !== 348) throw new Error("not a little-endian NIfTI-1 file");
  const dims = [1, 2, 3].map((d) => view.getInt16(40 + 2 * d, true)) as [number, number, number];
  const datatype = view.getInt16(70, true);
  const offset = Math.round(view.getFloat32(108, true));
  const n = dims[0] * dims[1] * dims[2];
  if (datatype === 2) return { dims, data: new Uint8Array(bytes, offset, n) };
  if (datatype === 4) return { dims, data: new Int16Array(bytes.slice(offset, offset + 2 * n)) };
  if (datatype === 16) return { dims, data: new Float32Array(bytes.slice(offset, offset + 4 * n)) };
  throw new Error(`NIfTI datatype ${datatype} is not one the site writes`);
}

/** How a panel maps screen pixels to voxels: which voxel axis runs left–right and down, and their signs. */
export interface AxialLayout {
  /** Voxel axis along the screen's x (world x, left–right), and along its y (world y, anterior–posterior). */
  across: number;
  down: number;
  /** Voxel axis of the slices (world z). */
  through: number;
  /** Whether the voxel index increases to the screen's right / downward. */
  acrossIncreasesRight: boolean;
  downIncreasesDown: boolean;
  /** Letters on the screen's left, right, top and bottom edges. */
  letters: { left: string; right: string; top: string; bottom: string };
}

/**
 * The axial layout of a grid (row-major voxel → RAS matrix). Radiological: the patient's right (world
 * +x) on the screen's left. Anterior (+y) is always up.
 * Example: for the synthetic scans (x index toward the patient's left, j toward posterior) radiological
 * gives acrossIncreasesRight = true, downIncreasesDown = true.
 */
export function axialLayout(voxelToWorld: readonly number[], radiological: boolean): AxialLayout {
  const dominant = (row: number) => {
    let best = 0;
    for (let a = 1; a < 3; a++)
      if (Math.abs(voxelToWorld[4 * row + a]) > Math.abs(voxelToWorld[4 * row + best])) best = a;
    return best;
  };
  const across = dominant(0);
  const down = dominant(1);
  const through = 3 - across - down;
  const xIncreases = voxelToWorld[across] > 0; // index ↑ → patient's right
  const yIncreases = voxelToWorld[4 + down] > 0; // index ↑ → anterior
  return {
    across,
    down,
    through,
    // Radiological: screen right = patient's left = decreasing x.
    acrossIncreasesRight: radiological ? !xIncreases : xIncreases,
    downIncreasesDown: !yIncreases,
    letters: radiological
      ? { left: "R", right: "L", top: "A", bottom: "P" }
      : { left: "L", right: "R", top: "A", bottom: "P" },
  };
}

/** What one panel draws. */
export interface SlicePanel {
  grey: GridVolume;
  /** Per voxel: 1 tumor, 2 ice ball, 3 both (bit 1 tumor, bit 2 ice), or null to skip outlines. */
  masks: Uint8Array;
  outline: { tumor?: string; iceball?: string };
  /** Per voxel class label (1 green, 2 yellow, 3 red; 0 none) and the class colours, or null. */
  fills: { labels: Uint8Array; colors: [string, string, string] } | null;
  /** The minimum-margin point as a voxel index of the crop, or null; ringed within one slice of it. */
  point: Vec3 | null;
}

/** Pixels per voxel edge and offsets of a panel fitting `width` × `height`. */
function panelFit(
  dims: readonly number[],
  spacing: readonly number[],
  layout: AxialLayout,
  width: number,
  height: number,
) {
  const wMm = dims[layout.across] * spacing[layout.across];
  const hMm = dims[layout.down] * spacing[layout.down];
  const scale = Math.min(width / wMm, height / hMm);
  return {
    px: spacing[layout.across] * scale,
    py: spacing[layout.down] * scale,
    left: (width - wMm * scale) / 2,
    top: (height - hMm * scale) / 2,
  };
}

/**
 * Draws slice `slice` (index along the layout's through axis) of a panel on a canvas of CSS size
 * width × height. `spacing` is the crop's voxel spacing (mm) per voxel axis.
 */
export function drawAxialSlice(
  canvas: HTMLCanvasElement,
  panel: SlicePanel,
  layout: AxialLayout,
  spacing: readonly number[],
  slice: number,
): void {
  const width = canvas.width;
  const height = canvas.height;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const dims = panel.grey.dims;
  const strides = [1, dims[0], dims[0] * dims[1]];
  const nAcross = dims[layout.across];
  const nDown = dims[layout.down];
  const index = (c: number, r: number) => {
    const a = layout.acrossIncreasesRight ? c : nAcross - 1 - c;
    const d = layout.downIncreasesDown ? r : nDown - 1 - r;
    return a * strides[layout.across] + d * strides[layout.down] + slice * strides[layout.through];
  };
  // The slice at one pixel per voxel, then scaled (nearest) to the panel.
  const image = new ImageData(nAcross, nDown);
  let top = 1;
  for (let v = 0; v < panel.grey.data.length; v++) if (panel.grey.data[v] > top) top = panel.grey.data[v];
  const fillRgb = panel.fills?.colors.map(rgbOf);
  for (let r = 0; r < nDown; r++)
    for (let c = 0; c < nAcross; c++) {
      const v = index(c, r);
      const p = 4 * (r * nAcross + c);
      const label = panel.fills?.labels[v] ?? 0;
      if (fillRgb && label > 0) {
        const [R, G, B] = fillRgb[label - 1];
        image.data[p] = R;
        image.data[p + 1] = G;
        image.data[p + 2] = B;
      } else {
        const g = Math.round((255 * panel.grey.data[v]) / top);
        image.data[p] = image.data[p + 1] = image.data[p + 2] = g;
      }
      image.data[p + 3] = 255;
    }
  const bitmap = document.createElement("canvas");
  bitmap.width = nAcross;
  bitmap.height = nDown;
  bitmap.getContext("2d")?.putImageData(image, 0, 0);
  const f = panelFit(dims, spacing, layout, width, height);
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bitmap, f.left, f.top, nAcross * f.px, nDown * f.py);

  // Outlines along the voxel edges where a mask changes.
  const trace = (bit: number, color: string) => {
    const inside = (c: number, r: number) =>
      c >= 0 && r >= 0 && c < nAcross && r < nDown && (panel.masks[index(c, r)] & bit) !== 0;
    ctx.beginPath();
    for (let r = 0; r <= nDown; r++)
      for (let c = 0; c <= nAcross; c++) {
        const x = f.left + c * f.px;
        const y = f.top + r * f.py;
        if (c < nAcross && inside(c, r) !== inside(c, r - 1)) {
          ctx.moveTo(x, y);
          ctx.lineTo(x + f.px, y);
        }
        if (r < nDown && inside(c, r) !== inside(c - 1, r)) {
          ctx.moveTo(x, y);
          ctx.lineTo(x, y + f.py);
        }
      }
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.stroke();
  };
  if (panel.outline.iceball) trace(2, panel.outline.iceball);
  if (panel.outline.tumor) trace(1, panel.outline.tumor);

  // The point's ring on its slice and the next one each way (a point on a cap lies between slices).
  if (panel.point && Math.abs(Math.round(panel.point[layout.through]) - slice) <= 1) {
    const a = panel.point[layout.across];
    const d = panel.point[layout.down];
    const c = layout.acrossIncreasesRight ? a : nAcross - 1 - a;
    const r = layout.downIncreasesDown ? d : nDown - 1 - d;
    const x = f.left + (c + 0.5) * f.px;
    const y = f.top + (r + 0.5) * f.py;
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 4;
    ctx.beginPath();
    ctx.arc(x, y, 7, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, y, 7, 0, 2 * Math.PI);
    ctx.stroke();
  }

  ctx.fillStyle = "#fff";
  ctx.font = "bold 14px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  ctx.fillText(layout.letters.left, 6, height / 2);
  ctx.textAlign = "right";
  ctx.fillText(layout.letters.right, width - 6, height / 2);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText(layout.letters.top, width / 2, 4);
  ctx.textBaseline = "bottom";
  ctx.fillText(layout.letters.bottom, width / 2, height - 4);
}

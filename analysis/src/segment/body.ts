/**
 * The body's outline on a scan, to keep a segmented signal void from joining the air around the body.
 *
 * In every axial slice (the slices across the grid axis closest to the world's superior axis) the
 * tissue — voxels brighter than a threshold — is taken as its largest 4-connected region (so a bright
 * noise voxel in the air plays no part), and the body is that region's convex hull: every voxel whose
 * centre lies inside the hull of the region's voxel centres (Andrew's monotone chain, A. M. Andrew,
 * "Another efficient algorithm for convex hulls in two dimensions", Inf. Process. Lett. 9, 1979).
 * An abdominal cross-section is convex to within a few mm, so the hull holds every void inside the
 * body (an ice ball, a probe track, bowel gas) and none of the air outside, even where a void touches
 * the skin. A slice without tissue keeps all its voxels.
 */
type Dims = readonly [number, number, number];

/** The grid axis (0, 1, 2) whose direction (a column of `voxelToWorld`) is closest to the world's z. */
export function axialAxis(voxelToWorld: ArrayLike<number>): number {
  let best = 2;
  let bestCos = -1;
  for (let a = 0; a < 3; a++) {
    const x = voxelToWorld[a];
    const y = voxelToWorld[4 + a];
    const z = voxelToWorld[8 + a];
    const cos = Math.abs(z) / (Math.hypot(x, y, z) || 1);
    if (cos > bestCos + 1e-9) {
      best = a;
      bestCos = cos;
    }
  }
  return best;
}

/** Cross product of (a − o) and (b − o): > 0 when o → a → b turns counter-clockwise. */
function cross(o: [number, number], a: [number, number], b: [number, number]): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/**
 * The convex hull of points (Andrew's monotone chain), counter-clockwise, without collinear points.
 * Example: the corners and centre of a unit square give the four corners.
 */
export function convexHull(points: readonly [number, number][]): [number, number][] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const lower: [number, number][] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: [number, number][] = [];
  for (let t = p.length - 1; t >= 0; t--) {
    const q = p[t];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * Marks the voxels of one slice (u, w in [0, nu) × [0, nw), written through `set`) whose centres lie
 * inside the counter-clockwise convex polygon `hull` (boundary included).
 */
function fillConvex(hull: readonly [number, number][], nu: number, nw: number, set: (u: number, w: number) => void) {
  if (hull.length < 3) return;
  for (let w = 0; w < nw; w++) {
    // The polygon's span along u at height w: intersect each edge that crosses the line.
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let e = 0; e < hull.length; e++) {
      const [u0, w0] = hull[e];
      const [u1, w1] = hull[(e + 1) % hull.length];
      if ((w0 - w) * (w1 - w) > 0) continue;
      if (w0 === w1) {
        lo = Math.min(lo, u0, u1);
        hi = Math.max(hi, u0, u1);
        continue;
      }
      const u = u0 + ((w - w0) * (u1 - u0)) / (w1 - w0);
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    for (let u = Math.max(0, Math.ceil(lo - 1e-9)); u <= Math.min(nu - 1, Math.floor(hi + 1e-9)); u++) set(u, w);
  }
}

/**
 * The body on a scan: per axial slice (across `axis`), the convex hull of the largest 4-connected
 * region of voxels with `intensity[v] > threshold`. Returns a 0/1 mask.
 */
export function bodyMask(intensity: ArrayLike<number>, dims: Dims, threshold: number, axis: number): Uint8Array {
  const stride = [1, dims[0], dims[0] * dims[1]];
  const [a, b] = [0, 1, 2].filter((x) => x !== axis);
  const [nu, nw] = [dims[a], dims[b]];
  const out = new Uint8Array(dims[0] * dims[1] * dims[2]);
  const label = new Int32Array(nu * nw);
  const queue = new Int32Array(nu * nw);
  for (let s = 0; s < dims[axis]; s++) {
    const base = s * stride[axis];
    const at = (u: number, w: number) => base + u * stride[a] + w * stride[b];
    const bright = (p: number) => intensity[at(p % nu, Math.floor(p / nu))] > threshold;
    // Largest 4-connected bright region of the slice.
    label.fill(0);
    let regions = 0;
    let largest = 0;
    let largestSize = 0;
    for (let start = 0; start < nu * nw; start++) {
      if (label[start] || !bright(start)) continue;
      regions++;
      let head = 0;
      let tail = 0;
      label[start] = regions;
      queue[tail++] = start;
      while (head < tail) {
        const p = queue[head++];
        const u = p % nu;
        const w = Math.floor(p / nu);
        for (const q of [u > 0 ? p - 1 : -1, u < nu - 1 ? p + 1 : -1, w > 0 ? p - nu : -1, w < nw - 1 ? p + nu : -1])
          if (q >= 0 && !label[q] && bright(q)) {
            label[q] = regions;
            queue[tail++] = q;
          }
      }
      if (tail > largestSize) {
        largestSize = tail;
        largest = regions;
      }
    }
    const set = (u: number, w: number) => {
      out[at(u, w)] = 1;
    };
    if (largest === 0) {
      for (let w = 0; w < nw; w++) for (let u = 0; u < nu; u++) set(u, w);
      continue;
    }
    // The hull of the region's voxel centres: the first and last voxel of each row carry every point
    // that can be on it. (Centres, not voxel squares: the squares' hull would take in the centres of air
    // voxels along a curved skin.)
    const corners: [number, number][] = [];
    for (let w = 0; w < nw; w++) {
      let first = -1;
      let last = -1;
      for (let u = 0; u < nu; u++)
        if (label[u + nu * w] === largest) {
          if (first < 0) first = u;
          last = u;
        }
      if (first < 0) continue;
      corners.push([first, w], [last, w]);
    }
    fillConvex(convexHull(corners), nu, nw, set);
    for (let p = 0; p < nu * nw; p++) if (label[p] === largest) set(p % nu, Math.floor(p / nu));
  }
  return out;
}

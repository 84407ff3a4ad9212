/**
 * The 3D view's mesh file (src/components/caseMesh.ts): what the data loader encodes, the page decodes —
 * positions to within half the 0.02 mm step, margins and areas as float32, triangles exactly — with
 * 16-bit and 32-bit index differences.
 */
import { createRandom } from "@cryomargin/analysis";
import { describe, expect, it } from "vitest";
import { decodeCaseMeshes, encodeCaseMeshes, MESH_POSITION_STEP_MM } from "../src/components/caseMesh.js";

function randomMesh(vertices: number, triangles: number, seed: number) {
  const rnd = createRandom(seed);
  const positions = Float64Array.from({ length: 3 * vertices }, () => -80 + 160 * rnd.next());
  const tris = Uint32Array.from({ length: 3 * triangles }, () => rnd.int(vertices));
  return { positions, tris, values: Float64Array.from({ length: vertices }, () => -10 + 20 * rnd.next()) };
}

describe("case mesh file", () => {
  for (const [name, nt, ni] of [
    ["small (16-bit index differences)", 900, 2000],
    ["large (32-bit index differences)", 40_000, 1000],
  ] as const) {
    it(`round-trips a ${name} mesh`, () => {
      const tumor = randomMesh(nt, 2 * nt, 1);
      const ice = randomMesh(ni, 2 * ni, 2);
      tumor.values[3] = Number.NaN;
      const bytes = encodeCaseMeshes({
        tumor: {
          positionsMm: tumor.positions,
          marginsMm: tumor.values,
          areasMm2: tumor.values.map(Math.abs),
          triangles: tumor.tris,
        },
        ice: { positionsMm: ice.positions, triangles: ice.tris },
      });
      const back = decodeCaseMeshes(bytes.buffer as ArrayBuffer);
      let worst = 0;
      for (const [a, b] of [
        [tumor.positions, back.tumor.positionsMm],
        [ice.positions, back.ice.positionsMm],
      ] as const) {
        expect(b.length).toBe(a.length);
        for (let v = 0; v < a.length; v++) worst = Math.max(worst, Math.abs(a[v] - b[v]));
      }
      expect(worst).toBeLessThanOrEqual(MESH_POSITION_STEP_MM / 2 + 1e-4);
      expect([...back.tumor.triangles]).toEqual([...tumor.tris]);
      expect([...back.ice.triangles]).toEqual([...ice.tris]);
      expect([...back.tumor.marginsMm]).toEqual([...Float32Array.from(tumor.values)]);
      expect(Number.isNaN(back.tumor.marginsMm[3])).toBe(true);
      expect([...back.tumor.areasMm2]).toEqual([...Float32Array.from(tumor.values.map(Math.abs))]);
    });
  }

  it("refuses bytes that are not a mesh file", () => {
    expect(() => decodeCaseMeshes(new Uint8Array(64).buffer)).toThrow(/not a cryomargin mesh file/);
  });
});

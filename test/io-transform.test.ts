/**
 * loaders/io/transform.ts: ITK text and JSON transforms → the pre → post RAS matrix. Expected values
 * are worked by hand in the comments (LPS → RAS: negate x and y of points), or computed by Rodrigues'
 * axis-angle formula, independent of the quaternion formulas under test.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyAffine, type Mat4, multiplyMat4, type Vec3 } from "@cryomargin/analysis";
import { afterAll, describe, expect, it } from "vitest";
import { mat4FromRows } from "../loaders/io/affine.js";
import { InputFileError } from "../loaders/io/inputErrors.js";
import { formatItkTransform, readTransformFile } from "../loaders/io/transform.js";
import { temporaryFolder } from "./helpers/nifti.js";

const tmp = temporaryFolder("cryomargin-tfm-");
afterAll(tmp.remove);

let counter = 0;
/** Writes a transform file and returns its path. */
function tfm(text: string, extension = ".tfm"): string {
  const path = join(tmp.dir, `t${counter++}${extension}`);
  writeFileSync(path, text);
  return path;
}

/** An ITK text transform file with one transform. */
function itk(type: string, parameters: number[], fixed: number[] = [0, 0, 0]): string {
  return `#Insight Transform File V1.0\n#Transform 0\nTransform: ${type}\nParameters: ${parameters.join(" ")}\nFixedParameters: ${fixed.join(" ")}\n`;
}

function expectPoint(actual: Vec3, expected: Vec3, digits = 12): void {
  for (let a = 0; a < 3; a++) expect(actual[a]).toBeCloseTo(expected[a], digits);
}

function inputError(call: () => unknown): InputFileError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(InputFileError);
    return error as InputFileError;
  }
  throw new Error("expected an InputFileError, nothing was thrown");
}

/** Rotation by `angle` about the unit `axis` (Rodrigues): cos θ I + sin θ [u]× + (1 − cos θ) u uᵀ. */
function rodrigues(axis: Vec3, angle: number): number[][] {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / n);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const k = 1 - c;
  return [
    [c + x * x * k, x * y * k - z * s, x * z * k + y * s],
    [y * x * k + z * s, c + y * y * k, y * z * k - x * s],
    [z * x * k - y * s, z * y * k + x * s, c + z * z * k],
  ];
}

const lpsToRas = (p: Vec3): Vec3 => [-p[0], -p[1], p[2]];

describe("ITK text transforms (LPS → RAS, fixed = pre ⇒ pre → post)", () => {
  it("TranslationTransform (1, 2, 3) in LPS is (−1, −2, 3) in RAS", () => {
    const m = readTransformFile(tfm(itk("TranslationTransform_double_3_3", [1, 2, 3], [])));
    expect([...m]).toEqual([1, 0, 0, -1, 0, 1, 0, -2, 0, 0, 1, 3, 0, 0, 0, 1]);
  });

  it("Euler3DTransform: θz = 90° about centre (10, 0, 0) LPS, t = (0, 0, 5)", () => {
    // LPS: p = (11, 0, 0) → Rz(p − c) + t + c = (0, 1, 0) + (0, 0, 5) + (10, 0, 0) = (10, 1, 5)
    const m = readTransformFile(tfm(itk("Euler3DTransform_double_3_3", [0, 0, Math.PI / 2, 0, 0, 5], [10, 0, 0, 0])));
    expectPoint(applyAffine(m, lpsToRas([11, 0, 0])), lpsToRas([10, 1, 5]));
    expectPoint(applyAffine(m, lpsToRas([10, 0, 0])), lpsToRas([10, 0, 5]));
  });

  it("Euler3DTransform angle order: Rz·Rx·Ry by default, Rz·Ry·Rx with ComputeZYX (4th fixed parameter)", () => {
    // θx = θy = 90°. LPS x̂ = (1,0,0): Ry → (0,0,−1), then Rx → (0,1,0): default maps x̂ → ŷ.
    // ZYX: Rx leaves x̂, Ry → (0,0,−1): x̂ → −ẑ.
    const angles = [Math.PI / 2, Math.PI / 2, 0, 0, 0, 0];
    const vtk = readTransformFile(tfm(itk("Euler3DTransform_double_3_3", angles, [0, 0, 0, 0])));
    const zyx = readTransformFile(tfm(itk("Euler3DTransform_double_3_3", angles, [0, 0, 0, 1])));
    const legacy = readTransformFile(tfm(itk("Euler3DTransform_double_3_3", angles, [0, 0, 0])));
    expectPoint(applyAffine(vtk, lpsToRas([1, 0, 0])), lpsToRas([0, 1, 0]));
    expectPoint(applyAffine(zyx, lpsToRas([1, 0, 0])), lpsToRas([0, 0, -1]));
    expect([...legacy]).toEqual([...vtk]);
  });

  it("Euler3DTransform with general angles equals Rz·Rx·Ry built from Rodrigues rotations", () => {
    const [ax, ay, az] = [0.1, -0.25, 0.4];
    const centre: Vec3 = [3, -7, 11];
    const t: Vec3 = [1.5, -2, 0.25];
    const m = readTransformFile(tfm(itk("Euler3DTransform_double_3_3", [ax, ay, az, ...t], [...centre, 0])));
    const r = [rodrigues([0, 0, 1], az), rodrigues([1, 0, 0], ax), rodrigues([0, 1, 0], ay)]
      .map((x) => mat4FromRows(x.map((row) => [...row, 0])))
      .reduce((a, b) => multiplyMat4(a, b));
    const p: Vec3 = [20, -4, 9];
    const rotated = applyAffine(r, [p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]]);
    expectPoint(
      applyAffine(m, lpsToRas(p)),
      lpsToRas([rotated[0] + t[0] + centre[0], rotated[1] + t[1] + centre[1], rotated[2] + t[2] + centre[2]]),
    );
  });

  it("VersorRigid3DTransform: (0, 0, sin 45°) is 90° about z; general versors match Rodrigues", () => {
    const quarter = readTransformFile(tfm(itk("VersorRigid3DTransform_double_3_3", [0, 0, Math.SQRT1_2, 1, 2, 3])));
    // LPS x̂ → ŷ, then + t
    expectPoint(applyAffine(quarter, lpsToRas([1, 0, 0])), lpsToRas([1, 3, 3]));

    // As SimpleITK writes it: versor, translation, centre.
    const v: Vec3 = [0.01, -0.02, 0.03];
    const t: Vec3 = [1.5, -2.5, 3.5];
    const centre: Vec3 = [-10, 20, 30];
    const m = readTransformFile(tfm(itk("VersorRigid3DTransform_double_3_3", [...v, ...t], centre)));
    const r = mat4FromRows(rodrigues(v, 2 * Math.asin(Math.hypot(...v))).map((row) => [...row, 0]));
    const p: Vec3 = [5, 6, -7];
    const rotated = applyAffine(r, [p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]]);
    expectPoint(
      applyAffine(m, lpsToRas(p)),
      lpsToRas([rotated[0] + t[0] + centre[0], rotated[1] + t[1] + centre[1], rotated[2] + t[2] + centre[2]]),
    );
  });

  it("AffineTransform: y = M(x − c) + t + c", () => {
    // M = Rz(90°), t = 0, c = (5, 5, 0): (6, 5, 0) → c + (0, 1, 0) = (5, 6, 0)
    const m = readTransformFile(
      tfm(itk("AffineTransform_double_3_3", [0, -1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0], [5, 5, 0])),
    );
    expectPoint(applyAffine(m, lpsToRas([6, 5, 0])), lpsToRas([5, 6, 0]));
    expectPoint(applyAffine(m, lpsToRas([5, 5, 0])), lpsToRas([5, 5, 0]));
  });

  it("CompositeTransform applies the last listed transform first", () => {
    const text = [
      "#Insight Transform File V1.0",
      "#Transform 0",
      "Transform: CompositeTransform_double_3_3",
      "#Transform 1",
      "Transform: VersorRigid3DTransform_double_3_3",
      `Parameters: 0 0 ${Math.SQRT1_2} 0 0 0`,
      "FixedParameters: 0 0 0",
      "#Transform 2",
      "Transform: TranslationTransform_double_3_3",
      "Parameters: 1 0 0",
      "FixedParameters:",
      "",
    ].join("\r\n");
    // origin → translate (1, 0, 0) → rotate 90° about z → (0, 1, 0) LPS
    expectPoint(applyAffine(readTransformFile(tfm(text)), [0, 0, 0]), lpsToRas([0, 1, 0]));
  });

  it("--invert gives the post → pre map", () => {
    const path = tfm(itk("Euler3DTransform_double_3_3", [0.05, 0.1, -0.2, 4, 5, 6], [1, 2, 3, 0]));
    const forward = readTransformFile(path);
    const inverse = readTransformFile(path, { invert: true });
    const p: Vec3 = [12, -30, 44];
    expectPoint(applyAffine(inverse, applyAffine(forward, p)), p);
  });

  it("refuses scaling, shear and reflection beyond 1e-3 unless allowAffine", () => {
    const scaled = tfm(itk("AffineTransform_double_3_3", [1.01, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]));
    const e = inputError(() => readTransformFile(scaled));
    expect(e.problem).toBe("non-rigid");
    expect(e.message).toMatch(/^.*t\d+\.tfm: the transform is not rigid: scaling up to 1\.00e-2/);
    expect(e.message).toContain("--allow-affine");
    expect(readTransformFile(scaled, { allowAffine: true })[0]).toBeCloseTo(1.01, 12);
    const sheared = tfm(itk("AffineTransform_double_3_3", [1, 0.01, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]));
    expect(inputError(() => readTransformFile(sheared)).problem).toBe("non-rigid");
    const mirrored = tfm(itk("AffineTransform_double_3_3", [-1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]));
    expect(inputError(() => readTransformFile(mirrored)).message).toContain("mirrors space");
    // within tolerance: a 5e-4 scale error is rounding in a registration, accepted
    const nearly = tfm(itk("AffineTransform_double_3_3", [1.0005, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]));
    expect(readTransformFile(nearly)[0]).toBe(1.0005);
  });

  it("no transform file means identity", () => {
    expect([...readTransformFile(undefined)]).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  });
});

describe("JSON 4×4 transforms", () => {
  const rows = [
    [0, -1, 0, 1],
    [1, 0, 0, 2],
    [0, 0, 1, 3],
    [0, 0, 0, 1],
  ];
  it("RAS is taken as is; LPS is converted", () => {
    const ras = readTransformFile(tfm(JSON.stringify({ space: "RAS", matrix: rows }), ".json"));
    expect([...ras]).toEqual(rows.flat());
    const lps = readTransformFile(tfm(JSON.stringify({ space: "LPS", matrix: rows }), ".json"));
    // F·M·F: translation (1, 2, 3) → (−1, −2, 3); a rotation about z is unchanged by the flip
    expect([...lps]).toEqual([0, -1, 0, -1, 1, 0, 0, -2, 0, 0, 1, 3, 0, 0, 0, 1]);
  });

  it("bad JSON: not JSON, no space, wrong shape, bad last row", () => {
    expect(inputError(() => readTransformFile(tfm("{ not json", ".json"))).message).toContain("is not valid JSON");
    expect(inputError(() => readTransformFile(tfm(JSON.stringify({ matrix: rows }), ".json"))).message).toContain(
      '"space" must be "RAS" or "LPS", got undefined',
    );
    expect(
      inputError(() => readTransformFile(tfm(JSON.stringify({ space: "RAS", matrix: [[1, 0, 0]] }), ".json"))).problem,
    ).toBe("bad-transform");
    const badLast = [...rows.slice(0, 3), [0, 0, 1, 1]];
    expect(
      inputError(() => readTransformFile(tfm(JSON.stringify({ space: "RAS", matrix: badLast }), ".json"))).message,
    ).toContain("the last row");
  });
});

describe("formatItkTransform", () => {
  /** A random rigid RAS transform (deterministic). */
  function rigid(seed: number): Mat4 {
    const rnd = (k: number) => Math.sin(seed * 12.9898 + k * 78.233) * 0.5;
    const r = rodrigues([rnd(1), rnd(2), rnd(3) + 0.1], rnd(4) * 2);
    return mat4FromRows(r.map((row, i) => [...row, rnd(5 + i) * 40]));
  }

  it("writes a RAS translation (1, 2, 3) as LPS parameters", () => {
    const text = formatItkTransform(
      mat4FromRows([
        [1, 0, 0, 1],
        [0, 1, 0, 2],
        [0, 0, 1, 3],
      ]),
    );
    expect(text).toBe(
      "#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0 0 0 1 -1 -2 3\nFixedParameters: 0 0 0\n",
    );
  });

  it("AffineTransform files read back bit-exactly; VersorRigid3D within 1e-12", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const m = rigid(seed);
      expect([...readTransformFile(tfm(formatItkTransform(m)))]).toEqual([...m]);
      const versor = readTransformFile(tfm(formatItkTransform(m, { kind: "versor" })));
      for (let i = 0; i < 16; i++) expect(versor[i]).toBeCloseTo(m[i], 12);
    }
  });

  it("refuses to write a non-rigid transform as a versor", () => {
    const scaled = mat4FromRows([
      [2, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ]);
    expect(() => formatItkTransform(scaled, { kind: "versor" })).toThrow(/not rigid/);
  });
});

describe("bad transform files: a typed error naming the file", () => {
  it("missing file", () => {
    const path = join(tmp.dir, "none.tfm");
    const e = inputError(() => readTransformFile(path));
    expect([e.problem, e.message]).toEqual(["missing", `${path}: no such file`]);
  });

  it("not a transform file at all", () => {
    const path = tfm("hello world\n");
    const e = inputError(() => readTransformFile(path));
    expect(e.problem).toBe("bad-transform");
    expect(e.message).toContain(path);
  });

  it("a binary MATLAB .mat transform", () => {
    const e = inputError(() => readTransformFile(tfm("MATLAB 5.0 MAT-file\0\0\u0001", ".mat")));
    expect(e.message).toContain("binary MATLAB (.mat) transform");
  });

  it("an unsupported (deformable) transform type", () => {
    const e = inputError(() => readTransformFile(tfm(itk("BSplineTransform_double_3_3", [1, 2, 3]))));
    expect(e.message).toContain("transform type 'BSplineTransform_double_3_3' is not supported");
  });

  it("wrong number of parameters, a non-number, a missing centre", () => {
    expect(inputError(() => readTransformFile(tfm(itk("Euler3DTransform_double_3_3", [1, 2, 3])))).message).toContain(
      "Euler3DTransform_double_3_3 needs 6 Parameters, the file has 3",
    );
    expect(
      inputError(() => readTransformFile(tfm(itk("Euler3DTransform_double_3_3", [0, 0, 0, 1, 2, Number.NaN])))).message,
    ).toContain("line 4: Parameters has a value that is not a decimal number ('NaN')");
    expect(
      inputError(() => readTransformFile(tfm(itk("Euler3DTransform_double_3_3", [0, 0, 0, 1, 2, 3], [1])))).message,
    ).toContain("needs the rotation centre as 3 FixedParameters");
  });

  it("a number not written in decimal (0x10, 0b11, 0o7, Infinity) is refused, not read", () => {
    for (const word of ["0x10", "0b11", "0o7", "Infinity", "1_0"]) {
      const text = itk("TranslationTransform_double_3_3", [1, 2, 3], []).replace(
        "Parameters: 1 2",
        `Parameters: ${word} 2`,
      );
      expect(inputError(() => readTransformFile(tfm(text))).message).toContain(
        `line 4: Parameters has a value that is not a decimal number ('${word}')`,
      );
    }
  });

  it("a second Parameters or FixedParameters line in one transform is an error, not the last one silently", () => {
    const twice = itk("TranslationTransform_double_3_3", [1, 2, 3], []).replace(
      "Parameters: 1 2 3\n",
      "Parameters: 1 2 3\nParameters: 4 5 6\n",
    );
    const e = inputError(() => readTransformFile(tfm(twice)));
    expect([e.problem, e.message.slice(e.message.indexOf(": ") + 2)]).toEqual([
      "bad-transform",
      "line 5: a second 'Parameters:' line in the transform of line 3 (the first is line 4); which one holds is not clear",
    ]);
    const fixedTwice = itk("Euler3DTransform_double_3_3", [0, 0, 0, 1, 2, 3]).replace(
      "FixedParameters: 0 0 0\n",
      "FixedParameters: 0 0 0\nFixedParameters: 9 9 9\n",
    );
    expect(inputError(() => readTransformFile(tfm(fixedTwice))).message).toContain(
      "line 6: a second 'FixedParameters:' line in the transform of line 3 (the first is line 5)",
    );
  });

  it("two transforms without a composite", () => {
    const two =
      itk("TranslationTransform_double_3_3", [1, 2, 3], []) +
      itk("TranslationTransform_double_3_3", [1, 2, 3], []).replace("#Insight Transform File V1.0\n", "");
    expect(inputError(() => readTransformFile(tfm(two))).message).toContain(
      "holds 2 transforms without a CompositeTransform",
    );
  });

  it("a singular affine", () => {
    const e = inputError(() =>
      readTransformFile(tfm(itk("AffineTransform_double_3_3", [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0])), {
        allowAffine: true,
      }),
    );
    expect(e.problem).toBe("singular-affine");
  });
});

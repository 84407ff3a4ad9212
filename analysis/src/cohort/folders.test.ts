import { describe, expect, it } from "vitest";
import { caseFolderProblems, caseRegistrationSource } from "./folders.js";

const all = ["tumor.nii.gz", "iceball.nii.gz", "registration.tfm", "pre.nii.gz"];

describe("caseFolderProblems", () => {
  it("is silent when every row has a complete folder", () => {
    expect(
      caseFolderProblems(
        [
          { caseId: "c01", line: 2 },
          { caseId: "c02", line: 3 },
        ],
        [
          { caseId: "c01", files: all },
          { caseId: "c02", files: all.slice(0, 3) },
        ],
      ),
    ).toEqual([]);
  });

  it("names rows without folders, missing files, case-only mismatches and orphan folders", () => {
    const problems = caseFolderProblems(
      [
        { caseId: "c01", line: 2 },
        { caseId: "c02", line: 3 },
        { caseId: "C03", line: 4 },
        { caseId: "c04", line: 5 },
      ],
      [
        { caseId: "c01", files: ["tumor.nii.gz"] },
        { caseId: "c03", files: all },
        { caseId: "c04", files: all },
        { caseId: "c99", files: all },
      ],
    );
    expect(problems.map((p) => p.message)).toEqual([
      "cases/c01/iceball.nii.gz, case c01: missing: each case folder needs tumor.nii.gz (or tumor.nii, tumor.nrrd, tumor.nhdr, tumor.seg.nrrd, tumor.mha, tumor.mhd, tumor.dcm, segmentation.seg.nrrd), iceball.nii.gz (or iceball.nii, iceball.nrrd, iceball.nhdr, iceball.seg.nrrd, iceball.mha, iceball.mhd, iceball.dcm, segmentation.seg.nrrd), registration.tfm (or the scans pre.nii.gz and post.nii.gz (or .nii, .nrrd, .nhdr, .mha, .mhd, or DICOM series folders pre/ and post/) for cryomargin to register)",
      "cases/c01/registration.tfm, case c01: missing: each case folder needs tumor.nii.gz (or tumor.nii, tumor.nrrd, tumor.nhdr, tumor.seg.nrrd, tumor.mha, tumor.mhd, tumor.dcm, segmentation.seg.nrrd), iceball.nii.gz (or iceball.nii, iceball.nrrd, iceball.nhdr, iceball.seg.nrrd, iceball.mha, iceball.mhd, iceball.dcm, segmentation.seg.nrrd), registration.tfm (or the scans pre.nii.gz and post.nii.gz (or .nii, .nrrd, .nhdr, .mha, .mhd, or DICOM series folders pre/ and post/) for cryomargin to register)",
      "clinical.csv line 3, case c02, field case_id: no folder cases/c02/ for this case",
      "clinical.csv line 4, case C03, field case_id: the folder is cases/c03/, which differs from the case id in upper/lower case",
      "cases/c99, case c99: a case folder without a row in clinical.csv",
    ]);
    expect(problems.every((p) => p.severity === "error")).toBe(true);
    expect(problems.map((p) => p.code)).toEqual([
      "missing-file",
      "missing-file",
      "missing-file",
      "missing-file",
      "orphan-file",
    ]);
  });

  it("accepts one 3D Slicer segmentation.seg.nrrd for both masks; beside tumor.nrrd it is a duplicate", () => {
    const slicer = ["segmentation.seg.nrrd", "registration.tfm"];
    expect(caseFolderProblems([{ caseId: "c01", line: 2 }], [{ caseId: "c01", files: slicer }])).toEqual([]);
    const both = caseFolderProblems(
      [{ caseId: "c01", line: 2 }],
      [{ caseId: "c01", files: [...slicer, "tumor.nrrd"] }],
    );
    expect(both.map((p) => p.message)).toEqual([
      "cases/c01/segmentation.seg.nrrd, case c01: both tumor.nrrd and segmentation.seg.nrrd are present: keep one (which one is the case's is not clear)",
    ]);
  });

  it("accepts an uncompressed mask (tumor.nii, iceball.nii); both forms at once is an error", () => {
    const plain = ["tumor.nii", "iceball.nii", "registration.tfm"];
    expect(caseFolderProblems([{ caseId: "c01", line: 2 }], [{ caseId: "c01", files: plain }])).toEqual([]);
    const both = caseFolderProblems(
      [{ caseId: "c01", line: 2 }],
      [{ caseId: "c01", files: [...plain, "tumor.nii.gz"] }],
    );
    expect(both.map((p) => [p.code, p.message])).toEqual([
      [
        "duplicate-file",
        "cases/c01/tumor.nii, case c01: both tumor.nii.gz and tumor.nii are present: keep one (which one is the case's is not clear)",
      ],
    ]);
  });

  it("accepts pre and post scans in place of registration.tfm; one scan alone or a scan under two names is an error", () => {
    const masks = ["tumor.nii.gz", "iceball.nii.gz"];
    const check = (files: string[]) =>
      caseFolderProblems([{ caseId: "c01", line: 2 }], [{ caseId: "c01", files }]).map((p) => [p.code, p.message]);
    expect(check([...masks, "pre.nii.gz", "post.nii.gz"])).toEqual([]);
    expect(check([...masks, "pre", "post.nrrd"])).toEqual([]);
    expect(check([...masks, "pre.nii.gz"])).toEqual([
      [
        "missing-file",
        "cases/c01/post.nii.gz, case c01: missing: without registration.tfm cryomargin registers the case's scans and needs both, pre.nii.gz and post.nii.gz (or .nii, .nrrd, .nhdr, .mha, .mhd, or DICOM series folders pre/ and post/)",
      ],
    ]);
    expect(check([...masks, "pre.nii.gz", "pre.nii", "post.nii.gz"])).toEqual([
      [
        "duplicate-file",
        "cases/c01/pre.nii, case c01: both pre.nii.gz and pre.nii are present: keep one (which one is the case's is not clear)",
      ],
    ]);
    // With a transform the scans are not registered: two names for one scan do not matter to the margins.
    expect(check([...masks, "registration.tfm", "pre.nii.gz", "pre.nii"])).toEqual([]);
  });
});

describe("caseRegistrationSource", () => {
  it("is the supplied transform when present (scans or not), else the two scans, else names what is missing", () => {
    expect(caseRegistrationSource(["registration.tfm", "pre.nii.gz", "post.nii.gz"])).toEqual({
      source: "supplied",
      transform: "registration.tfm",
      scansPresent: true,
    });
    expect(caseRegistrationSource(["registration.tfm", "pre.nii.gz"])).toEqual({
      source: "supplied",
      transform: "registration.tfm",
      scansPresent: false,
    });
    expect(caseRegistrationSource(["post.mha", "pre"])).toEqual({ source: "register", pre: "pre", post: "post.mha" });
    expect(caseRegistrationSource(["post.nii"])).toEqual({ source: "none", missing: ["pre"] });
    expect(caseRegistrationSource(["tumor.nii.gz"])).toEqual({ source: "none", missing: ["transform"] });
  });
});

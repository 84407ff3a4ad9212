/** The part of dcmjs (no type declarations of its own) that cryomargin uses: reading a DICOM file's data set. */
declare module "dcmjs" {
  /** One element of a data set: its value representation and values (`Value` absent when empty). */
  export interface DicomElement {
    vr: string;
    Value?: unknown[];
  }
  /** A data set keyed by tag hex ("0020000E"); a sequence's items are data sets. */
  export type DicomDataSet = Record<string, DicomElement>;
  interface DicomDict {
    meta: DicomDataSet;
    dict: DicomDataSet;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  interface DcmjsData {
    DicomMessage: {
      readFile(
        buffer: ArrayBuffer,
        options?: {
          untilTag?: string | null;
          includeUntilTagValue?: boolean;
          ignoreErrors?: boolean;
          noCopy?: boolean;
        },
      ): DicomDict;
    };
    DicomDict: new (meta: DicomDataSet) => DicomDict;
    DicomMetaDictionary: {
      naturalizeDataset(dataset: DicomDataSet): Record<string, unknown>;
      denaturalizeDataset(dataset: Record<string, unknown>): DicomDataSet;
      uid(): string;
    };
  }
  const dcmjs: { data: DcmjsData };
  export default dcmjs;
}

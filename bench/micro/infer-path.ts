/** One way of running a model from the main thread; every call uses the model's fixed input. */
export interface InferPath {
  /** Short label used in the table and the JSON. */
  readonly name: PathName;
  /** Runs one inference and resolves with the benchmarked output's data. */
  infer(): Promise<Float32Array>;
  close(): Promise<void>;
}

export const PATH_NAMES = ['proton', 'ort-main', 'ort-worker'] as const;
export type PathName = (typeof PATH_NAMES)[number];

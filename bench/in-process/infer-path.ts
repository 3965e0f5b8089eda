/** One way of running a model from the main thread; every call uses the model's fixed input. */
export interface InferPath {
  /** Short label used in the tables and the JSON (e.g. 'proton', 'ort-main', 'ort-worker'). */
  readonly name: string;
  /** Runs one inference and resolves with the benchmarked output's data. */
  infer(): Promise<Float32Array>;
  close(): Promise<void>;
}

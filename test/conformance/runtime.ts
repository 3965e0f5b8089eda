import type { Tensor } from '../../ts/protocol/tensor';

/** A model loaded by one of the runtimes under test. */
export interface LoadedModel {
  /** Runs the model once and returns every output by name. */
  run(inputs: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  close(): Promise<void>;
}

/** An inference runtime the conformance suite checks: onnxruntime-node or Proton. */
export interface Runtime {
  name: string;
  load(modelPath: string): Promise<LoadedModel>;
}

import type { InferInputs, InferOptions, InferOutputs, ModelMetadata, ModelStatistics, TimedInferResult } from '../model-types';

/**
 * What the registry serves: a `Model`, or a `ConfiguredModel` wrapping one with its
 * ModelConfig's request policy. Both transports use only these members.
 */
export interface ServableModel {
  readonly metadata: ModelMetadata;
  readonly path: string;
  readonly ready: boolean;
  readonly maxBatchSize: number;
  infer(inputs: InferInputs, options?: InferOptions): Promise<InferOutputs>;
  /** `infer` plus the request's phase timing (what the access log and histograms read). */
  inferWithTiming(inputs: InferInputs, options?: InferOptions): Promise<TimedInferResult>;
  stats(): ModelStatistics;
  close(): Promise<void>;
}

/** One version of a model as the server exposes it. */
export interface ServedModel {
  readonly name: string;
  /** Numeric version string ("1", "2", ...). */
  readonly version: string;
  readonly model: ServableModel;
}

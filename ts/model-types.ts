import type { TensorType } from './protocol/datatypes';
import type { Tensor } from './protocol/tensor';

/** One input or output of a loaded model. */
export interface TensorInfo {
  name: string;
  type: TensorType;
  /** Dimensions; a dynamic dimension is its symbolic name when the model names it, else -1. */
  shape: Array<number | string>;
}

export interface ModelMetadata {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/** Options of `Model.load`; the ONNX Runtime ones use onnxruntime-node's names. */
export interface ModelLoadOptions {
  /** ONNX Runtime intra-op threads per session (default 1). */
  intraOpNumThreads?: number;
  /** ONNX Runtime inter-op threads per session (default 1). */
  interOpNumThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionMode?: 'sequential' | 'parallel';
  /** Bounded queue capacity in jobs (default 1024); a full queue rejects with RESOURCE_EXHAUSTED. */
  queueCapacity?: number;
  /** Largest batch the worker forms from queued requests; 0 disables dynamic batching (default 0). */
  maxBatchSize?: number;
  /** Batch sizes the scheduler prefers to send (Triton semantics). */
  preferredBatchSizes?: number[];
  /** How long the oldest queued request may wait for a batch to fill, in microseconds (default 0). */
  maxQueueDelayUs?: number;
  /** Worker threads sharing the model's queue and session (default 1). */
  instances?: number;
  /**
   * Test hook: the workers take no job until this many are queued (once, at start).
   * Makes batching tests independent of timing.
   */
  holdUntilQueued?: number;
}

export interface InferOptions {
  /** Names of the outputs to compute and return; all outputs when omitted. */
  outputs?: string[];
  /** Reject with UNAVAILABLE ("timed out in queue") if the job has not started within this many ms. */
  timeoutMs?: number;
  /** Aborting drops the job if it has not started yet (rejects with CANCELLED). */
  signal?: AbortSignal;
}

export interface ModelStats {
  /** Session runs so far. */
  executions: number;
  /** Requests answered by those runs (a request of batch size b counts b). */
  inferences: number;
  /** batchSizes[n] = number of executions that ran a batch of n. */
  batchSizes: number[];
  /** Jobs accepted and not yet settled. */
  pending: number;
}

export type InferInputs = Record<string, Tensor>;
export type InferOutputs = Record<string, Tensor>;

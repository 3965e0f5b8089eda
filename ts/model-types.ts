import type { CancelFlag } from './cancel-flag';
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
  /** Test hook: creating the thread of this instance index (0-based) fails, failing the load. */
  testFailThreadStart?: number;
  /** Test hook: settling the job with this index (0-based, in settle order) throws natively. */
  testThrowOnSettle?: number;
}

export interface InferOptions {
  /** Names of the outputs to compute and return; all outputs when omitted. */
  outputs?: string[];
  /** Reject with UNAVAILABLE ("timed out in queue") if the job has not started within this many ms. */
  timeoutMs?: number;
  /** Aborting drops the job if it has not started yet (rejects with CANCELLED). */
  signal?: AbortSignal;
  /** The same as `signal` without its costs: `cancel.cancel()` drops the job if it has not started. */
  cancel?: CancelFlag;
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

/** A cumulative count and duration (Triton's StatisticDuration). */
export interface PhaseTotal {
  count: number;
  /** Total nanoseconds. */
  ns: number;
}

/**
 * Cumulative per-request statistics, Triton's `inference_stats` semantics: `success` and `fail`
 * count requests and their time from acceptance to outputs handed back (fail: to the failure);
 * `queue` and the compute phases count successful requests only, a batch's phase time being
 * attributed to each request in it. Queue-full rejections never enter and are not counted.
 */
export interface InferenceStats {
  success: PhaseTotal;
  fail: PhaseTotal;
  /** Accepted until its execution started. */
  queue: PhaseTotal;
  /** Inputs into the session (batch concatenation included). */
  computeInput: PhaseTotal;
  /** ONNX Runtime's Run. */
  computeInfer: PhaseTotal;
  /** Outputs read back and split per request. */
  computeOutput: PhaseTotal;
}

/** Per batch size (Triton's `batch_stats`): `count` is executions of that size. */
export interface BatchSizeStats {
  batchSize: number;
  computeInput: PhaseTotal;
  computeInfer: PhaseTotal;
  computeOutput: PhaseTotal;
}

/** What `Model.stats()` returns: the counters plus phase timings. */
export interface ModelStatistics extends ModelStats {
  /** Wall-clock time of the last execution, ms since the Unix epoch; 0 before the first. */
  lastInferenceMs: number;
  inferenceStats: InferenceStats;
  /** Batch sizes that ran at least once, ascending. */
  batchStats: BatchSizeStats[];
  /** Executions by instance (index = instance); each instance is one native thread. */
  instanceExecutions: number[];
  /** Per successful request, like `inferenceStats`: the queue and compute-infer phases as histograms. */
  latencyHistograms: { queue: DurationHistogram; computeInfer: DurationHistogram };
}

/**
 * Durations in the buckets of `latencyBucketBoundsNs` (ts/native.ts): `counts[i]` holds those in
 * (bound[i-1], bound[i]], the last count those above every bound.
 */
export interface DurationHistogram {
  counts: number[];
  sumNs: number;
}

/** One request's phase durations in nanoseconds, as counted in `InferenceStats`. */
export interface InferTiming {
  queueNs: number;
  computeInputNs: number;
  computeInferNs: number;
  computeOutputNs: number;
}

export interface TimedInferResult {
  outputs: InferOutputs;
  timing: InferTiming;
}

export type InferInputs = Record<string, Tensor>;
export type InferOutputs = Record<string, Tensor>;

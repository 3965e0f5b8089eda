/** One dynamic-batching setting of Proton to measure (Triton's names, Model.load's spelling). */
export interface BatchingConfig {
  maxBatchSize: number;
  maxQueueDelayUs: number;
}

/** The models this benchmark knows: the MLP batches, SqueezeNet 1.0's batch dimension is fixed at 1. */
export const BATCHING_MODEL_NAMES = ['mlp', 'squeezenet'] as const;
export type BatchingModelName = (typeof BATCHING_MODEL_NAMES)[number];


export interface BatchingBenchOptions {
  /** Measured seconds per path and model, split over `rounds`. */
  durationS: number;
  /** Unmeasured seconds per path before its first round (default: a quarter of durationS, at least 0.25). */
  warmupS?: number;
  /** Rounds the measured time is split into; paths run in a rotated order each round. */
  rounds: number;
  /** Calls kept outstanding, each of batch 1. */
  inFlight: number;
  models: readonly BatchingModelName[];
  /** Proton batching settings to measure on models that can batch. */
  batchConfigs: readonly BatchingConfig[];
  /** Progress lines; stderr when omitted. */
  log?: (line: string) => void;
}

/** The ONNX Runtime intra-op threads every path gets: one, as bench/micro's ORT_SESSION_OPTIONS. */
export const INTRA_OP_THREADS = 1;

export const DEFAULT_BATCH_CONFIGS: readonly BatchingConfig[] = [
  { maxBatchSize: 32, maxQueueDelayUs: 0 },
  { maxBatchSize: 32, maxQueueDelayUs: 500 },
  { maxBatchSize: 64, maxQueueDelayUs: 0 },
  { maxBatchSize: 64, maxQueueDelayUs: 500 },
  // Long enough for the JS thread to hand back and resubmit a whole batch: every batch runs full.
  { maxBatchSize: 64, maxQueueDelayUs: 2000 },
];

export const DEFAULT_BATCHING_OPTIONS: BatchingBenchOptions = {
  durationS: 5,
  rounds: 4,
  inFlight: 64,
  models: BATCHING_MODEL_NAMES,
  batchConfigs: DEFAULT_BATCH_CONFIGS,
};

/** "32:0" = maxBatchSize 32, maxQueueDelayUs 0. */
export function parseBatchConfig(text: string): BatchingConfig {
  const match = /^(\d+):(\d+)$/.exec(text.trim());
  const maxBatchSize = Number(match?.[1]);
  const maxQueueDelayUs = Number(match?.[2]);
  if (match === null || !(maxBatchSize >= 1)) {
    throw new Error(`batch config '${text}': expected MAX_BATCH_SIZE:MAX_QUEUE_DELAY_US with MAX_BATCH_SIZE >= 1, e.g. 32:500`);
  }
  return { maxBatchSize, maxQueueDelayUs };
}

export function describeBatchConfig(config: BatchingConfig): string {
  return `max ${config.maxBatchSize}, delay ${config.maxQueueDelayUs} µs`;
}

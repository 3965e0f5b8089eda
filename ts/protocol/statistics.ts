import type { ModelStatistics, PhaseTotal } from '../model-types';

/** Triton's StatisticDuration: a count and its cumulative nanoseconds. */
export interface StatisticDuration {
  count: number;
  ns: number;
}

/** Triton's InferStatistics; Proton has no response cache, so cache_hit and cache_miss stay zero. */
export interface InferStatistics {
  success: StatisticDuration;
  fail: StatisticDuration;
  queue: StatisticDuration;
  compute_input: StatisticDuration;
  compute_infer: StatisticDuration;
  compute_output: StatisticDuration;
  cache_hit: StatisticDuration;
  cache_miss: StatisticDuration;
}

/** Triton's InferBatchStatistics: `compute_*.count` is executions of that batch size. */
export interface InferBatchStatistics {
  batch_size: number;
  compute_input: StatisticDuration;
  compute_infer: StatisticDuration;
  compute_output: StatisticDuration;
}

/**
 * Triton's ModelStatistics, one model version; the same object is the REST JSON element and the
 * gRPC message (proto field names). Proton streams no decoupled responses and measures no memory
 * per model, so `response_stats` and `memory_usage` are empty, as Triton reports them for such models.
 */
export interface V2ModelStatistics {
  name: string;
  version: string;
  /** Milliseconds since the Unix epoch of the last execution; 0 before the first. */
  last_inference: number;
  /** Successful inferences; a request of batch size b counts b. */
  inference_count: number;
  /** Successful executions (session runs). */
  execution_count: number;
  inference_stats: InferStatistics;
  response_stats: Record<string, never>;
  batch_stats: InferBatchStatistics[];
  memory_usage: never[];
}

/** `GET /v2/models[/{m}[/versions/{v}]]/stats` and gRPC ModelStatisticsResponse. */
export interface V2ModelStatisticsResponse {
  model_stats: V2ModelStatistics[];
}

const ZERO: StatisticDuration = { count: 0, ns: 0 };

function duration(total: PhaseTotal): StatisticDuration {
  return { count: total.count, ns: total.ns };
}

/** Triton's statistics shape of one served model version, from `Model.stats()`. */
export function v2ModelStatistics(name: string, version: string, stats: ModelStatistics): V2ModelStatistics {
  const s = stats.inferenceStats;
  return {
    name,
    version,
    last_inference: stats.lastInferenceMs,
    inference_count: stats.inferences,
    execution_count: stats.executions,
    inference_stats: {
      success: duration(s.success),
      fail: duration(s.fail),
      queue: duration(s.queue),
      compute_input: duration(s.computeInput),
      compute_infer: duration(s.computeInfer),
      compute_output: duration(s.computeOutput),
      cache_hit: { ...ZERO },
      cache_miss: { ...ZERO },
    },
    response_stats: {},
    batch_stats: stats.batchStats.map((batch) => ({
      batch_size: batch.batchSize,
      compute_input: duration(batch.computeInput),
      compute_infer: duration(batch.computeInfer),
      compute_output: duration(batch.computeOutput),
    })),
    memory_usage: [],
  };
}

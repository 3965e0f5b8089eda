import { ProtonError } from '../errors';
import type { InferInputs, InferOptions, ModelStatistics, ModelStats, TimedInferResult } from '../model-types';
import type { ServableModel } from './model-registry';

/**
 * What observability needs beyond `ServableModel`: phase statistics and per-request timing.
 * `Model` has both; a wrapper that does not forward them yet is served without them.
 */
interface ObservableModel {
  stats(): ModelStatistics;
  inferWithTiming(inputs: InferInputs, options?: InferOptions): Promise<TimedInferResult>;
}

function hasPhaseStatistics(stats: ModelStats): stats is ModelStatistics {
  return (stats as Partial<ModelStatistics>).inferenceStats !== undefined;
}

/**
 * The model's statistics with phase timings.
 * @throws ProtonError INTERNAL when the served model reports counters only
 */
export function modelStatistics(model: ServableModel): ModelStatistics {
  const stats = model.stats();
  if (!hasPhaseStatistics(stats)) throw new ProtonError('INTERNAL', 'this model reports no phase statistics');
  return stats;
}

/** The model's timed inference, when it has one. */
export function timedInference(model: ServableModel): ObservableModel['inferWithTiming'] | undefined {
  const candidate = (model as Partial<Pick<ObservableModel, 'inferWithTiming'>>).inferWithTiming;
  return typeof candidate === 'function' ? candidate.bind(model) : undefined;
}

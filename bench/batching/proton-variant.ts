import type { ModelStats } from '../../ts/index';
import type { InProcessModel } from '../common/models';
import { openProtonPath, type ProtonPath } from '../in-process/proton-path';
import { INTRA_OP_THREADS, type BatchingConfig } from './options';

/** Proton with batching `config` (undefined: batching off) and the shared thread budget. */
export function openProtonVariant(spec: InProcessModel, config: BatchingConfig | undefined): Promise<ProtonPath> {
  const batching = config === undefined ? {} : { maxBatchSize: config.maxBatchSize, maxQueueDelayUs: config.maxQueueDelayUs };
  return openProtonPath(spec, { intraOpNumThreads: INTRA_OP_THREADS, interOpNumThreads: 1, ...batching });
}

/** Executions, inferences and batch sizes between two `model.stats()` snapshots. */
export interface BatchStats {
  executions: number;
  inferences: number;
  /** inferences / executions. */
  meanBatchSize: number;
  /** The largest batch that ran at least once. */
  largestBatch: number;
  /** Batch size -> executions of that size; sizes that never ran are left out. */
  histogram: Record<string, number>;
}

export function emptyStats(): ModelStats {
  return { executions: 0, inferences: 0, batchSizes: [], pending: 0 };
}

/** Adds `after - before` to `total` (all cumulative counters). */
export function accumulateStats(total: ModelStats, before: ModelStats, after: ModelStats): void {
  total.executions += after.executions - before.executions;
  total.inferences += after.inferences - before.inferences;
  after.batchSizes.forEach((count, size) => {
    total.batchSizes[size] = (total.batchSizes[size] ?? 0) + count - (before.batchSizes[size] ?? 0);
  });
}

export function batchStats(stats: ModelStats): BatchStats {
  const histogram: Record<string, number> = {};
  let largestBatch = 0;
  stats.batchSizes.forEach((count, size) => {
    if (count > 0) {
      histogram[String(size)] = count;
      largestBatch = size;
    }
  });
  return {
    executions: stats.executions,
    inferences: stats.inferences,
    meanBatchSize: stats.executions > 0 ? stats.inferences / stats.executions : 0,
    largestBatch,
    histogram,
  };
}

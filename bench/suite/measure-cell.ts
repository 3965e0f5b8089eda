import { summarizeLatencies } from '../../ts/client/latency-stats';
import { runLoad, successfulLatencies, type LoadResult } from '../../ts/client/load-runner';
import type { CellPlan } from './cell-plan';
import type { Measurement } from './cell-result';

/**
 * Measures `send` at fixed concurrency with the clients' load loop: a warm-up run that is thrown
 * away, then the measured run (or a fixed request count for the cells planned that way).
 * `onMeasuredStart` runs right before the measured run (where the suite starts its CPU meter).
 */
export async function measureCell(send: () => Promise<unknown>, concurrency: number, plan: CellPlan, onMeasuredStart?: () => void): Promise<Measurement> {
  if (plan.kind === 'requests') {
    onMeasuredStart?.();
    return summarizeLoad(await runLoad({ send, concurrency, requests: plan.count }));
  }
  if (plan.warmupSec > 0) await runLoad({ send, concurrency, durationSec: plan.warmupSec });
  onMeasuredStart?.();
  return summarizeLoad(await runLoad({ send, concurrency, durationSec: plan.durationSec }));
}

/** The statistics of a load run (samples dropped: a cell of the small model has hundreds of thousands). */
export function summarizeLoad(result: LoadResult): Measurement {
  return {
    requests: result.requests,
    errors: result.failed,
    elapsedMs: result.elapsedMs,
    throughput: result.throughput,
    latency: summarizeLatencies(successfulLatencies(result)),
    errorKinds: result.errors,
  };
}

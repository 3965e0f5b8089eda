import { percentileOfSorted, summarizeLatencies, type LatencySummary } from '../../ts/client/latency-stats';

/**
 * The benchmarks' statistics. Percentiles are the clients' (ts/client/latency-stats.ts: linear
 * interpolation between closest ranks, NumPy's default), so every program and the clients agree.
 */
export { percentileOfSorted, summarizeLatencies, type LatencySummary };

/** The median of unsorted samples; NaN when there are none. */
export function median(samples: ArrayLike<number>): number {
  return percentileOfSorted(Float64Array.from(samples).sort(), 50);
}

/** What the in-process programs report for one path: per-call latency, throughput and CPU time. */
export interface CallMeasurement {
  /** Completed calls that were timed. */
  calls: number;
  /** Per-call latency, from the call to its settlement, in microseconds. */
  meanUs: number;
  p50Us: number;
  p99Us: number;
  /** Completed calls per second of wall-clock time. */
  callsPerSecond: number;
  /** CPU time of the whole process per call, all threads: what a call costs when cores are scarce. */
  cpuUsPerCall: number;
}

/**
 * Summarizes latency samples (ms) collected over `wallMs` of wall-clock time with `cpuMs` of process
 * CPU time (cpuUsPerCall is NaN when that was not measured).
 */
export function summarizeCalls(samplesMs: ArrayLike<number>, wallMs: number, cpuMs = Number.NaN): CallMeasurement {
  const summary = summarizeLatencies(samplesMs);
  return {
    calls: summary.count,
    meanUs: summary.mean * 1000,
    p50Us: summary.median * 1000,
    p99Us: summary.p99 * 1000,
    callsPerSecond: (summary.count / wallMs) * 1000,
    cpuUsPerCall: (cpuMs / summary.count) * 1000,
  };
}

/** What the table and the JSON report for one path in one configuration. */
export interface Measurement {
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
 * Summarizes latency samples (milliseconds) collected over `wallMs` of wall-clock time, with
 * `cpuMs` of process CPU time (cpuUsPerCall is NaN when that was not measured).
 */
export function summarize(samplesMs: readonly number[], wallMs: number, cpuMs = Number.NaN): Measurement {
  const sorted = Float64Array.from(samplesMs).sort();
  let total = 0;
  for (const sample of sorted) total += sample;
  return {
    calls: sorted.length,
    meanUs: (total / sorted.length) * 1000,
    p50Us: quantile(sorted, 0.5) * 1000,
    p99Us: quantile(sorted, 0.99) * 1000,
    callsPerSecond: (sorted.length / wallMs) * 1000,
    cpuUsPerCall: (cpuMs / sorted.length) * 1000,
  };
}

/** Linear interpolation between order statistics, as tinybench computes its percentiles. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const lower = sorted[below] ?? Number.NaN;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] ?? lower;
  return lower + (upper - lower) * (position - below);
}

/**
 * Latency statistics of a load run.
 *
 * Percentiles use linear interpolation between closest ranks (Hyndman & Fan type 7, the
 * default of NumPy's `percentile`, R's `quantile` and Excel's PERCENTILE.INC): for sorted
 * samples x[0..n-1], the p-th percentile is at fractional rank h = (n - 1) * p / 100,
 * i.e. x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
 * The median is the 50th percentile, so an even count gives the mean of the middle two.
 */

/** Summary of a set of latencies; every field is in the samples' unit (the clients use ms). */
export interface LatencySummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  p95: number;
  p99: number;
}

/** The p-th percentile (0 ≤ p ≤ 100) of samples sorted ascending; NaN when there are none. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within [0, 100], received ${p}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = ((n - 1) * p) / 100;
  const lower = Math.floor(rank);
  const below = sorted[lower] as number;
  if (lower + 1 >= n) return below;
  const above = sorted[lower + 1] as number;
  return below + (rank - lower) * (above - below);
}

/** The p-th percentile of unsorted samples (sorts a copy). */
export function percentile(samples: ArrayLike<number>, p: number): number {
  return percentileOfSorted(Float64Array.from(samples).sort(), p);
}

/** Count, min, max, mean, median, p95 and p99 of the samples; NaN statistics when there are none. */
export function summarizeLatencies(samples: ArrayLike<number>): LatencySummary {
  // Float64Array sorts numerically (Array#sort would compare as strings).
  const sorted = Float64Array.from(samples).sort();
  const count = sorted.length;
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count,
    min: count > 0 ? (sorted[0] as number) : Number.NaN,
    max: count > 0 ? (sorted[count - 1] as number) : Number.NaN,
    mean: count > 0 ? sum / count : Number.NaN,
    median: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
  };
}

import { native } from '../../native';
import type { Sample } from './collected-family';

/**
 * Upper bounds (seconds) of every latency histogram: the addon's table, which its per-phase
 * histograms use, so that the request, queue and compute-infer quantiles share their buckets.
 */
export const LATENCY_BUCKETS: readonly number[] = native.latencyBucketBoundsNs.map((ns) => ns / 1e9);

/**
 * `_bucket` (cumulative, `le` labelled), `_sum` and `_count` samples of a histogram given per
 * bucket: `counts[i]` observations in (bounds[i-1], bounds[i]], the last one above every bound.
 */
export function histogramSamples(name: string, labels: Record<string, string>, bounds: readonly number[], counts: ArrayLike<number>, sum: number): Sample[] {
  const out: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i <= bounds.length; i++) {
    cumulative += counts[i] ?? 0;
    const le = i < bounds.length ? bounds[i]! : '+Inf';
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
  }
  out.push({ metricName: `${name}_sum`, labels, value: sum }, { metricName: `${name}_count`, labels, value: cumulative });
  return out;
}

/**
 * A histogram as a few numbers, observed with no label lookup (the caller holds it per series)
 * and formatted only at scrape time. prom-client's labelled observe hashes the labels on every
 * call, about 1 µs each, which the per-request path cannot afford.
 */
export class BucketHistogram {
  /** counts[i]: observations <= bounds[i] and > bounds[i-1]; the last slot is +Inf. */
  private readonly counts: Float64Array;
  private sum = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
  }

  samples(name: string, labels: Record<string, string>): Sample[] {
    return histogramSamples(name, labels, this.bounds, this.counts, this.sum);
  }
}

import type { Registry } from 'prom-client';

/** One sample as prom-client's registry formats it. */
export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  /** `<name>_bucket`, `_sum`, `_count` for histograms; the family name otherwise. */
  metricName?: string;
}

/**
 * Registers a family whose samples are computed at scrape time and never stored: the request
 * path touches nothing of it. prom-client's registry formats any object with `name` and `get()`.
 */
export function registerCollected(
  registry: Registry,
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  samples: () => Sample[],
): void {
  const family = {
    name,
    help,
    get: () => ({ name, help, type, values: samples(), aggregator: 'sum' }),
    reset: () => undefined,
  };
  registry.registerMetric(family as unknown as Parameters<Registry['registerMetric']>[0]);
}

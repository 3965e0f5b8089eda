import { Readable } from 'node:stream';
import { getMetricsFromStream, type PromMetrics } from 'prom2javascript';
import { expect } from 'vitest';

/** `GET {url}/metrics` parsed by a Prometheus text-format parser that is not ours. */
export async function scrapeMetrics(url: string): Promise<PromMetrics> {
  const text = await (await fetch(`${url}/metrics`)).text();
  // prom-client writes NaN as `Nan` for event-loop delay figures with no sample since the last
  // scrape; Prometheus reads NaN, this parser does not: set those lines apart and check them.
  const lines = text.split('\n');
  const nan = lines.filter((line) => / Nan$/.test(line));
  for (const line of nan) expect(line).toMatch(/^nodejs_eventloop_lag_\w+_seconds Nan$/);
  return getMetricsFromStream(Readable.from([lines.filter((line) => !nan.includes(line)).join('\n')]));
}

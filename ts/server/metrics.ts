import { Registry, collectDefaultMetrics } from 'prom-client';

import type { ModelRegistry } from '../repository/model-registry';
import type { RequestRecord } from './request-record';
import { registerAxumFamilies, type HttpRouteFamilies } from './metrics/axum-families';
import { registerRequestFamilies } from './metrics/request-families';
import { scrapeSnapshot } from './metrics/scrape-snapshot';
import { registerTritonFamilies } from './metrics/triton-families';

export type { Protocol } from './request-record';

/** Prometheus metrics of one server; both front-ends report into it. */
export interface Metrics {
  /** Records one answered inference request (`code`: 'OK', a ProtonError code or `HTTP_<status>`). */
  observeRequest(record: RequestRecord, code: string, seconds: number): void;
  /** axum-prometheus's families for the original Proton routes. */
  readonly httpRoutes: HttpRouteFamilies;
  /** The exposition text for `GET /metrics`. */
  text(): Promise<string>;
  /** Content-Type of `text()`. */
  readonly contentType: string;
}

/**
 * Creates a fresh registry (one per server, so tests can run several servers in one process):
 * Triton's `nv_*` families and the batch size histogram read from the models at scrape time,
 * Proton's per-request histograms, axum-prometheus's HTTP families, and the standard
 * `process_*` / `nodejs_*` metrics under their usual names.
 */
export function createMetrics(models?: ModelRegistry): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (models) registerTritonFamilies(registry, scrapeSnapshot(models));
  const requests = registerRequestFamilies(registry);
  const httpRoutes = registerAxumFamilies(registry);
  return {
    observeRequest: (record, code, seconds) => requests.observe(record, code, seconds),
    httpRoutes,
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

import { Counter, type Registry } from 'prom-client';
import type { ServedModel } from '../../repository/served-model';
import type { Protocol, RequestRecord } from '../request-record';
import { BucketHistogram, LATENCY_BUCKETS } from './bucket-histogram';
import { registerCollected, type Sample } from './collected-family';
import { failureReason } from './failure-reason';


/** Label of requests that named no served model: one bounded series, never the client's text. */
export const UNKNOWN_MODEL = 'unknown';

/** The per-request families: observed once when a request is answered. */
export interface RequestFamilies {
  /**
   * Records one answered inference request.
   * @param code 'OK', the ProtonError code it failed with, or `HTTP_<status>`
   */
  observe(record: RequestRecord, code: string, seconds: number): void;
}

/** What a successful request of one served version updates: plain numbers, found by identity. */
interface VersionSeries {
  readonly labels: { model: string; version: string };
  readonly ok: Record<Protocol, number>;
  readonly latency: Record<Protocol, BucketHistogram>;
}

function newSeries(served: ServedModel): VersionSeries {
  return {
    labels: { model: served.name, version: served.version },
    ok: { rest: 0, grpc: 0 },
    latency: { rest: new BucketHistogram(LATENCY_BUCKETS), grpc: new BucketHistogram(LATENCY_BUCKETS) },
  };
}

/**
 * Successes, the hot path, update per-version numbers held by the served version's identity
 * (an unloaded version's series go with it); failures, off the hot path, go to prom-client.
 */
export function registerRequestFamilies(registry: Registry): RequestFamilies {
  const series = new Map<ServedModel, VersionSeries>();
  const seriesOf = (served: ServedModel): VersionSeries => {
    let found = series.get(served);
    if (found === undefined) series.set(served, (found = newSeries(served)));
    return found;
  };
  const failed = new Counter({
    name: 'proton_requests_failed_total',
    help: `Failed inference requests, by protocol, model, version and code (model="${UNKNOWN_MODEL}" when no served model was named).`,
    labelNames: ['protocol', 'model', 'version', 'code'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'nv_inference_request_failure',
    help: 'Number of failed inference requests, all batch sizes',
    labelNames: ['model', 'version', 'reason'] as const,
    registers: [registry],
  });
  // A closed (unloaded) version's series leave with it, at the next scrape.
  const live = (): VersionSeries[] => {
    for (const served of series.keys()) if (!served.model.ready) series.delete(served);
    return [...series.values()];
  };
  const perProtocol = (pick: (s: VersionSeries, protocol: Protocol) => Sample[]) => () =>
    live().flatMap((s) => [...pick(s, 'rest'), ...pick(s, 'grpc')]);
  registerCollected(
    registry,
    'proton_requests_ok_total',
    'Successful inference requests, by protocol, model and version.',
    'counter',
    perProtocol((s, protocol) => [{ labels: { protocol, ...s.labels }, value: s.ok[protocol] }]),
  );
  registerCollected(
    registry,
    'proton_request_duration_seconds',
    'Successful inference requests: received to response written, in seconds (failures are not observed).',
    'histogram',
    perProtocol((s, protocol) => s.latency[protocol].samples('proton_request_duration_seconds', { protocol, ...s.labels })),
  );
  return {
    observe(record, code, seconds) {
      const served = record.served;
      if (code !== 'OK' || served === undefined) {
        const model = served?.name ?? UNKNOWN_MODEL;
        const version = served?.version ?? '';
        failed.inc({ protocol: record.protocol, model, version, code });
        if (served !== undefined) failures.inc({ model, version, reason: failureReason(code) });
        return;
      }
      const s = seriesOf(served);
      s.ok[record.protocol]++;
      s.latency[record.protocol].observe(seconds);
    },
  };
}

import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Protocol = 'rest' | 'grpc';

/** Prometheus metrics of one server; both front-ends report into it. */
export interface Metrics {
  /**
   * Records one inference request.
   * @param model the served model's name ('' when the request named no known model)
   * @param code 'OK' or the ProtonError code it failed with
   */
  observeRequest(protocol: Protocol, model: string, code: string, seconds: number): void;
  /** The exposition text for `GET /metrics`. */
  text(): Promise<string>;
  /** Content-Type of `text()`. */
  readonly contentType: string;
}

// From 50 µs (a tiny model on loopback) to 10 s (Mask R-CNN on CPU).
const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Creates a fresh registry (one per server, so tests can run several servers in one process). */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'proton_' });
  const requests = new Counter({
    name: 'proton_requests_total',
    help: 'Inference requests answered, by protocol, model and result code.',
    labelNames: ['protocol', 'model', 'code'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'proton_request_duration_seconds',
    help: 'Inference request latency from request received to response written, in seconds.',
    labelNames: ['protocol', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    observeRequest(protocol, model, code, seconds) {
      requests.inc({ protocol, model, code });
      latency.observe({ protocol, model }, seconds);
    },
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { ModelStats } from '../model-types';
import type { ModelRegistry } from './model-registry';

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

/**
 * Per-model counters read from the native workers at scrape time, so batching is visible:
 * executions vs inferences, and how many executions ran each batch size.
 */
function registerModelGauges(registry: Registry, models: ModelRegistry): void {
  const perModel = (name: string, help: string, pick: (stats: ModelStats) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['model'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const served of models.list()) this.set({ model: served.name }, pick(served.model.stats()));
      },
    });
  };
  perModel('proton_model_executions', 'ONNX Runtime session runs of a model since it was loaded.', (s) => s.executions);
  perModel('proton_model_inferences', 'Inferences answered by those runs (a request of batch size b counts b).', (s) => s.inferences);
  perModel('proton_model_pending_requests', 'Requests accepted by a model and not yet answered (queued or running).', (s) => s.pending);
  new Gauge({
    name: 'proton_model_batch_executions',
    help: 'Executions by batch size (rows per session run); only sizes that occurred are listed.',
    labelNames: ['model', 'batch_size'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const served of models.list()) {
        served.model.stats().batchSizes.forEach((count, size) => {
          if (count > 0) this.set({ model: served.name, batch_size: String(size) }, count);
        });
      }
    },
  });
}

/**
 * Creates a fresh registry (one per server, so tests can run several servers in one process).
 * With `models`, per-model execution and batching figures are exported too.
 */
export function createMetrics(models?: ModelRegistry): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'proton_' });
  if (models) registerModelGauges(registry, models);
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

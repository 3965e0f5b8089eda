import { Counter, Histogram, type Registry } from 'prom-client';
import type { RequestRecord } from '../request-record';
import { failureReason } from './failure-reason';

// From 50 µs (a tiny model on loopback) to 10 s (Mask R-CNN on CPU).
const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

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

export function registerRequestFamilies(registry: Registry): RequestFamilies {
  const requests = new Counter({
    name: 'proton_requests_total',
    help: `Inference requests answered, by protocol, model, version and result code (model="${UNKNOWN_MODEL}" when no served model was named).`,
    labelNames: ['protocol', 'model', 'version', 'code'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'nv_inference_request_failure',
    help: 'Number of failed inference requests, all batch sizes',
    labelNames: ['model', 'version', 'reason'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'proton_request_duration_seconds',
    help: 'Successful inference requests: received to response written, in seconds (failures are not observed).',
    labelNames: ['protocol', 'model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const queue = new Histogram({
    name: 'proton_queue_duration_seconds',
    help: 'Successful inference requests: accepted by the model until its execution started, in seconds.',
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const computeInfer = new Histogram({
    name: 'proton_compute_infer_duration_seconds',
    help: "Successful inference requests: ONNX Runtime's Run of the execution that served the request, in seconds.",
    labelNames: ['model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    observe(record, code, seconds) {
      const served = record.served;
      const model = served?.name ?? UNKNOWN_MODEL;
      const version = served?.version ?? '';
      requests.inc({ protocol: record.protocol, model, version, code });
      if (served === undefined) return;
      if (code !== 'OK') {
        failures.inc({ model, version, reason: failureReason(code) });
        return;
      }
      latency.observe({ protocol: record.protocol, model, version }, seconds);
      const timing = record.timing;
      if (timing !== undefined) {
        queue.observe({ model, version }, timing.queueNs / 1e9);
        computeInfer.observe({ model, version }, timing.computeInferNs / 1e9);
      }
    },
  };
}

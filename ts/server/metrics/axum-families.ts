import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** axum-prometheus's default buckets (Prometheus' defaults), in seconds. */
const AXUM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The original Proton's HTTP families, as axum-prometheus names and labels them, so its Grafana
 * dashboard keeps working: `endpoint` is the route, `method` upper case, `status` the HTTP code.
 */
export interface HttpRouteFamilies {
  /** Call when a request of an original route arrives; the returned function when it is answered. */
  start(method: string, endpoint: string): (status: number) => void;
}

export function registerAxumFamilies(registry: Registry): HttpRouteFamilies {
  const total = new Counter({
    name: 'axum_http_requests_total',
    help: 'The total number of HTTP requests handled (original Proton routes).',
    labelNames: ['method', 'endpoint', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'axum_http_requests_duration_seconds',
    help: 'The request duration of HTTP requests handled (original Proton routes), in seconds.',
    labelNames: ['method', 'endpoint', 'status'] as const,
    buckets: AXUM_BUCKETS,
    registers: [registry],
  });
  const pending = new Gauge({
    name: 'axum_http_requests_pending',
    help: 'The number of HTTP requests in flight (original Proton routes).',
    labelNames: ['method', 'endpoint'] as const,
    registers: [registry],
  });
  return {
    start(method, endpoint) {
      const startedAt = performance.now();
      pending.inc({ method, endpoint });
      let done = false;
      return (status) => {
        if (done) return;
        done = true;
        pending.dec({ method, endpoint });
        const labels = { method, endpoint, status: String(status) };
        total.inc(labels);
        duration.observe(labels, (performance.now() - startedAt) / 1000);
      };
    },
  };
}

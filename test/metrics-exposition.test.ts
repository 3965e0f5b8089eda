import type { Client } from '@grpc/grpc-js';
import type { PromHistogramData, PromData, PromMetrics } from 'prom2javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Model } from '../ts/model';
import { startGrpcServer, type GrpcServerHandle } from '../ts/server/grpc/grpc-server';
import { startHttpServer, type HttpServerHandle } from '../ts/server/http/http-server';
import { silentLogger } from '../ts/server/logger';
import { createMetrics, type Metrics } from '../ts/server/metrics';
import { startMetricsServer, type MetricsServerHandle } from '../ts/server/metrics-server';
import { ModelRegistry } from '../ts/repository/model-registry';
import { createClient, unary } from './grpc-test-support';
import { demoModels } from './helpers/models';
import { scrapeMetrics } from './helpers/prometheus-scrape';
import { fetchJson, postJson, waitFor } from './helpers/rest-server';

// Plain Models, so per-request timing feeds the phase histograms.
let registry: ModelRegistry;
let metrics: Metrics;
let http: HttpServerHandle;
let grpc: GrpcServerHandle;
let metricsServer: MetricsServerHandle;
let client: Client;
let url: string;
let heldForNs = 0;

const addInputs = (i: number) => ({
  inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], data: Array.from({ length: 16 }, (_, k) => i + k) })),
});
const grpcAdd = () => ({
  model_name: 'add',
  inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: new Array(16).fill(1) } })),
});

const scrape = (from = url): Promise<PromMetrics> => scrapeMetrics(from);

function family(parsed: PromMetrics, name: string, type: string) {
  const found = parsed[name];
  expect(found, `family ${name}`).toBeDefined();
  expect(found!.type, `type of ${name}`).toBe(type);
  return found!.data;
}

function sample(parsed: PromMetrics, name: string, type: string, labels: Record<string, string>): PromData {
  const data = family(parsed, name, type) as PromData[];
  const found = data.find((d) => Object.entries(labels).every(([k, v]) => d.labels[k] === v) && Object.keys(d.labels).length === Object.keys(labels).length);
  expect(found, `${name}${JSON.stringify(labels)} in ${JSON.stringify(data)}`).toBeDefined();
  return found!;
}

function histogram(parsed: PromMetrics, name: string, labels: Record<string, string>): PromHistogramData {
  const data = family(parsed, name, 'histogram') as PromHistogramData[];
  const found = data.find((d) => JSON.stringify(d.labels) === JSON.stringify(labels));
  expect(found, `${name}${JSON.stringify(labels)} in ${JSON.stringify(data.map((d) => d.labels))}`).toBeDefined();
  return found!;
}

beforeAll(async () => {
  const paths = await demoModels();
  registry = new ModelRegistry();
  registry.add({ name: 'add', version: '1', model: await Model.load(paths.add, { intraOpNumThreads: 1 }) });
  registry.add({ name: 'mlp', version: '1', model: await Model.load(paths.mlp, { intraOpNumThreads: 1 }) });
  registry.add({ name: 'held', version: '1', model: await Model.load(paths.add, { intraOpNumThreads: 1, holdUntilQueued: 3 }) });
  metrics = createMetrics(registry);
  const logger = silentLogger();
  http = await startHttpServer(registry, { host: '127.0.0.1', port: 0, metrics, logger });
  grpc = await startGrpcServer(registry, { host: '127.0.0.1', port: 0, metrics, logger });
  metricsServer = await startMetricsServer(metrics, '127.0.0.1', 0);
  url = `http://127.0.0.1:${http.port}`;
  client = createClient('inference.proto', 'inference.GRPCInferenceService', `127.0.0.1:${grpc.port}`);

  // The known workload.
  for (let i = 0; i < 5; i++) expect((await postJson(`${url}/v2/models/add/infer`, addInputs(i))).status).toBe(200);
  for (let i = 0; i < 2; i++) await unary(client, 'ModelInfer', grpcAdd());
  const x = Array.from({ length: 256 }, (_, k) => (k % 5) / 5);
  for (let i = 0; i < 2; i++) expect((await postJson(`${url}/predict`, { model_name: 'mlp', data: [x] })).status).toBe(200);
  const bad = await postJson(`${url}/v2/models/add/infer`, { inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
  expect(bad.status).toBe(400);
  expect((await postJson(`${url}/v2/models/nope/infer`, addInputs(0))).status).toBe(404);
  // Held until three are queued: the first times out in the queue (a rejection), the second waits
  // for the hold, the third releases it.
  const doomed = postJson(`${url}/v2/models/held/infer`, addInputs(0), { 'x-proton-timeout-ms': '1' });
  const waiting = postJson(`${url}/v2/models/held/infer`, addInputs(1));
  await waitFor(() => registry.get('held').model.stats().pending === 2, 10_000, 'the held requests');
  const heldAt = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, 30));
  heldForNs = Number(process.hrtime.bigint() - heldAt);
  const released = await postJson(`${url}/v2/models/held/infer`, addInputs(2));
  expect((await doomed).status).toBe(503);
  expect((await waiting).status).toBe(200);
  expect(released.status).toBe(200);
  expect((await fetchJson(`${url}/models`)).status).toBe(200);
  expect((await fetchJson(`${url}/ready`)).status).toBe(200);
});

afterAll(async () => {
  client?.close();
  await metricsServer?.close();
  await http?.close();
  await grpc?.close();
  await registry?.closeAll();
});

describe('/metrics after a known workload, parsed with a Prometheus text parser', () => {
  it("Triton's families: names, types, {model, version} labels and values", async () => {
    await scrape();
    const parsed = await scrape();
    const add = { model: 'add', version: '1' };
    expect(sample(parsed, 'nv_inference_request_success', 'counter', add).value).toBe(7);
    expect(sample(parsed, 'nv_inference_request_success', 'counter', { model: 'mlp', version: '1' }).value).toBe(2);
    expect(sample(parsed, 'nv_inference_request_success', 'counter', { model: 'held', version: '1' }).value).toBe(2);
    expect(sample(parsed, 'nv_inference_count', 'counter', add).value).toBe(7);
    expect(sample(parsed, 'nv_inference_exec_count', 'counter', add).value).toBe(7);
    expect(sample(parsed, 'nv_inference_pending_request_count', 'gauge', add).value).toBe(0);
    expect(sample(parsed, 'nv_inference_request_failure', 'counter', { ...add, reason: 'OTHER' }).value).toBe(1);
    expect(sample(parsed, 'nv_inference_request_failure', 'counter', { model: 'held', version: '1', reason: 'REJECTED' }).value).toBe(1);
    const us = (name: string, labels = add) => sample(parsed, name, 'counter', labels).value;
    const queue = us('nv_inference_queue_duration_us');
    const infer = us('nv_inference_compute_infer_duration_us');
    expect(infer).toBeGreaterThan(0);
    expect(us('nv_inference_request_duration_us')).toBeGreaterThanOrEqual(queue + infer + us('nv_inference_compute_input_duration_us') + us('nv_inference_compute_output_duration_us') - 4);
    // The released request waited at least as long as the hold measured here.
    expect(us('nv_inference_queue_duration_us', { model: 'held', version: '1' })).toBeGreaterThanOrEqual(Math.floor(heldForNs / 1000));
    // No unknown name leaks into Triton's families.
    for (const name of ['nv_inference_request_success', 'nv_inference_request_failure']) {
      expect((parsed[name]!.data as PromData[]).map((d) => d.labels.model).sort()).not.toContain('nope');
    }
  });

  it("Proton's histograms: successes only, per phase, and the batch size", async () => {
    const parsed = await scrape();
    const add = { model: 'add', version: '1' };
    expect(histogram(parsed, 'proton_request_duration_seconds', { protocol: 'rest', ...add }).count).toBe(5);
    expect(histogram(parsed, 'proton_request_duration_seconds', { protocol: 'grpc', ...add }).count).toBe(2);
    // The request that timed out in the queue is a failure, not a latency.
    expect(histogram(parsed, 'proton_request_duration_seconds', { protocol: 'rest', model: 'held', version: '1' }).count).toBe(2);
    const queue = histogram(parsed, 'proton_queue_duration_seconds', add);
    expect(queue.count).toBe(7);
    expect(queue.sum! * 1e6).toBeCloseTo(sample(parsed, 'nv_inference_queue_duration_us', 'counter', add).value, -1);
    expect(histogram(parsed, 'proton_compute_infer_duration_seconds', add).count).toBe(7);
    const heldQueue = histogram(parsed, 'proton_queue_duration_seconds', { model: 'held', version: '1' });
    expect(heldQueue.sum! * 1e9).toBeGreaterThanOrEqual(heldForNs);
    const batch = histogram(parsed, 'proton_batch_size', add);
    expect(batch.count).toBe(7);
    expect(batch.sum).toBe(7);
    expect(batch.buckets['1']).toBe(7);
    expect(batch.buckets['+Inf']).toBe(7);
  });

  it('unknown models are one bounded series, never model=""', async () => {
    const parsed = await scrape();
    expect(sample(parsed, 'proton_requests_failed_total', 'counter', { protocol: 'rest', model: 'unknown', version: '', code: 'NOT_FOUND' }).value).toBe(1);
    expect(sample(parsed, 'proton_requests_failed_total', 'counter', { protocol: 'rest', model: 'add', version: '1', code: 'INVALID_ARGUMENT' }).value).toBe(1);
    expect(sample(parsed, 'proton_requests_ok_total', 'counter', { protocol: 'rest', model: 'add', version: '1' }).value).toBe(5);
    expect(sample(parsed, 'proton_requests_ok_total', 'counter', { protocol: 'grpc', model: 'add', version: '1' }).value).toBe(2);
    for (const data of Object.values(parsed)) {
      for (const d of data.data as Array<{ labels: Record<string, string> }>) expect(d.labels.model).not.toBe('');
    }
  });

  it("axum-prometheus's families for the original routes", async () => {
    const before = await scrape();
    const scrapesBefore = sample(before, 'axum_http_requests_total', 'counter', { method: 'GET', endpoint: '/metrics', status: '200' }).value;
    const parsed = await scrape();
    expect(sample(parsed, 'axum_http_requests_total', 'counter', { method: 'POST', endpoint: '/predict', status: '200' }).value).toBe(2);
    expect(sample(parsed, 'axum_http_requests_total', 'counter', { method: 'GET', endpoint: '/models', status: '200' }).value).toBe(1);
    expect(sample(parsed, 'axum_http_requests_total', 'counter', { method: 'GET', endpoint: '/ready', status: '200' }).value).toBe(1);
    expect(sample(parsed, 'axum_http_requests_total', 'counter', { method: 'GET', endpoint: '/metrics', status: '200' }).value).toBe(scrapesBefore + 1);
    expect(histogram(parsed, 'axum_http_requests_duration_seconds', { method: 'POST', endpoint: '/predict', status: '200' }).count).toBe(2);
    expect(sample(parsed, 'axum_http_requests_pending', 'gauge', { method: 'POST', endpoint: '/predict' }).value).toBe(0);
    // The scrape being answered is in flight while it is collected.
    expect(sample(parsed, 'axum_http_requests_pending', 'gauge', { method: 'GET', endpoint: '/metrics' }).value).toBe(1);
  });

  it('standard process_* and nodejs_* metrics keep their usual names', async () => {
    const parsed = await scrape();
    family(parsed, 'process_cpu_user_seconds_total', 'counter');
    family(parsed, 'process_resident_memory_bytes', 'gauge');
    family(parsed, 'nodejs_eventloop_lag_seconds', 'gauge');
    family(parsed, 'nodejs_gc_duration_seconds', 'histogram');
    expect(Object.keys(parsed).filter((name) => name.startsWith('proton_process') || name.startsWith('proton_nodejs'))).toEqual([]);
  });

  it('the metrics port serves the same families, and only /metrics', async () => {
    const parsed = await scrape(`http://127.0.0.1:${metricsServer.port}`);
    expect(sample(parsed, 'nv_inference_request_success', 'counter', { model: 'add', version: '1' }).value).toBe(7);
    expect((await fetch(`http://127.0.0.1:${metricsServer.port}/v2`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

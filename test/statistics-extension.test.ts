import * as path from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status as GrpcStatus, type Client } from '@grpc/grpc-js';

import { PROTO_DIR } from '../ts/protocol/proto-loading';
import type { V2ModelStatisticsResponse } from '../ts/protocol/statistics';
import { demoModels } from './helpers/models';
import { fetchJson, postJson, startRestServer, waitFor, type RestTestServer } from './helpers/rest-server';
import { createClient, unary, unaryError } from './grpc-test-support';

const HELD = 4;
let server: RestTestServer;
let client: Client;

beforeAll(async () => {
  const paths = await demoModels();
  server = await startRestServer({
    add: { path: paths.add, options: { holdUntilQueued: HELD } },
    mlp: { path: paths.mlp, options: { maxBatchSize: 8, holdUntilQueued: 8 } },
  });
  client = createClient('inference.proto', 'inference.GRPCInferenceService', `127.0.0.1:${server.server.grpcPort}`);
});
afterAll(async () => {
  client?.close();
  await server?.close();
});

const addBody = (i: number) => {
  const data = Array.from({ length: 16 }, (_, k) => i + k);
  return {
    inputs: [
      { name: 'a', datatype: 'FP32', shape: [1, 16], data },
      { name: 'b', datatype: 'FP32', shape: [1, 16], data },
    ],
  };
};
const mlpBody = (i: number) => ({
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 256], data: Array.from({ length: 256 }, (_, k) => ((i + k) % 7) / 7) }],
});
const pendingOf = (name: string) => server.server.registry.get(name).model.stats().pending;

describe('statistics extension', () => {
  it('counts a known workload exactly; queued time covers the hold measured from outside', async () => {
    const wallBefore = Date.now();
    const held = Array.from({ length: HELD - 1 }, (_, i) => postJson(`${server.url}/v2/models/add/infer`, addBody(i)));
    // All three are in the native queue once pending says so; the worker cannot start before the fourth.
    await waitFor(() => pendingOf('add') === HELD - 1, 10_000, 'three queued requests');
    const queuedAt = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, 40));
    const releasedAt = process.hrtime.bigint();
    const last = await postJson(`${server.url}/v2/models/add/infer`, addBody(HELD - 1));
    const answers = [...(await Promise.all(held)), last];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);

    const { status, body } = await fetchJson(`${server.url}/v2/models/add/stats`);
    expect(status).toBe(200);
    const stats = (body as V2ModelStatisticsResponse).model_stats;
    expect(stats).toHaveLength(1);
    const add = stats[0]!;
    expect(add.name).toBe('add');
    expect(add.version).toBe('1');
    expect(add.inference_count).toBe(HELD);
    expect(add.execution_count).toBe(HELD);
    expect(add.last_inference).toBeGreaterThanOrEqual(wallBefore);
    expect(add.last_inference).toBeLessThanOrEqual(Date.now());
    const s = add.inference_stats;
    for (const phase of [s.success, s.queue, s.compute_input, s.compute_infer, s.compute_output]) expect(phase.count).toBe(HELD);
    expect(s.fail).toEqual({ count: 0, ns: 0 });
    expect(s.cache_hit).toEqual({ count: 0, ns: 0 });
    expect(s.cache_miss).toEqual({ count: 0, ns: 0 });
    expect(s.queue.ns).toBeGreaterThanOrEqual((HELD - 1) * Number(releasedAt - queuedAt));
    expect(s.success.ns).toBeGreaterThanOrEqual(s.queue.ns + s.compute_infer.ns);
    expect(add.batch_stats).toHaveLength(1);
    expect(add.batch_stats[0]!.batch_size).toBe(1);
    expect(add.batch_stats[0]!.compute_infer.count).toBe(HELD);
    expect(add.batch_stats[0]!.compute_infer.ns).toBe(s.compute_infer.ns);
    expect(add.response_stats).toEqual({});
    expect(add.memory_usage).toEqual([]);
    // The versioned route answers the same figures.
    const versioned = await fetchJson(`${server.url}/v2/models/add/versions/1/stats`);
    expect(versioned.body).toEqual(body);
  });

  it('batch statistics equal the batch sizes the hold forces', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => postJson(`${server.url}/v2/models/mlp/infer`, mlpBody(i))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const single = await postJson(`${server.url}/v2/models/mlp/infer`, mlpBody(9));
    expect(single.status).toBe(200);
    const { body } = await fetchJson(`${server.url}/v2/models/mlp/stats`);
    const mlp = (body as V2ModelStatisticsResponse).model_stats[0]!;
    expect(mlp.execution_count).toBe(2);
    expect(mlp.inference_count).toBe(9);
    expect(mlp.batch_stats.map((b) => [b.batch_size, b.compute_infer.count, b.compute_input.count, b.compute_output.count])).toEqual([
      [1, 1, 1, 1],
      [8, 1, 1, 1],
    ]);
    expect(mlp.inference_stats.success.count).toBe(9);
  });

  it('GET /v2/models/stats lists every model; gRPC ModelStatistics answers the same message', async () => {
    const all = await fetchJson(`${server.url}/v2/models/stats`);
    expect(all.status).toBe(200);
    const rest = all.body as V2ModelStatisticsResponse;
    expect(rest.model_stats.map((m) => m.name).sort()).toEqual(['add', 'mlp']);
    // proto-loader decodes uint64 as decimal strings (longs: String): compare as numbers.
    const viaGrpc = await unary<any>(client, 'ModelStatistics', { name: '', version: '' });
    const numeric = JSON.parse(JSON.stringify(viaGrpc), (key, value) => (key !== 'version' && typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));
    const byName = (response: V2ModelStatisticsResponse) => [...response.model_stats].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(numeric)).toEqual(byName(rest));
    const one = await unary<any>(client, 'ModelStatistics', { name: 'mlp', version: '1' });
    expect(one.model_stats).toHaveLength(1);
    expect(one.model_stats[0].name).toBe('mlp');
    expect(one.model_stats[0].batch_stats.map((b: { batch_size: string }) => b.batch_size)).toEqual(['1', '8']);
  });

  it('unknown models and versions are 404 / NOT_FOUND; other methods 405', async () => {
    expect((await fetchJson(`${server.url}/v2/models/nope/stats`)).status).toBe(404);
    const badVersion = await fetchJson(`${server.url}/v2/models/add/versions/7/stats`);
    expect(badVersion.status).toBe(404);
    expect(badVersion.body.error).toMatch(/version '7'/);
    expect((await postJson(`${server.url}/v2/models/stats`, {})).status).toBe(405);
    expect((await unaryError(client, 'ModelStatistics', { name: 'nope', version: '' })).code).toBe(GrpcStatus.NOT_FOUND);
    expect((await unaryError(client, 'ModelStatistics', { name: 'add', version: '3' })).code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('GET /v2 advertises the statistics extension', async () => {
    const { body } = await fetchJson(`${server.url}/v2`);
    expect(body.extensions).toContain('statistics');
  });
});

describe('statistics messages in inference.proto', () => {
  // Transcribed from Triton's grpc_service.proto: tritonclient decodes by these numbers.
  const FIELDS: Record<string, Record<string, number>> = {
    'inference.ModelStatisticsRequest': { name: 1, version: 2 },
    'inference.StatisticDuration': { count: 1, ns: 2 },
    'inference.InferStatistics': {
      success: 1,
      fail: 2,
      queue: 3,
      compute_input: 4,
      compute_infer: 5,
      compute_output: 6,
      cache_hit: 7,
      cache_miss: 8,
    },
    'inference.InferResponseStatistics': { compute_infer: 1, compute_output: 2, success: 3, fail: 4, empty_response: 5, cancel: 6 },
    'inference.InferBatchStatistics': { batch_size: 1, compute_input: 2, compute_infer: 3, compute_output: 4 },
    'inference.MemoryUsage': { type: 1, id: 2, byte_size: 3 },
    'inference.ModelStatistics': {
      name: 1,
      version: 2,
      last_inference: 3,
      inference_count: 4,
      execution_count: 5,
      inference_stats: 6,
      batch_stats: 7,
      memory_usage: 8,
      response_stats: 9,
    },
    'inference.ModelStatisticsResponse': { model_stats: 1 },
  };

  it("uses Triton's field names and numbers", () => {
    const root = new protobuf.Root().loadSync(path.join(PROTO_DIR, 'inference.proto'), { keepCase: true });
    for (const [typeName, fields] of Object.entries(FIELDS)) {
      const type = root.lookupType(typeName);
      expect(Object.fromEntries(Object.entries(type.fields).map(([name, field]) => [name, field.id])), typeName).toEqual(fields);
    }
    const method = root.lookupService('inference.GRPCInferenceService').methods.ModelStatistics!;
    expect([method.requestType, method.responseType]).toEqual(['ModelStatisticsRequest', 'ModelStatisticsResponse']);
  });
});

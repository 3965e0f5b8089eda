import { Writable } from 'node:stream';
import { Metadata, type Client } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Model } from '../ts/model';
import { GraphBuilder } from '../ts/onnx/model-builder';
import { startGrpcServer, type GrpcServerHandle } from '../ts/server/grpc/grpc-server';
import { startHttpServer, type HttpServerHandle } from '../ts/server/http/http-server';
import { createLogger } from '../ts/server/logger';
import { createMetrics } from '../ts/server/metrics';
import { ModelRegistry } from '../ts/repository/model-registry';
import { startServer } from '../ts/server/server';
import { createClient, unary } from './grpc-test-support';
import { demoModels, writeModel } from './helpers/models';
import { postJson, waitFor } from './helpers/rest-server';

/** A pino destination that keeps every line, parsed as JSON. */
function capture(): { stream: Writable; records: Array<Record<string, any>> } {
  const records: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') records.push(JSON.parse(line));
      done();
    },
  });
  return { stream, records };
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const addInputs = (id?: string) => ({
  ...(id !== undefined ? { id } : {}),
  inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], data: new Array(16).fill(1) })),
});

describe('access and failure logs', () => {
  const { stream, records } = capture();
  let registry: ModelRegistry;
  let http: HttpServerHandle;
  let grpc: GrpcServerHandle;
  let client: Client;
  let url: string;

  beforeAll(async () => {
    const paths = await demoModels();
    registry = new ModelRegistry();
    registry.add({ name: 'add', version: '1', model: await Model.load(paths.add, { intraOpNumThreads: 1 }) });
    const logger = createLogger({ level: 'DEBUG', format: 'json', destination: stream });
    const metrics = createMetrics(registry);
    http = await startHttpServer(registry, { host: '127.0.0.1', port: 0, metrics, logger });
    grpc = await startGrpcServer(registry, { host: '127.0.0.1', port: 0, metrics, logger });
    url = `http://127.0.0.1:${http.port}`;
    client = createClient('inference.proto', 'inference.GRPCInferenceService', `127.0.0.1:${grpc.port}`);
  });
  afterAll(async () => {
    client?.close();
    await http?.close();
    await grpc?.close();
    await registry?.closeAll();
  });

  it('one debug line per REST request with model, version, route, status, phase µs, request id and traceparent', async () => {
    const before = records.length;
    const answer = await postJson(`${url}/v2/models/add/infer`, addInputs('req-7'), { traceparent: TRACEPARENT });
    expect(answer.status).toBe(200);
    await waitFor(() => records.length > before, 5_000, 'the access line');
    const line = records.slice(before).find((r) => r.msg === 'request')!;
    expect(line).toMatchObject({
      level: 20,
      protocol: 'rest',
      route: '/v2/models/:model/infer',
      model: 'add',
      version: '1',
      status: 200,
      code: 'OK',
      requestId: 'req-7',
      traceparent: TRACEPARENT,
    });
    for (const field of ['durationUs', 'queueUs', 'computeInputUs', 'computeInferUs', 'computeOutputUs']) {
      expect(Number.isInteger(line[field]), field).toBe(true);
      expect(line[field]).toBeGreaterThanOrEqual(0);
    }
    expect(line.durationUs).toBeGreaterThanOrEqual(line.queueUs + line.computeInferUs);
  });

  it('gRPC calls are logged the same way, the traceparent from metadata', async () => {
    const before = records.length;
    const metadata = new Metadata();
    metadata.set('traceparent', TRACEPARENT);
    await new Promise<void>((resolve, reject) =>
      (client as any).ModelInfer(
        { model_name: 'add', id: 'g-1', inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: new Array(16).fill(2) } })) },
        metadata,
        (error: Error | null) => (error ? reject(error) : resolve()),
      ),
    );
    const line = records.slice(before).find((r) => r.msg === 'request')!;
    expect(line).toMatchObject({ protocol: 'grpc', route: 'ModelInfer', model: 'add', version: '1', status: 'OK', requestId: 'g-1', traceparent: TRACEPARENT });
    expect(line.queueUs).toBeGreaterThanOrEqual(0);
  });

  it('a client error is a WARN line with model, route, code and message; an unknown model has no model field', async () => {
    const before = records.length;
    const bad = await postJson(`${url}/v2/models/add/infer`, { inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
    expect(bad.status).toBe(400);
    const unknown = await postJson(`${url}/v2/models/nope/infer`, addInputs());
    expect(unknown.status).toBe(404);
    await unary(client, 'ModelStatistics', { name: '', version: '' }); // not an inference call: not logged
    const failures = records.slice(before).filter((r) => r.msg.endsWith(' failed'));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ level: 40, protocol: 'rest', route: '/v2/models/:model/infer', model: 'add', version: '1', status: 400, code: 'INVALID_ARGUMENT' });
    expect(failures[0]!.error).toMatch(/input/);
    expect(failures[1]).toMatchObject({ level: 40, status: 404, code: 'NOT_FOUND' });
    expect(failures[1]!.model).toBeUndefined();
    // Failures are in the access log too.
    expect(records.slice(before).filter((r) => r.msg === 'request').map((r) => r.status)).toEqual([400, 404]);
  });

  it('at INFO nothing is logged per successful request', async () => {
    const quiet = capture();
    const server = await startHttpServer(registry, {
      host: '127.0.0.1',
      port: 0,
      metrics: createMetrics(registry),
      logger: createLogger({ level: 'INFO', format: 'json', destination: quiet.stream }),
    });
    try {
      expect((await postJson(`http://127.0.0.1:${server.port}/v2/models/add/infer`, addInputs())).status).toBe(200);
      expect(quiet.records).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe("ONNX Runtime's log in the server's logger", () => {
  it('a model load that makes ONNX Runtime warn appears as a pino WARN record', async () => {
    // An initializer no node reads: ONNX Runtime warns that it removes it.
    const model = writeModel(
      'unused_initializer_logged',
      new GraphBuilder('unused_initializer_logged')
        .addInput('x', 'float32', [2])
        .addInitializer('unused', { type: 'float32', dims: [2], data: new Float32Array([1, 2]) })
        .addNode('Identity', ['x'], ['y'])
        .addOutput('y', 'float32', [2])
        .serialize(),
    );
    const { stream, records } = capture();
    const server = await startServer(
      { host: '127.0.0.1', port: 0, grpcPort: 0, maxBodyBytes: 1 << 20, logLevel: 'INFO', models: [{ name: 'identity', path: model, options: {} }] },
      { logger: createLogger({ level: 'INFO', format: 'json', destination: stream }), shutdownTimeoutMs: 2_000 },
    );
    try {
      await waitFor(() => records.some((r) => r.component === 'onnxruntime'), 5_000, "ONNX Runtime's warning");
      const warning = records.find((r) => r.component === 'onnxruntime')!;
      expect(warning.level).toBe(40);
      expect(warning.ortSeverity).toBe(2);
      expect(warning.msg).toMatch(/[Rr]emoving initializer.*unused/);
      expect(typeof warning.category).toBe('string');
    } finally {
      await server.close();
    }
  });
});

describe('log formats', () => {
  it('text is one readable line per record, JSON one object per line', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    createLogger({ level: 'INFO', format: 'text', destination: sink }).info({ model: 'add' }, 'hello there');
    const text = lines.join('');
    expect(text).toMatch(/INFO.*hello there/);
    expect(text).toContain('model: "add"');
    expect(() => JSON.parse(text)).toThrow();
    const json = capture();
    createLogger({ level: 'TRACE', format: 'json', destination: json.stream }).trace({ model: 'add' }, 'fine');
    expect(json.records[0]).toMatchObject({ level: 10, model: 'add', msg: 'fine', name: 'proton' });
  });
});

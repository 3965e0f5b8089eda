import { Metadata, status as GrpcStatus, type Client } from '@grpc/grpc-js';
import { fromText } from '@bufbuild/protobuf/txtpb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ModelConfigSchema } from '../ts/gen/model_config_pb';
import { V2_EXTENSIONS } from '../ts/protocol/server-metadata';
import { createClient, unary, unaryError } from './grpc-test-support';
import { referenceRun } from './helpers/onnx-reference';
import { scaleModel, TempRepository } from './helpers/repository';
import { fetchJson, postJson, startRestServer, type RestTestServer } from './helpers/rest-server';

const TOKEN = 's3cret';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const PB_CONFIG = [
  'max_batch_size: 4',
  'version_policy { all { } }',
  'dynamic_batching { preferred_batch_size: [ 2, 4 ] max_queue_delay_microseconds: 300 }',
  'instance_group [ { count: 2 kind: KIND_CPU } ]',
  'parameters { key: "intra_op_thread_count" value: { string_value: "1" } }',
].join('\n');
const x4 = { x: { type: 'float32' as const, dims: [1, 4], data: Float32Array.of(1, 2, 3, 4) } };
const inferBody = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };

describe('repository and model configuration extensions', () => {
  const repo = new TempRepository();
  let server: RestTestServer;
  let grpc: Client;
  const post = (route: string, value: unknown, headers: Record<string, string> = {}) => postJson(`${server.url}${route}`, value, headers);
  const index = async (ready?: boolean) => (await post('/v2/repository/index', ready === undefined ? {} : { ready })).body;
  const authMetadata = (): Metadata => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${TOKEN}`);
    return metadata;
  };
  const expectScale = async (route: string, file: string) => {
    const reply = await post(route, inferBody);
    expect(reply.status, reply.text).toBe(200);
    const reference = await referenceRun(repo.path(file), x4);
    expect(reply.body.outputs[0].data).toEqual(Array.from(reference.y!.data as Float32Array));
  };

  beforeAll(async () => {
    repo.write('repo/pb/1/model.onnx', scaleModel(2));
    repo.write('repo/pb/2/model.onnx', scaleModel(3));
    repo.write('repo/pb/config.pbtxt', PB_CONFIG);
    repo.write('repo/auto/1/model.onnx', scaleModel(5));
    repo.write('repo/later/1/model.onnx', scaleModel(11));
    repo.write('repo/broken/1/model.onnx', 'not an onnx model');
    const yaml = repo.write('yaml.onnx', scaleModel(7));
    server = await startRestServer(
      { yaml: { path: yaml, options: { maxBatchSize: 8, maxQueueDelayUs: 100, instances: 1 } } },
      { repository: { roots: [repo.path('repo')], controlMode: 'explicit', loadModels: ['pb', 'auto'], token: TOKEN } },
    );
    grpc = createClient('inference.proto', 'inference.GRPCInferenceService', `127.0.0.1:${server.server.grpcPort}`);
  });
  afterAll(async () => {
    grpc?.close();
    await server?.close();
    repo.dispose();
  });

  it('advertises both extensions', async () => {
    const reply = await fetchJson(`${server.url}/v2`);
    expect(reply.body.extensions).toEqual(expect.arrayContaining(['model_repository', 'model_configuration']));
    expect(V2_EXTENSIONS).toEqual(reply.body.extensions);
  });

  it('indexes the repository over REST in Triton\'s shape, with the ready filter', async () => {
    expect(await index()).toEqual([
      { name: 'auto', version: '1', state: 'READY' },
      { name: 'broken' },
      { name: 'later' },
      { name: 'pb', version: '1', state: 'READY' },
      { name: 'pb', version: '2', state: 'READY' },
      { name: 'yaml', version: '1', state: 'READY' },
    ]);
    expect((await index(true)).map((row: { name: string }) => row.name)).toEqual(['auto', 'pb', 'pb', 'yaml']);
    const bad = await post('/v2/repository/index', { ready: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/ready must be a boolean/);
  });

  it('refuses load and unload without the token: 401 over REST, UNAUTHENTICATED over gRPC', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }] as Array<Record<string, string>>) {
      const reply = await post('/v2/repository/models/later/load', {}, headers);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(reply.body.error).toMatch(/Authorization: Bearer/);
    }
    expect((await post('/v2/repository/models/pb/unload', {})).status).toBe(401);
    const error = await unaryError(grpc, 'RepositoryModelLoad', { model_name: 'later' });
    expect(error.code).toBe(GrpcStatus.UNAUTHENTICATED);
    const wrong = new Metadata();
    wrong.set('authorization', 'Bearer nope');
    expect((await unaryError(grpc, 'RepositoryModelUnload', { model_name: 'pb' }, wrong as never)).code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(server.server.registry.isReady('pb')).toBe(true);
    expect(server.server.registry.has('later')).toBe(false);
  });

  it('loads, serves and unloads a model over REST, then loads it with a config override', async () => {
    const loaded = await post('/v2/repository/models/later/load', '', AUTH);
    expect(loaded.status, loaded.text).toBe(200);
    expect(loaded.text).toBe('');
    await expectScale('/v2/models/later/infer', 'repo/later/1/model.onnx');
    expect((await index()).find((row: { name: string }) => row.name === 'later')).toEqual({ name: 'later', version: '1', state: 'READY' });

    const unloaded = await post('/v2/repository/models/later/unload', { parameters: { unload_dependents: false } }, AUTH);
    expect(unloaded.status, unloaded.text).toBe(200);
    expect((await index()).find((row: { name: string }) => row.name === 'later')).toEqual({ name: 'later', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' });
    const ready = await fetchJson(`${server.url}/v2/models/later/ready`);
    expect([ready.status, ready.body]).toEqual([400, { name: 'later', ready: false }]);
    expect((await post('/v2/models/later/infer', inferBody)).status).toBe(503);

    const override = JSON.stringify({ max_batch_size: 2, dynamic_batching: {} });
    const reloaded = await post('/v2/repository/models/later/load', { parameters: { config: override } }, AUTH);
    expect(reloaded.status, reloaded.text).toBe(200);
    const config = await fetchJson(`${server.url}/v2/models/later/config`);
    expect(config.body.max_batch_size).toBe(2);
    expect(config.body.dynamic_batching).toBeDefined();
    const big = { inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 4], data: new Array(12).fill(1) }] };
    const refused = await post('/v2/models/later/infer', big);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/batch size 3 is outside 1\.\.2/);

    for (const [body, message] of [
      [{ parameters: { config: '{"max_batch_size": ' } }, /malformed JSON/],
      [{ parameters: { 'file:1/model.onnx': 'AAAA', config: '{}' } }, /model files in a load request are not supported/],
      [{ parameters: { colour: 'red' } }, /unknown load parameter/],
      [{ params: {} }, /unknown key 'params'/],
    ] as const) {
      const reply = await post('/v2/repository/models/later/load', body, AUTH);
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatch(message);
    }
    expect((await post('/v2/repository/models/nope/load', {}, AUTH)).status).toBe(404);
    expect((await post('/v2/repository/models/..%2Fetc/load', {}, AUTH)).status).toBe(400);
  });

  it('indexes, loads with a config override and unloads over gRPC (proto-loader client)', async () => {
    const before = await unary<{ models: Array<Record<string, string>> }>(grpc, 'RepositoryIndex', { ready: true });
    expect(before.models.map((row) => `${row.name}/${row.version}/${row.state}`)).toContain('pb/2/READY');
    expect(before.models.every((row) => row.state === 'READY')).toBe(true);
    const config = JSON.stringify({ max_batch_size: 3, dynamic_batching: { max_queue_delay_microseconds: 50 } });
    await unary(grpc, 'RepositoryModelLoad', { model_name: 'later', parameters: { config: { string_param: config } } }, authMetadata() as never);
    const answer = await unary<{ config: Record<string, any> }>(grpc, 'ModelConfig', { name: 'later' });
    expect(answer.config.max_batch_size).toBe(3);
    expect(answer.config.dynamic_batching.max_queue_delay_microseconds).toBe('50');
    expect(answer.config.input).toEqual([expect.objectContaining({ name: 'x', data_type: 'TYPE_FP32', dims: ['4'] })]);
    await unary(grpc, 'RepositoryModelUnload', { model_name: 'later' }, authMetadata() as never);
    const after = await unary<{ models: Array<Record<string, string>> }>(grpc, 'RepositoryIndex', {});
    expect(after.models.find((row) => row.name === 'later')).toEqual({ name: 'later', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' });
    expect((await unaryError(grpc, 'RepositoryIndex', { repository_name: 'other' })).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect((await unaryError(grpc, 'RepositoryModelLoad', { model_name: 'nope' }, authMetadata() as never)).code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('serves every loaded version at its own routes and in model_version', async () => {
    await expectScale('/v2/models/pb/versions/1/infer', 'repo/pb/1/model.onnx');
    await expectScale('/v2/models/pb/versions/2/infer', 'repo/pb/2/model.onnx');
    await expectScale('/v2/models/pb/infer', 'repo/pb/2/model.onnx');
    for (const route of ['/v2/models/pb', '/v2/models/pb/versions/1']) {
      const metadata = await fetchJson(`${server.url}${route}`);
      expect(metadata.body.versions).toEqual(['1', '2']);
    }
    expect((await fetchJson(`${server.url}/v2/models/pb/versions/1/ready`)).body).toEqual({ name: 'pb', ready: true });
    expect((await fetchJson(`${server.url}/v2/models/pb/versions/3/ready`)).status).toBe(400);
    expect((await fetchJson(`${server.url}/v2/models/pb/versions/3`)).status).toBe(404);
    const grpcInfer = await unary<{ model_version: string; raw_output_contents: Buffer[] }>(grpc, 'ModelInfer', {
      model_name: 'pb',
      model_version: '1',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }],
      raw_input_contents: [Buffer.from(Float32Array.of(1, 2, 3, 4).buffer)],
    });
    expect(grpcInfer.model_version).toBe('1');
    const out = new Float32Array(new Uint8Array(grpcInfer.raw_output_contents[0]!).buffer);
    const reference = await referenceRun(repo.path('repo/pb/1/model.onnx'), x4);
    expect(Array.from(out)).toEqual(Array.from(reference.y!.data as Float32Array));
  });

  it('answers the effective config of a config.pbtxt model as the file says, per version, over REST and gRPC', async () => {
    const file = fromText(ModelConfigSchema, PB_CONFIG);
    for (const route of ['/v2/models/pb/config', '/v2/models/pb/versions/1/config']) {
      const { status, body } = await fetchJson(`${server.url}${route}`);
      expect(status).toBe(200);
      expect(body.name).toBe('pb');
      expect(body.platform).toBe('onnxruntime_onnx');
      expect(body.max_batch_size).toBe(file.maxBatchSize);
      expect(body.version_policy).toEqual({ all: {} });
      // Triton answers int64 fields as JSON numbers (dims, microseconds), not protobuf-JSON's strings.
      expect(body.dynamic_batching.preferred_batch_size).toEqual(file.schedulingChoice.case === 'dynamicBatching' ? file.schedulingChoice.value.preferredBatchSize : []);
      expect(body.dynamic_batching.max_queue_delay_microseconds).toBe(300);
      expect(body.instance_group).toEqual([expect.objectContaining({ count: file.instanceGroup[0]!.count, kind: 'KIND_CPU' })]);
      expect(body.parameters).toEqual({ intra_op_thread_count: { string_value: file.parameters.intra_op_thread_count!.stringValue } });
      expect(body.input).toEqual([expect.objectContaining({ name: 'x', data_type: 'TYPE_FP32', dims: [4] })]);
      expect(body.output).toEqual([expect.objectContaining({ name: 'y', data_type: 'TYPE_FP32', dims: [4] })]);
    }
    const rest = await fetchJson(`${server.url}/v2/models/pb/config`);
    const answer = await unary<{ config: Record<string, any> }>(grpc, 'ModelConfig', { name: 'pb', version: '2' });
    expect(answer.config.name).toBe('pb');
    expect(answer.config.max_batch_size).toBe(rest.body.max_batch_size);
    expect(answer.config.dynamic_batching.preferred_batch_size).toEqual(rest.body.dynamic_batching.preferred_batch_size);
    expect(answer.config.parameters).toEqual({ intra_op_thread_count: { string_value: '1' } });
    expect((await fetchJson(`${server.url}/v2/models/nope/config`)).status).toBe(404);
    expect((await unaryError(grpc, 'ModelConfig', { name: 'nope' })).code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('answers the config of an auto-completed model and of a YAML model in the same shape', async () => {
    const auto = (await fetchJson(`${server.url}/v2/models/auto/config`)).body;
    // Triton's auto-complete for a model with a dynamic first dimension: max_batch_size 4, dynamic batching, dims without the batch.
    expect(auto).toMatchObject({ name: 'auto', platform: 'onnxruntime_onnx', backend: 'onnxruntime', max_batch_size: 4, dynamic_batching: {} });
    expect(auto.input).toEqual([expect.objectContaining({ name: 'x', data_type: 'TYPE_FP32', dims: [4] })]);
    expect(auto.version_policy).toEqual({ latest: { num_versions: 1 } });
    const yaml = (await fetchJson(`${server.url}/v2/models/yaml/config`)).body;
    expect(yaml).toMatchObject({ name: 'yaml', platform: 'onnxruntime_onnx', max_batch_size: 8, default_model_filename: 'yaml.onnx' });
    expect(yaml.dynamic_batching.max_queue_delay_microseconds).toBe(100);
    expect(yaml.instance_group).toEqual([expect.objectContaining({ count: 1, kind: 'KIND_CPU' })]);
    expect(yaml.parameters.intra_op_thread_count).toEqual({ string_value: '1' });
    expect(Object.keys(yaml).sort()).toEqual(Object.keys(auto).sort());
  });

  it('is not ready while a model it should serve is not READY, and ready again once it is unloaded', async () => {
    const readiness = async () => ({
      v2: (await fetchJson(`${server.url}/v2/health/ready`)).status,
      proton: (await fetchJson(`${server.url}/ready`)).status,
      grpc: (await unary<{ ready: boolean }>(grpc, 'ServerReady', {})).ready,
    });
    expect(await readiness()).toEqual({ v2: 200, proton: 200, grpc: true });
    const failed = await post('/v2/repository/models/broken/load', {}, AUTH);
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect((await index()).find((row: { name: string }) => row.name === 'broken').state).toBe('UNAVAILABLE');
    expect(await readiness()).toEqual({ v2: 400, proton: 503, grpc: false });
    expect((await fetchJson(`${server.url}/v2/models/pb/ready`)).status).toBe(200);
    expect((await post('/v2/repository/models/broken/unload', {}, AUTH)).status).toBe(200);
    expect(await readiness()).toEqual({ v2: 200, proton: 200, grpc: true });
  });
});

describe('repository control without a repository', () => {
  it('indexes the YAML models and refuses load and unload with 503', async () => {
    const repo = new TempRepository();
    const server = await startRestServer({ solo: { path: repo.write('solo.onnx', scaleModel(1)) } });
    try {
      expect((await postJson(`${server.url}/v2/repository/index`, '')).body).toEqual([{ name: 'solo', version: '1', state: 'READY' }]);
      const reply = await postJson(`${server.url}/v2/repository/models/solo/unload`, {});
      expect(reply.status).toBe(503);
      expect(reply.body.error).toMatch(/needs a model repository/);
    } finally {
      await server.close();
      repo.dispose();
    }
  });
});

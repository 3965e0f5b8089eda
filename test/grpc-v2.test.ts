import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoModelName } from '../ts/onnx/demo-models';
import { PROTO_DIR } from '../ts/protocol/proto-loading';
import { decodeThroughWire } from './helpers/grpc-wire-decode';
import { TENSOR_TYPES } from '../ts/protocol/datatypes';
import { bytesOf, elementCount, type Tensor } from '../ts/protocol/tensor';
import {
  V2_NAME,
  concreteShape,
  createClient,
  decodeRaw,
  expectSameValues,
  rawBytes,
  referenceRun,
  referenceValues,
  sampleData,
  startTestServer,
  typedContents,
  unary,
  unaryError,
  type TestServer,
} from './grpc-test-support';

interface InferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: Array<{ name: string; datatype: string; shape: string[]; contents: unknown }>;
  raw_output_contents: Buffer[];
}

const SERVED: Record<string, DemoModelName> = {
  add: 'add',
  mlp: 'mlp',
  multi_io: 'multi_io',
  dynamic_batch: 'dynamic_batch',
  squeezenet: 'squeezenet1.0',
};

let server: TestServer;
let client: Client;

beforeAll(async () => {
  server = await startTestServer(Object.fromEntries(Object.entries(SERVED).map(([name, demo]) => [name, { demo }])));
  client = createClient('inference.proto', 'inference.GRPCInferenceService', server.address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

/** Inputs for every input of a served model, from its metadata (dynamic dimensions become `dynamic`). */
function sampleInputs(name: string, dynamic = 2): Record<string, Tensor> {
  const inputs: Record<string, Tensor> = {};
  server.registry.get(name).model.metadata.inputs.forEach((info, index) => {
    const dims = concreteShape(info.shape, dynamic);
    inputs[info.name] = { type: info.type, dims, data: sampleData(info.type, elementCount(dims), index + 1) } as Tensor;
  });
  return inputs;
}

function inferRequest(model: string, inputs: Record<string, Tensor>, raw: boolean, extra: object = {}): object {
  return {
    model_name: model,
    inputs: Object.entries(inputs).map(([name, tensor]) => ({
      name,
      datatype: V2_NAME[tensor.type],
      shape: [...tensor.dims],
      ...(raw ? {} : { contents: typedContents(tensor) }),
    })),
    raw_input_contents: raw ? Object.values(inputs).map(rawBytes) : [],
    ...extra,
  };
}

/** Checks a ModelInfer response output by output against onnxruntime-node's own run. */
async function expectMatchesReference(response: InferResponse, demo: DemoModelName, inputs: Record<string, Tensor>, names?: string[]) {
  const reference = await referenceRun(demo, inputs, names);
  const expectedNames = names ?? Object.keys(reference);
  expect(response.outputs.map((o) => o.name)).toEqual(expectedNames);
  expect(response.raw_output_contents).toHaveLength(expectedNames.length);
  response.outputs.forEach((output, index) => {
    const expected = reference[output.name] as Tensor;
    expect(output.datatype).toBe(V2_NAME[expected.type]);
    expect(output.shape.map(Number)).toEqual([...expected.dims]);
    expect(output.contents).toBeNull(); // answers are raw only
    expectSameValues(decodeRaw(output.datatype, response.raw_output_contents[index] as Buffer), referenceValues(expected));
  });
}

describe('server and model status RPCs', () => {
  it('ServerLive and ServerReady answer true', async () => {
    expect(await unary(client, 'ServerLive', {})).toEqual({ live: true });
    expect(await unary(client, 'ServerReady', {})).toEqual({ ready: true });
  });

  it('ServerMetadata names the server, its package version and its extensions', async () => {
    const pkg = JSON.parse(readFileSync(path.join(PROTO_DIR, '..', 'package.json'), 'utf8')) as { version: string };
    expect(await unary(client, 'ServerMetadata', {})).toEqual({
      name: 'proton',
      version: pkg.version,
      extensions: ['binary_tensor_data', 'schedule_policy', 'model_repository', 'model_configuration', 'statistics'],
    });
  });

  it('ModelReady is true for served models and versions, false otherwise', async () => {
    for (const name of Object.keys(SERVED)) {
      expect(await unary(client, 'ModelReady', { name })).toEqual({ ready: true });
      expect(await unary(client, 'ModelReady', { name, version: '1' })).toEqual({ ready: true });
    }
    expect(await unary(client, 'ModelReady', { name: 'add', version: '2' })).toEqual({ ready: false });
    expect(await unary(client, 'ModelReady', { name: 'no_such_model' })).toEqual({ ready: false });
  });

  it('ModelMetadata describes every model as its metadata says, with -1 for dynamic dimensions', async () => {
    for (const name of Object.keys(SERVED)) {
      const { metadata } = server.registry.get(name).model;
      const describe = (infos: typeof metadata.inputs) =>
        infos.map((info) => ({
          name: info.name,
          datatype: V2_NAME[info.type],
          shape: info.shape.map((dim) => (typeof dim === 'number' ? String(dim) : '-1')),
        }));
      const response = await unary<Record<string, unknown>>(client, 'ModelMetadata', { name, version: '1' });
      expect(response).toEqual({
        name,
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: describe(metadata.inputs),
        outputs: describe(metadata.outputs),
        properties: {},
      });
    }
    const dynamic = await unary<{ inputs: Array<{ shape: string[] }> }>(client, 'ModelMetadata', { name: 'dynamic_batch' });
    expect(dynamic.inputs[0]?.shape[0]).toBe('-1');
  });

  it('grpc.health.v1.Health/Check reports SERVING, and NOT_FOUND for an unknown service', async () => {
    const health = createClient('health.proto', 'grpc.health.v1.Health', server.address);
    try {
      expect(await unary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
      expect(await unary(health, 'Check', { service: 'inference.GRPCInferenceService' })).toEqual({ status: 'SERVING' });
      expect((await unaryError(health, 'Check', { service: 'nope' })).code).toBe(GrpcStatus.NOT_FOUND);
    } finally {
      health.close();
    }
  });
});

describe('ModelInfer', () => {
  for (const [name, demo] of Object.entries(SERVED)) {
    for (const raw of [false, true]) {
      it(`${name}: ${raw ? 'raw_input_contents' : 'typed contents'} give onnxruntime-node's outputs, raw`, async () => {
        const inputs = sampleInputs(name);
        const response = await unary<InferResponse>(client, 'ModelInfer', inferRequest(name, inputs, raw));
        expect(response.model_name).toBe(name);
        expect(response.model_version).toBe('1');
        await expectMatchesReference(response, demo, inputs);
      });
    }
  }

  it('covers every datatype the demo models use, inputs and outputs', async () => {
    const types = new Set<string>();
    for (const name of Object.keys(SERVED)) {
      const { inputs, outputs } = server.registry.get(name).model.metadata;
      for (const info of [...inputs, ...outputs]) types.add(V2_NAME[info.type]);
    }
    // The ModelInfer cases above ran each of these both ways; fail loudly if the demo set changes.
    expect([...types].sort()).toEqual(expect.arrayContaining(['BOOL', 'FP32', 'INT64']));
  });

  it('dynamic batch sizes pass through, shapes included', async () => {
    for (const batch of [1, 5, 17]) {
      const inputs = sampleInputs('dynamic_batch', batch);
      const response = await unary<InferResponse>(client, 'ModelInfer', inferRequest('dynamic_batch', inputs, batch % 2 === 0));
      await expectMatchesReference(response, 'dynamic_batch', inputs);
      expect(response.outputs[0]?.shape.map(Number)[0]).toBe(batch);
    }
  });

  it('returns only the requested outputs, in the requested order', async () => {
    const { outputs } = server.registry.get('multi_io').model.metadata;
    const names = outputs.map((o) => o.name);
    expect(names.length).toBeGreaterThanOrEqual(2);
    const inputs = sampleInputs('multi_io');
    for (const requested of [[names[1] as string], [...names].reverse()]) {
      const response = await unary<InferResponse>(
        client,
        'ModelInfer',
        inferRequest('multi_io', inputs, true, { outputs: requested.map((n) => ({ name: n })) }),
      );
      await expectMatchesReference(response, 'multi_io', inputs, requested);
    }
  });

  it('echoes the request id and answers model_version "1" with or without a version', async () => {
    const inputs = sampleInputs('add');
    const plain = await unary<InferResponse>(client, 'ModelInfer', inferRequest('add', inputs, true, { id: 'request-42' }));
    expect(plain.id).toBe('request-42');
    expect(plain.model_version).toBe('1');
    const versioned = await unary<InferResponse>(client, 'ModelInfer', inferRequest('add', inputs, false, { model_version: '1' }));
    expect(versioned.id).toBe('');
    expect(versioned.model_version).toBe('1');
  });

  it('passes tensors above grpc-js default 4 MiB message limit both ways', async () => {
    const inputs = sampleInputs('dynamic_batch', 350_000); // 5.6 MB in, 4.2 MB out
    const response = await unary<InferResponse>(client, 'ModelInfer', inferRequest('dynamic_batch', inputs, true));
    expect(response.raw_output_contents[0]?.byteLength).toBe(350_000 * 3 * 4);
    await expectMatchesReference(response, 'dynamic_batch', inputs);
  });

  it('answers many concurrent requests, each with its own result', async () => {
    const requests = Array.from({ length: 64 }, (_, i) => {
      const inputs = sampleInputs('add');
      for (const tensor of Object.values(inputs)) (tensor.data as Float32Array).fill(i);
      return { i, promise: unary<InferResponse>(client, 'ModelInfer', inferRequest('add', inputs, i % 2 === 0, { id: `r${i}` })) };
    });
    for (const { i, promise } of requests) {
      const response = await promise;
      expect(response.id).toBe(`r${i}`);
      expect(decodeRaw('FP32', response.raw_output_contents[0] as Buffer)).toEqual(new Array(16).fill(2 * i));
    }
  });

  it('reports each request to the metrics sink with protocol, model and code', async () => {
    const before = server.observed.length;
    await unary(client, 'ModelInfer', inferRequest('add', sampleInputs('add'), true));
    expect(server.observed.slice(before)).toEqual([{ protocol: 'grpc', model: 'add', code: 'OK' }]);
  });
});

/** Elements as comparable values; BYTES as hex of their bytes (decoded BYTES are Uint8Arrays). */
function plainValues(tensor: Tensor): unknown[] {
  if (tensor.type === 'string') return tensor.data.map((e) => Buffer.from(bytesOf(e)).toString('hex'));
  return Array.from(tensor.data as ArrayLike<unknown>);
}

describe('ModelInfer tensor decoding, every datatype', () => {
  const EMPTY = ['bool', 'int', 'int64', 'uint', 'uint64', 'fp32', 'fp64', 'bytes'].map((k) => [`${k}_contents`, []]);
  const wire = (tensor: Tensor, contents: Record<string, unknown[]> | null): object => ({
      name: 't',
      datatype: V2_NAME[tensor.type],
      shape: tensor.dims.map(String), // int64 arrives as decimal strings
      parameters: {},
      contents: contents && { ...Object.fromEntries(EMPTY), ...contents },
    });

  for (const type of TENSOR_TYPES) {
    it(`${V2_NAME[type]}: typed contents and raw contents decode to the same tensor`, async () => {
      const tensor = { type, dims: [2, 3], data: sampleData(type, 6) } as Tensor;
      const raw = (await decodeThroughWire([wire(tensor, null)], [rawBytes(tensor)])).t as Tensor;
      expect(raw.type).toBe(type);
      expect(raw.dims).toEqual([2, 3]);
      expect(plainValues(raw)).toEqual(plainValues(tensor));
      if (type === 'float16') return; // no typed field: covered by the error tests
      const typed = (await decodeThroughWire([wire(tensor, typedContents(tensor))])).t as Tensor;
      expect(typed).toEqual(raw);
    });
  }

  it('INT64 and UINT64 typed contents keep full 64-bit precision', async () => {
    const int64 = { type: 'int64', dims: [2], data: new BigInt64Array([2n ** 62n + 1n, -(2n ** 63n)]) } as Tensor;
    const uint64 = { type: 'uint64', dims: [1], data: new BigUint64Array([2n ** 64n - 1n]) } as Tensor;
    for (const tensor of [int64, uint64]) {
      expect((await decodeThroughWire([wire(tensor, typedContents(tensor))])).t?.data).toEqual(tensor.data);
    }
  });

  it('raw contents at odd offsets of the received message decode correctly', async () => {
    const tensor = { type: 'float64', dims: [3], data: new Float64Array([1.5, -2.25, 1e300]) } as Tensor;
    const message = Buffer.concat([Buffer.from([7]), rawBytes(tensor)]);
    const decoded = (await decodeThroughWire([wire(tensor, null)], [message.subarray(1)])).t;
    expect(decoded?.data).toEqual(tensor.data);
  });
});

describe('proto field numbers', () => {
  // Transcribed from the Open Inference Protocol's gRPC messages: clients depend on the numbers, not the names.
  const FIELDS: Record<string, Record<string, number>> = {
    'inference.ModelReadyRequest': { name: 1, version: 2 },
    'inference.ServerMetadataResponse': { name: 1, version: 2, extensions: 3 },
    'inference.ModelMetadataResponse': { name: 1, versions: 2, platform: 3, inputs: 4, outputs: 5, properties: 6 },
    'inference.ModelMetadataResponse.TensorMetadata': { name: 1, datatype: 2, shape: 3 },
    'inference.InferParameter': { bool_param: 1, int64_param: 2, string_param: 3, double_param: 4, uint64_param: 5 },
    'inference.InferTensorContents': {
      bool_contents: 1,
      int_contents: 2,
      int64_contents: 3,
      uint_contents: 4,
      uint64_contents: 5,
      fp32_contents: 6,
      fp64_contents: 7,
      bytes_contents: 8,
    },
    'inference.ModelInferRequest': { model_name: 1, model_version: 2, id: 3, parameters: 4, inputs: 5, outputs: 6, raw_input_contents: 7 },
    'inference.ModelInferRequest.InferInputTensor': { name: 1, datatype: 2, shape: 3, parameters: 4, contents: 5 },
    'inference.ModelInferRequest.InferRequestedOutputTensor': { name: 1, parameters: 2 },
    'inference.ModelInferResponse': { model_name: 1, model_version: 2, id: 3, parameters: 4, outputs: 5, raw_output_contents: 6 },
    'inference.ModelInferResponse.InferOutputTensor': { name: 1, datatype: 2, shape: 3, parameters: 4, contents: 5 },
    'inference.ModelConfigRequest': { name: 1, version: 2 },
    'inference.ModelConfigResponse': { config: 1 },
    'inference.RepositoryIndexRequest': { repository_name: 1, ready: 2 },
    'inference.RepositoryIndexResponse': { models: 1 },
    'inference.RepositoryIndexResponse.ModelIndex': { name: 1, version: 2, state: 3, reason: 4 },
    'inference.ModelRepositoryParameter': { bool_param: 1, int64_param: 2, string_param: 3, bytes_param: 4 },
    'inference.RepositoryModelLoadRequest': { repository_name: 1, model_name: 2, parameters: 3 },
    'inference.RepositoryModelUnloadRequest': { repository_name: 1, model_name: 2, parameters: 3 },
  };

  it('inference.proto uses exactly the protocol numbers', () => {
    const root = new protobuf.Root().loadSync(path.join(PROTO_DIR, 'inference.proto'), { keepCase: true });
    for (const [typeName, fields] of Object.entries(FIELDS)) {
      const type = root.lookupType(typeName);
      expect(Object.fromEntries(Object.entries(type.fields).map(([name, field]) => [name, field.id])), typeName).toEqual(fields);
    }
    const service = root.lookupService('inference.GRPCInferenceService');
    expect(Object.keys(service.methods).sort()).toEqual(
      [
        'ModelConfig',
        'ModelInfer',
        'ModelMetadata',
        'ModelReady',
        'ModelStatistics',
        'RepositoryIndex',
        'RepositoryModelLoad',
        'RepositoryModelUnload',
        'ServerLive',
        'ServerMetadata',
        'ServerReady',
      ].sort(),
    );
  });
});

import { execFileSync } from 'node:child_process';
import type { Client } from '@grpc/grpc-js';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Model } from '../ts/index';
import { GraphBuilder } from '../ts/onnx/model-builder';
import { createClient, unary, unaryError } from './grpc-test-support';
import { demoModels, identityModel, writeModel } from './helpers/models';
import { fetchJson, startRestServer, type RestTestServer } from './helpers/rest-server';
import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * Wire behaviour the issue names, through every protocol: scalars sent as [1], BYTES with NUL and
 * invalid UTF-8, -0/NaN/±Inf in JSON (read back by Python's json), ndarray serde on /predict.
 */

/** y = x + s with s a declared scalar (rank 0), like Silero VAD's `sr`. */
function scalarAddModel(): string {
  const bytes = new GraphBuilder('scalar_add')
    .addInput('x', 'float32', ['n'])
    .addInput('s', 'float32', [])
    .addNode('Add', ['x', 's'], ['y'])
    .addOutput('y', 'float32', ['n'])
    .serialize();
  return writeModel('scalar_add', bytes);
}

/** Parses JSON with Python's json module and returns repr() of each float (sign of zero and NaN kept). */
function pythonFloats(json: string, path: string): string[] {
  const script = `import json,sys\nv=json.loads(sys.stdin.read())\nfor k in ${JSON.stringify(path.split('.'))}:\n  v=v[int(k)] if k.isdigit() else v[k]\nprint(json.dumps([repr(float(x)) for x in v]))`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: json }).toString()) as string[];
}

const SPECIAL = [-0, Number.NaN, Infinity, -Infinity, 1.5, 0];
const PY_SPECIAL = ['-0.0', 'nan', 'inf', '-inf', '1.5', '0.0'];
const BYTES = [Buffer.from('a\u0000b'), Buffer.from([0xff, 0xfe, 0x00, 0x80]), Buffer.alloc(0)];

let server: RestTestServer;
let grpc: Client;
let paths: Record<string, string>;

beforeAll(async () => {
  const demo = await demoModels();
  paths = {
    scalar: scalarAddModel(),
    bytes: identityModel('string'),
    floats: identityModel('float32'),
    ints: identityModel('int64'),
    mlp: demo.mlp,
  };
  server = await startRestServer(Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, { path }])));
  grpc = createClient('inference.proto', 'inference.GRPCInferenceService', `127.0.0.1:${server.server.grpcPort}`);
});
afterAll(async () => {
  grpc?.close();
  await server?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetchJson(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });

function binaryBody(header: object, blobs: Buffer[]): { body: Buffer; headers: Record<string, string> } {
  const json = Buffer.from(JSON.stringify(header));
  return {
    body: Buffer.concat([json, ...blobs]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.byteLength) },
  };
}

function lengthPrefixed(elements: Buffer[]): Buffer {
  return Buffer.concat(elements.flatMap((e) => [Buffer.from(Uint32Array.of(e.byteLength).buffer), e]));
}

describe('a declared scalar accepts a [1] tensor', () => {
  const x = [1, 2, 3];
  let expected: number[];
  beforeAll(async () => {
    const session = await ort.InferenceSession.create(paths.scalar as string);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [3]), s: new ort.Tensor('float32', Float32Array.of(0.5), []) });
    expected = Array.from(out.y!.data as Float32Array);
    await session.release();
  });

  it('in the library', async () => {
    const model = await Model.load(paths.scalar as string);
    const out = await model.infer({ x: { type: 'float32', dims: [3], data: Float32Array.from(x) }, s: { type: 'float32', dims: [1], data: Float32Array.of(0.5) } });
    await model.close();
    expect(Array.from(out.y!.data as Float32Array)).toEqual(expected);
  });

  it('over REST JSON and binary', async () => {
    const json = await post('/v2/models/scalar/infer', {
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [3], data: x },
        { name: 's', datatype: 'FP32', shape: [1], data: [0.5] },
      ],
    });
    expect(json.status).toBe(200);
    expect(json.body.outputs[0].data).toEqual(expected);
    const { body, headers } = binaryBody(
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [3], data: x }, { name: 's', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4 } }] },
      [Buffer.from(Float32Array.of(0.5).buffer)],
    );
    const binary = await post('/v2/models/scalar/infer', body, headers);
    expect(binary.status).toBe(200);
    expect(binary.body.outputs[0].data).toEqual(expected);
  });

  it('over gRPC typed and raw contents', async () => {
    const typed = await unary<{ raw_output_contents: Buffer[] }>(grpc, 'ModelInfer', {
      model_name: 'scalar',
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [3], contents: { fp32_contents: x } },
        { name: 's', datatype: 'FP32', shape: [1], contents: { fp32_contents: [0.5] } },
      ],
    });
    const raw = await unary<{ raw_output_contents: Buffer[] }>(grpc, 'ModelInfer', {
      model_name: 'scalar',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [3] }, { name: 's', datatype: 'FP32', shape: [1] }],
      raw_input_contents: [Buffer.from(Float32Array.from(x).buffer), Buffer.from(Float32Array.of(0.5).buffer)],
    });
    for (const answer of [typed, raw]) {
      const bytes = answer.raw_output_contents[0] as Buffer;
      expect(Array.from(new Float32Array(Uint8Array.from(bytes).buffer))).toEqual(expected);
    }
  });
});

describe('BYTES are bytes', () => {
  it('in the library: NUL and invalid UTF-8 come back unchanged', async () => {
    const model = await Model.load(paths.bytes as string);
    const out = await model.infer({ x: { type: 'string', dims: [1, 3], data: BYTES.map((b) => Uint8Array.from(b)) } });
    const text = await model.infer({ x: { type: 'string', dims: [1, 3], data: ['a\u0000b', 'é', ''] } });
    await model.close();
    expect((out.y!.data as Uint8Array[]).map((e) => Buffer.from(e).toString('hex'))).toEqual(BYTES.map((b) => b.toString('hex')));
    expect((text.y!.data as Uint8Array[]).map((e) => Buffer.from(e).toString('utf8'))).toEqual(['a\u0000b', 'é', '']);
  });

  it('over REST binary (length-prefixed) exactly', async () => {
    const blob = lengthPrefixed(BYTES);
    const { body, headers } = binaryBody(
      { inputs: [{ name: 'x', datatype: 'BYTES', shape: [1, 3], parameters: { binary_data_size: blob.byteLength } }], parameters: { binary_data_output: true } },
      [blob],
    );
    const response = await fetch(`${server.url}/v2/models/bytes/infer`, { method: 'POST', headers, body });
    const answer = Buffer.from(await response.arrayBuffer());
    const headerLength = Number(response.headers.get('inference-header-content-length'));
    expect(response.status).toBe(200);
    expect(answer.subarray(headerLength).equals(blob)).toBe(true);
  });

  it('over REST JSON: NUL round-trips; non-UTF-8 output is refused with a clear 400', async () => {
    const ok = await post('/v2/models/bytes/infer', { inputs: [{ name: 'x', datatype: 'BYTES', shape: [1, 3], data: ['a\u0000b', 'é', ''] }] });
    expect(ok.status).toBe(200);
    expect(ok.body.outputs[0].data).toEqual(['a\u0000b', 'é', '']);
    const blob = lengthPrefixed(BYTES);
    const { body, headers } = binaryBody({ inputs: [{ name: 'x', datatype: 'BYTES', shape: [1, 3], parameters: { binary_data_size: blob.byteLength } }] }, [blob]);
    const refused = await post('/v2/models/bytes/infer', body, headers);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/output 'y': BYTES element 1 is not valid UTF-8.*binary_data/);
  });

  it('over gRPC bytes_contents and raw contents exactly', async () => {
    const typed = await unary<{ raw_output_contents: Buffer[] }>(grpc, 'ModelInfer', {
      model_name: 'bytes',
      inputs: [{ name: 'x', datatype: 'BYTES', shape: [1, 3], contents: { bytes_contents: BYTES } }],
    });
    const raw = await unary<{ raw_output_contents: Buffer[] }>(grpc, 'ModelInfer', {
      model_name: 'bytes',
      inputs: [{ name: 'x', datatype: 'BYTES', shape: [1, 3] }],
      raw_input_contents: [lengthPrefixed(BYTES)],
    });
    for (const answer of [typed, raw]) expect((answer.raw_output_contents[0] as Buffer).equals(lengthPrefixed(BYTES))).toBe(true);
  });
});

describe('JSON floats: -0 keeps its sign, NaN and ±Inf are written as Python json writes them', () => {
  it('V2 JSON output, read by Python json', async () => {
    const { body, headers } = binaryBody(
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], parameters: { binary_data_size: 24 } }] },
      [Buffer.from(Float32Array.from(SPECIAL).buffer)],
    );
    const response = await post('/v2/models/floats/infer', body, headers);
    expect(response.status).toBe(200);
    expect(pythonFloats(response.text, 'outputs.0.data')).toEqual(PY_SPECIAL);
  });

  it('V2 JSON input accepts the bare tokens Python json writes', async () => {
    const request = `{"inputs":[{"name":"x","datatype":"FP32","shape":[2,3],"data":[-0.0,NaN,Infinity,-Infinity,1.5,0]}],"outputs":[{"name":"y","parameters":{"binary_data":true}}]}`;
    const response = await fetch(`${server.url}/v2/models/floats/infer`, { method: 'POST', body: request });
    const answer = Buffer.from(await response.arrayBuffer());
    const headerLength = Number(response.headers.get('inference-header-content-length'));
    const values = Array.from(new Float32Array(Uint8Array.from(answer.subarray(headerLength)).buffer));
    expect(values.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(['-0', 'NaN', 'Infinity', '-Infinity', '1.5', '0']);
  });

  it('/predict output, read by Python json, in both forms', async () => {
    const nested = await post('/predict', { model_name: 'floats', data: [[1, 2, 3]] });
    expect(nested.status).toBe(200);
    const serde = await post('/predict', `{"model_name":"floats","data":{"v":1,"dim":[2,3],"data":[-0.0,NaN,Infinity,-Infinity,1.5,0]}}`);
    expect(serde.status).toBe(200);
    expect(pythonFloats(serde.text, 'data.data')).toEqual(PY_SPECIAL);
    expect(JSON.parse(serde.text.replace(/-?Infinity|NaN/g, '0')).data.dim).toEqual([2, 3]);
  });
});

describe('/predict speaks the ndarray serde form', () => {
  it('request {v, dim, data} answers {v, dim, data}, equal to onnxruntime-node', async () => {
    const x = Array.from({ length: 2 * 256 }, (_, i) => Math.sin(i) / 4);
    const session = await ort.InferenceSession.create(paths.mlp as string);
    const reference = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [2, 256]) });
    await session.release();
    const y = reference[session.outputNames[0] as string]!;
    const response = await post('/predict', { model_name: 'mlp', data: { v: 1, dim: [2, 256], data: x } });
    expect(response.status).toBe(200);
    expect(typeof response.body.prediction_id).toBe('string');
    expect(response.body.model_name).toBe('mlp');
    expect(response.body.data.v).toBe(1);
    expect(response.body.data.dim).toEqual([...y.dims]);
    const expected = Array.from(y.data as Float32Array);
    (response.body.data.data as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 5));
    const nested = await post('/predict', { model_name: 'mlp', data: [x.slice(0, 256), x.slice(256)] });
    expect(nested.body.data).toHaveLength(2);
    expect(nested.body.data.flat()).toEqual(response.body.data.data);
  });

  it('refuses a serde form whose dim does not match its data, or whose v is not 1', async () => {
    const bad = await post('/predict', { model_name: 'mlp', data: { v: 1, dim: [2, 256], data: [1, 2] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('holds 512 elements but data.data has 2');
    const version = await post('/predict', { model_name: 'mlp', data: { v: 2, dim: [1], data: [1] } });
    expect(version.status).toBe(400);
    expect(version.body.error).toContain('data.v must be 1');
  });

  it('REST /predict and gRPC Predict feed the same integer input the same way', async () => {
    const predictor = createClient('predict.proto', 'predict.Predictor', `127.0.0.1:${server.server.grpcPort}`);
    const rest = await post('/predict', { model_name: 'ints', data: [[1, -2, 3]] });
    const viaGrpc = await unary<{ data: number[]; shape: number[] }>(predictor, 'Predict', { model_name: 'ints', data: [1, -2, 3], shape: [1, 3] });
    const fractional = await unaryError(predictor, 'Predict', { model_name: 'ints', data: [1.5, 0, 0], shape: [1, 3] });
    const restFractional = await post('/predict', { model_name: 'ints', data: [[1.5, 0, 0]] });
    predictor.close();
    expect(rest.body.data).toEqual([[1, -2, 3]]);
    expect(viaGrpc.data).toEqual([1, -2, 3]);
    expect(fractional.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(restFractional.status).toBe(400);
    expect(fractional.details).toBe(restFractional.body.error);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TENSOR_TYPES, type TensorType } from '../ts/protocol/datatypes';
import { type Tensor } from '../ts/protocol/tensor';
import { demoModels, identityModel } from './helpers/models';
import { nestValues } from './helpers/nesting';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';
import { fetchJson, postJson, startRestServer, waitFor, type RestTestServer } from './helpers/rest-server';
import { decodeInferResponse, jsonValues } from './helpers/v2-binary';

/** The Open Inference Protocol over REST with JSON tensors. */

const V2: Record<TensorType, string> = {
  bool: 'BOOL', uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64', int8: 'INT8', int16: 'INT16',
  int32: 'INT32', int64: 'INT64', float16: 'FP16', float32: 'FP32', float64: 'FP64', string: 'BYTES',
};
const JSON_TYPES = TENSOR_TYPES.filter((type) => type !== 'float16');

let server: RestTestServer;
let paths: Awaited<ReturnType<typeof demoModels>>;
const identities: Partial<Record<TensorType, string>> = {};

beforeAll(async () => {
  paths = await demoModels();
  const models: Parameters<typeof startRestServer>[0] = {
    add: { path: paths.add },
    multi_io: { path: paths.multi_io },
    dynamic_batch: { path: paths.dynamic_batch },
    held: { path: paths.dynamic_batch, options: { holdUntilQueued: 2 } },
    held_header: { path: paths.dynamic_batch, options: { holdUntilQueued: 2 } },
    cancel_held: { path: paths.dynamic_batch, options: { holdUntilQueued: 3 } },
  };
  for (const type of JSON_TYPES) {
    identities[type] = identityModel(type);
    models[`identity_${type}`] = { path: identities[type] };
  }
  server = await startRestServer(models);
});
afterAll(() => server?.close());

function tensor(type: TensorType, dims: number[], seed: number): Tensor {
  return { type, dims, data: randomData(type, dims.reduce((a, b) => a * b, 1), seed) } as Tensor;
}

function v2Input(name: string, t: Tensor, nested = false) {
  const values = jsonValues(t);
  return { name, datatype: V2[t.type], shape: t.dims, data: nested ? nestValues(values, t.dims) : values };
}

async function infer(model: string, request: object, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(request),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  return decodeInferResponse(response);
}

describe('server and model endpoints', () => {
  it('GET /v2 names the server and its extensions', async () => {
    const { status, body } = await fetchJson(`${server.url}/v2`);
    expect(status).toBe(200);
    expect(body).toEqual({ name: 'proton', version: expect.stringMatching(/^\d+\.\d+\.\d+/), extensions: expect.arrayContaining(['binary_tensor_data']) });
  });

  it('health live and ready answer 200 with JSON', async () => {
    expect(await fetchJson(`${server.url}/v2/health/live`)).toMatchObject({ status: 200, body: { live: true } });
    expect(await fetchJson(`${server.url}/v2/health/ready`)).toMatchObject({ status: 200, body: { ready: true } });
  });

  it('model metadata, with and without a version, dynamic dimensions as -1', async () => {
    const expected = {
      name: 'multi_io',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [2, 3] },
        { name: 'k', datatype: 'INT64', shape: [2, 3] },
      ],
      outputs: [
        { name: 'scaled', datatype: 'FP32', shape: [2, 3] },
        { name: 'positive', datatype: 'BOOL', shape: [2, 3] },
      ],
    };
    expect(await fetchJson(`${server.url}/v2/models/multi_io`)).toMatchObject({ status: 200, body: expected });
    expect(await fetchJson(`${server.url}/v2/models/multi_io/versions/1`)).toMatchObject({ status: 200, body: expected });
    const dynamic = await fetchJson(`${server.url}/v2/models/dynamic_batch`);
    expect(dynamic.body.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 4] }]);
  });

  it('model ready, with and without a version', async () => {
    expect(await fetchJson(`${server.url}/v2/models/add/ready`)).toMatchObject({ status: 200, body: { name: 'add', ready: true } });
    expect(await fetchJson(`${server.url}/v2/models/add/versions/1/ready`)).toMatchObject({ status: 200, body: { ready: true } });
  });
});

describe('POST /v2/models/{m}/infer with JSON tensors', () => {
  it('add: flat and nested data give the reference result; id and model_version are echoed', async () => {
    const a = tensor('float32', [1, 16], 1);
    const b = tensor('float32', [1, 16], 2);
    const reference = await referenceRun(paths.add, { a, b });
    for (const nested of [false, true]) {
      const { header, outputs } = await infer('add', { id: 'req-7', inputs: [v2Input('a', a, nested), v2Input('b', b, nested)] });
      expect(header).toMatchObject({ model_name: 'add', model_version: '1', id: 'req-7' });
      expect(header.outputs[0]).toMatchObject({ name: 'sum', datatype: 'FP32', shape: [1, 16] });
      expectTensorClose(outputs.sum, reference.sum);
    }
  });

  it('omits id when the request has none; the versioned URL works the same', async () => {
    const a = tensor('float32', [1, 16], 3);
    const response = await fetch(`${server.url}/v2/models/add/versions/1/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [v2Input('a', a), v2Input('b', a)] }),
    });
    expect(response.status).toBe(200);
    const { header } = await decodeInferResponse(response);
    expect('id' in header).toBe(false);
  });

  it('a chunked request body (no Content-Length) is served the same', async () => {
    const x = tensor('float32', [6, 4], 13);
    const text = JSON.stringify({ inputs: [v2Input('x', x)] });
    const encoder = new TextEncoder();
    const response = await fetch(`${server.url}/v2/models/dynamic_batch/infer`, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < text.length; at += 50) controller.enqueue(encoder.encode(text.slice(at, at + 50)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    const reference = await referenceRun(paths.dynamic_batch, { x });
    expectTensorClose((await decodeInferResponse(response)).outputs.y, reference.y);
  });

  it('multi_io: FP32 + INT64 in, FP32 + BOOL out, against the reference', async () => {
    const x = tensor('float32', [2, 3], 4);
    const k = tensor('int64', [2, 3], 5);
    const reference = await referenceRun(paths.multi_io, { x, k });
    const { header, outputs } = await infer('multi_io', { inputs: [v2Input('x', x, true), v2Input('k', k)] });
    expect(header.outputs.map((o: { name: string; datatype: string }) => [o.name, o.datatype])).toEqual([
      ['scaled', 'FP32'],
      ['positive', 'BOOL'],
    ]);
    expect(header.outputs[1].data.every((v: unknown) => typeof v === 'boolean')).toBe(true);
    expectTensorClose(outputs.scaled, reference.scaled);
    expectTensorClose(outputs.positive, reference.positive);
  });

  it('returns only the requested outputs, in the requested order', async () => {
    const x = tensor('float32', [2, 3], 6);
    const k = tensor('int64', [2, 3], 7);
    const reference = await referenceRun(paths.multi_io, { x, k });
    const { header, outputs } = await infer('multi_io', {
      inputs: [v2Input('x', x), v2Input('k', k)],
      outputs: [{ name: 'positive' }],
    });
    expect(header.outputs.map((o: { name: string }) => o.name)).toEqual(['positive']);
    expectTensorClose(outputs.positive, reference.positive);
    const both = await infer('multi_io', { inputs: [v2Input('x', x), v2Input('k', k)], outputs: [{ name: 'positive' }, { name: 'scaled' }] });
    expect(both.header.outputs.map((o: { name: string }) => o.name)).toEqual(['positive', 'scaled']);
  });

  it('a dynamic batch dimension takes the request shape', async () => {
    const x = tensor('float32', [5, 4], 8);
    const reference = await referenceRun(paths.dynamic_batch, { x });
    const { header, outputs } = await infer('dynamic_batch', { inputs: [v2Input('x', x, true)] });
    expect(header.outputs[0].shape).toEqual([5, 3]);
    expectTensorClose(outputs.y, reference.y);
  });

  for (const type of JSON_TYPES) {
    it(`every JSON datatype round-trips: ${V2[type]}`, async () => {
      const x = tensor(type, [4, 3], 9);
      const reference = await referenceRun(identities[type]!, { x });
      const { header, outputs } = await infer(`identity_${type}`, { inputs: [v2Input('x', x, type === 'int32')] });
      expect(header.outputs[0]).toMatchObject({ name: 'y', datatype: V2[type], shape: [4, 3] });
      expectTensorClose(outputs.y, reference.y);
    });
  }

  it('INT64 and UINT64 beyond 2^53 keep every digit when sent as decimal strings', async () => {
    const big = ['9007199254740993', '-9223372036854775808', '9223372036854775807', '1', '-2', '3'];
    const response = await fetch(`${server.url}/v2/models/identity_int64/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'INT64', shape: [2, 3], data: big }] }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('"data":[9007199254740993,-9223372036854775808,9223372036854775807,1,-2,3]');
    const reference = await referenceRun(identities.int64!, { x: { type: 'int64', dims: [2, 3], data: BigInt64Array.from(big, BigInt) } });
    expect(Array.from(reference.y!.data as BigInt64Array, String)).toEqual(big);

    const unsigned = await fetch(`${server.url}/v2/models/identity_uint64/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'UINT64', shape: [1, 3], data: ['18446744073709551615', 0, '12345678901234567890'] }] }),
    });
    expect(await unsigned.text()).toContain('"data":[18446744073709551615,0,12345678901234567890]');
  });

  it('parameters.timeout (µs) drops a request still queued past it with 503', async () => {
    const x = tensor('float32', [1, 4], 10);
    const held = server.server.registry.get('held').model;
    const late = postJson(`${server.url}/v2/models/held/infer`, { parameters: { timeout: 1000 }, inputs: [v2Input('x', x)] });
    await waitFor(() => held.stats().pending === 1, 10_000, 'the first request to be queued');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The second request releases the hold: the worker then finds the first one expired.
    const onTime = await postJson(`${server.url}/v2/models/held/infer`, { inputs: [v2Input('x', x)] });
    expect(onTime.status).toBe(200);
    const expired = await late;
    expect(expired.status).toBe(503);
    expect(expired.body.error).toMatch(/timed out in queue/);
  });

  it('the X-Proton-Timeout-Ms header does the same', async () => {
    const x = tensor('float32', [1, 4], 12);
    const held = server.server.registry.get('held_header').model;
    const late = postJson(`${server.url}/v2/models/held_header/infer`, { inputs: [v2Input('x', x)] }, { 'x-proton-timeout-ms': '1' });
    await waitFor(() => held.stats().pending === 1, 10_000, 'the first request to be queued');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const onTime = await postJson(`${server.url}/v2/models/held_header/infer`, { inputs: [v2Input('x', x)] });
    expect(onTime.status).toBe(200);
    const reference = await referenceRun(paths.dynamic_batch, { x });
    expectTensorClose({ type: 'float32', dims: [1, 3], data: Float32Array.from(onTime.body.outputs[0].data) }, reference.y);
    const expired = await late;
    expect(expired.status).toBe(503);
    expect(expired.body.error).toMatch(/timed out in queue/);
  });

  it('a client that disconnects gets its queued job dropped, and the server keeps serving', async () => {
    const x = tensor('float32', [1, 4], 11);
    const model = server.server.registry.get('cancel_held').model;
    const controller = new AbortController();
    const abandoned = fetch(`${server.url}/v2/models/cancel_held/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [v2Input('x', x)] }),
      signal: controller.signal,
    }).catch((error: Error) => error);
    await waitFor(() => model.stats().pending === 1, 10_000, 'the request to be queued');
    controller.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    await waitFor(async () => /code="CANCELLED"/.test(await (await fetch(`${server.url}/metrics`)).text()), 10_000, 'the abort');
    const reference = await referenceRun(paths.dynamic_batch, { x });
    const answers = await Promise.all([1, 2].map(() => infer('cancel_held', { inputs: [v2Input('x', x)] })));
    for (const answer of answers) expectTensorClose(answer.outputs.y, reference.y);
    expect(model.stats().inferences).toBe(2); // the abandoned job never ran
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { demoModels } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';
import { rawExchange, statusOf } from './helpers/raw-http';
import { errorOf, fetchJson, postJson, startRestServer, waitFor, type RestTestServer } from './helpers/rest-server';

/** Every error answers once, with the status of the one table and a message naming the problem. */

const MAX_BODY = 64 * 1024;
let server: RestTestServer;
let paths: Awaited<ReturnType<typeof demoModels>>;

beforeAll(async () => {
  paths = await demoModels();
  server = await startRestServer(
    {
      add: { path: paths.add },
      multi_io: { path: paths.multi_io },
      // Holds its single queue slot until close: the next request finds the queue full.
      tiny_queue: { path: paths.dynamic_batch, options: { queueCapacity: 1, holdUntilQueued: 1000 } },
    },
    { maxBodyBytes: MAX_BODY },
  );
});
afterAll(() => server?.close());

const a16 = Array.from({ length: 16 }, (_, i) => i);
const addInput = (name: string, extra: object = {}) => ({ name, datatype: 'FP32', shape: [1, 16], data: a16, ...extra });

async function expectError(promise: ReturnType<typeof fetchJson>, status: number, message: RegExp): Promise<void> {
  const { status: actual, body, headers } = await promise;
  expect(actual).toBe(status);
  expect(headers.get('content-type')).toBe('application/json');
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatch(message);
}

const infer = (model: string, request: unknown, headers: Record<string, string> = {}) =>
  postJson(`${server.url}/v2/models/${model}/infer`, request, headers);

describe('routing', () => {
  it('unknown paths answer 404 {"error":"Not Found"}', async () => {
    for (const path of ['/nope', '/v2/models/add/versions/1/nope', '/v2/health']) {
      expect(await fetchJson(`${server.url}${path}`)).toMatchObject({ status: 404, body: { error: 'Not Found' } });
    }
  });

  it('wrong methods answer 405 with Allow', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/predict', 'POST'],
      ['POST', '/models', 'GET'],
      ['DELETE', '/v2/models/add', 'GET'],
      ['GET', '/v2/models/add/infer', 'POST'],
      ['PUT', '/v2/health/ready', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      const { status, body, headers } = await fetchJson(`${server.url}${path}`, { method });
      expect(status, `${method} ${path}`).toBe(405);
      expect(body).toEqual({ error: 'Method Not Allowed' });
      expect(headers.get('allow')).toBe(allow);
    }
  });

  it('unknown models and versions answer 404 naming them', async () => {
    await expectError(fetchJson(`${server.url}/v2/models/resnet`), 404, /unknown model 'resnet'/);
    await expectError(fetchJson(`${server.url}/v2/models/resnet/ready`), 404, /unknown model 'resnet'/);
    await expectError(infer('resnet', { inputs: [] }), 404, /unknown model 'resnet'/);
    await expectError(fetchJson(`${server.url}/v2/models/add/versions/2`), 404, /model 'add' has no version '2'/);
    await expectError(
      postJson(`${server.url}/v2/models/add/versions/3/infer`, { inputs: [addInput('a'), addInput('b')] }),
      404,
      /no version '3'/,
    );
  });
});

describe('malformed requests answer 400 naming the problem', () => {
  it('malformed JSON and a non-object body', async () => {
    await expectError(infer('add', '{"inputs": ['), 400, /malformed JSON/);
    await expectError(infer('add', '[1,2]'), 400, /request body must be a JSON object/);
    await expectError(infer('add', { inputs: 'a' }), 400, /inputs must be an array/);
  });

  it('bad tensor descriptions', async () => {
    await expectError(infer('add', { inputs: [{ datatype: 'FP32', shape: [1], data: [1] }] }), 400, /inputs\[0\]\.name must be a non-empty string/);
    await expectError(infer('add', { inputs: [addInput('a', { datatype: 'FLOAT' })] }), 400, /input 'a': unknown datatype 'FLOAT'/);
    await expectError(infer('add', { inputs: [addInput('a', { shape: [1, -16] })] }), 400, /input 'a': shape must be an array of non-negative integers/);
    await expectError(infer('add', { inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 16] }] }), 400, /input 'a': has neither data nor/);
    await expectError(infer('add', { inputs: [addInput('a'), addInput('a')] }), 400, /input 'a' appears twice/);
    await expectError(infer('add', { id: 7, inputs: [] }), 400, /id must be a string/);
  });

  it('element count not matching the shape', async () => {
    await expectError(infer('add', { inputs: [addInput('a', { data: [1, 2, 3] }), addInput('b')] }), 400, /input 'a': shape \[1,16\] needs 16 elements, data has 3/);
  });

  it('values the datatype cannot hold', async () => {
    await expectError(
      infer('multi_io', {
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
          { name: 'k', datatype: 'INT64', shape: [2, 3], data: [1, 2, 3.5, 4, 5, 6] },
        ],
      }),
      400,
      /input 'k': element 2 of INT64 data is 3.5/,
    );
    await expectError(infer('add', { inputs: [addInput('a', { data: [...a16.slice(1), true] }), addInput('b')] }), 400, /element 15 of FP32 data is true, expected a number/);
  });

  it('a datatype, shape or input the model does not take (checked by the model)', async () => {
    await expectError(infer('add', { inputs: [addInput('a', { datatype: 'FP64' }), addInput('b')] }), 400, /input 'a'.*float32/);
    await expectError(infer('add', { inputs: [addInput('a', { shape: [2, 8] }), addInput('b')] }), 400, /input 'a'/);
    await expectError(infer('add', { inputs: [addInput('a')] }), 400, /missing input 'b'/);
    await expectError(infer('add', { inputs: [addInput('a'), addInput('b'), addInput('c')] }), 400, /'c'/);
    // A name that is special to plain JS objects is just another unknown input.
    await expectError(infer('add', { inputs: [addInput('a'), addInput('b'), addInput('__proto__')] }), 400, /unknown input '__proto__'/);
    await expectError(infer('add', { inputs: [addInput('a'), addInput('b'), addInput('constructor')] }), 400, /unknown input 'constructor'/);
  });

  it('unknown or duplicate requested outputs, unsupported extensions', async () => {
    await expectError(infer('add', { inputs: [addInput('a'), addInput('b')], outputs: [{ name: 'mean' }] }), 400, /unknown output 'mean' \(the model's outputs: sum\)/);
    await expectError(infer('add', { inputs: [addInput('a'), addInput('b')], outputs: [{ name: 'sum' }, { name: 'sum' }] }), 400, /output 'sum' is requested twice/);
    await expectError(
      infer('add', { inputs: [addInput('a'), addInput('b')], outputs: [{ name: 'sum', parameters: { classification: 3 } }] }),
      400,
      /classification extension is not supported/,
    );
  });

  it('bad timeouts', async () => {
    await expectError(infer('add', { parameters: { timeout: -5 }, inputs: [addInput('a'), addInput('b')] }), 400, /parameters\.timeout must be a non-negative integer/);
    await expectError(infer('add', { inputs: [addInput('a'), addInput('b')] }, { 'x-proton-timeout-ms': 'soon' }), 400, /invalid x-proton-timeout-ms header 'soon'/);
  });
});

describe('limits and framing', () => {
  it('a declared body over the limit answers 413 before it is sent', async () => {
    const { text, closed } = await rawExchange(
      server.port,
      `POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nContent-Length: ${MAX_BODY + 1}\r\n\r\n`,
    );
    expect(statusOf(text)).toBe(413);
    expect(text).toContain(`request body of ${MAX_BODY + 1} bytes exceeds the limit of ${MAX_BODY} bytes`);
    expect(closed).toBe(true);
  });

  it('a chunked body that grows over the limit answers 413', async () => {
    const big = JSON.stringify({ inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 16], data: new Array(MAX_BODY).fill(0) }] });
    const response = await fetch(`${server.url}/v2/models/add/infer`, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatch(/exceeds the limit of 65536 bytes/);
  });

  it('duplicate Content-Length or Transfer-Encoding headers answer 400 and close', async () => {
    const duplicateLength = await rawExchange(
      server.port,
      'POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}GET /',
    );
    expect(statusOf(duplicateLength.text)).toBe(400);
    expect(duplicateLength.text).toContain('duplicate content-length header');
    expect(duplicateLength.closed).toBe(true);
    const duplicateEncoding = await rawExchange(
      server.port,
      'POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(statusOf(duplicateEncoding.text)).toBe(400);
    expect(duplicateEncoding.text).toContain('duplicate transfer-encoding header');
  });

  it('Content-Length together with Transfer-Encoding is refused', async () => {
    const { text, closed } = await rawExchange(
      server.port,
      'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    // uWS itself drops such a request; either way it is never served.
    expect(statusOf(text) === undefined || statusOf(text) === 400).toBe(true);
    expect(closed).toBe(true);
  });
});

describe('load', () => {
  it('a full queue answers 503 at once; the queued request is still answered exactly once', async () => {
    const x = { name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] };
    const model = server.server.registry.get('tiny_queue').model;
    const queued = infer('tiny_queue', { inputs: [x] });
    await waitFor(() => model.stats().pending === 1, 10_000, 'the first request to be queued');
    const started = Date.now();
    await expectError(infer('tiny_queue', { inputs: [x] }), 503, /queue/i);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Closing the model settles the held request: with a result or with 503, never silence.
    await model.close();
    const settled = await queued;
    expect([200, 503]).toContain(settled.status);
  });

  it('the server still answers correctly after all of the above', async () => {
    const a = { type: 'float32' as const, dims: [1, 16], data: randomData('float32', 16, 41) as Float32Array };
    const reference = await referenceRun(paths.add, { a, b: a });
    const { status, body } = await infer('add', {
      inputs: [addInput('a', { data: Array.from(a.data) }), addInput('b', { data: Array.from(a.data) })],
    });
    expect(status).toBe(200);
    expectTensorClose({ type: 'float32', dims: [1, 16], data: Float32Array.from(body.outputs[0].data) }, reference.sum);
  });
});

import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TensorType } from '../ts/protocol/datatypes';
import type { Tensor } from '../ts/protocol/tensor';
import { demoModels, identityModel } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';
import { errorOf, startRestServer, type RestTestServer } from './helpers/rest-server';
import { binaryRequest, decodeInferResponse, jsonValues, rawBytes } from './helpers/v2-binary';

/** The binary tensor data extension, as Triton's and KServe's clients use it. */

let server: RestTestServer;
let paths: Awaited<ReturnType<typeof demoModels>>;
let identityFp16: string;
let identityBytes: string;

beforeAll(async () => {
  paths = await demoModels();
  identityFp16 = identityModel('float16');
  identityBytes = identityModel('string');
  server = await startRestServer({
    squeezenet: { path: paths['squeezenet1.0'] },
    multi_io: { path: paths.multi_io },
    dynamic_batch: { path: paths.dynamic_batch },
    identity_fp16: { path: identityFp16 },
    identity_bytes: { path: identityBytes },
  });
});
afterAll(() => server?.close());

function tensor(type: TensorType, dims: number[], seed: number): Tensor {
  return { type, dims, data: randomData(type, dims.reduce((a, b) => a * b, 1), seed) } as Tensor;
}

async function postBinary(model: string, header: object, blobs: Buffer[], extraHeaders: Record<string, string> = {}) {
  const { body, headers } = binaryRequest(header, blobs);
  return fetch(`${server.url}/v2/models/${model}/infer`, { method: 'POST', headers: { ...headers, ...extraHeaders }, body });
}

describe('binary inputs and outputs', () => {
  it('squeezenet: binary input, binary output (the tritonclient default), against the reference', async () => {
    const data = tensor('float32', [1, 3, 224, 224], 21);
    const response = await postBinary(
      'squeezenet',
      {
        inputs: [{ name: 'data', datatype: 'FP32', shape: [1, 3, 224, 224], parameters: { binary_data_size: 3 * 224 * 224 * 4 } }],
        parameters: { binary_data_output: true },
      },
      [rawBytes(data)],
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const decoded = await decodeInferResponse(response);
    expect(decoded.binaryOutputs).toEqual(['softmaxout_1']);
    expect(decoded.header.outputs[0]).toEqual({
      name: 'softmaxout_1',
      datatype: 'FP32',
      shape: [1, 1000],
      parameters: { binary_data_size: 4000 },
    });
    const reference = await referenceRun(paths['squeezenet1.0'], { data });
    expectTensorClose(decoded.outputs.softmaxout_1, reference.softmaxout_1);
  });

  it('mixes a binary input with a JSON input, and a binary output with a JSON output (per-output override)', async () => {
    const x = tensor('float32', [2, 3], 22);
    const k = tensor('int64', [2, 3], 23);
    const response = await postBinary(
      'multi_io',
      {
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [2, 3], data: jsonValues(x) },
          { name: 'k', datatype: 'INT64', shape: [2, 3], parameters: { binary_data_size: 48 } },
        ],
        outputs: [{ name: 'scaled', parameters: { binary_data: false } }, { name: 'positive' }],
        parameters: { binary_data_output: true },
      },
      [rawBytes(k)],
    );
    expect(response.status).toBe(200);
    const decoded = await decodeInferResponse(response);
    expect(decoded.binaryOutputs).toEqual(['positive']);
    expect(Array.isArray(decoded.header.outputs[0].data)).toBe(true);
    const reference = await referenceRun(paths.multi_io, { x, k });
    expectTensorClose(decoded.outputs.scaled, reference.scaled);
    expectTensorClose(decoded.outputs.positive, reference.positive);
  });

  it('binary inputs with JSON outputs answer application/json', async () => {
    const x = tensor('float32', [3, 4], 24);
    const response = await postBinary(
      'dynamic_batch',
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 4], parameters: { binary_data_size: 48 } }] },
      [rawBytes(x)],
    );
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('inference-header-content-length')).toBeNull();
    const reference = await referenceRun(paths.dynamic_batch, { x });
    expectTensorClose((await decodeInferResponse(response)).outputs.y, reference.y);
  });

  it('several binary inputs are read in order at any alignment', async () => {
    // An odd-length JSON header puts the first blob at an unaligned offset.
    const x = tensor('float32', [2, 3], 25);
    const k = tensor('int64', [2, 3], 26);
    for (const id of ['a', 'ab', 'abc', 'abcd']) {
      const response = await postBinary(
        'multi_io',
        {
          id,
          inputs: [
            { name: 'x', datatype: 'FP32', shape: [2, 3], parameters: { binary_data_size: 24 } },
            { name: 'k', datatype: 'INT64', shape: [2, 3], parameters: { binary_data_size: 48 } },
          ],
          outputs: [{ name: 'scaled', parameters: { binary_data: true } }],
        },
        [rawBytes(x), rawBytes(k)],
      );
      expect(response.status).toBe(200);
      const decoded = await decodeInferResponse(response);
      expect(decoded.header.id).toBe(id);
      const reference = await referenceRun(paths.multi_io, { x, k });
      expectTensorClose(decoded.outputs.scaled, reference.scaled);
    }
  });

  it('FP16 travels in binary both ways', async () => {
    const x = tensor('float16', [2, 3], 27);
    const response = await postBinary(
      'identity_fp16',
      { inputs: [{ name: 'x', datatype: 'FP16', shape: [2, 3], parameters: { binary_data_size: 12 } }], outputs: [{ name: 'y', parameters: { binary_data: true } }] },
      [rawBytes(x)],
    );
    expect(response.status).toBe(200);
    const reference = await referenceRun(identityFp16, { x });
    expectTensorClose((await decodeInferResponse(response)).outputs.y, reference.y);
  });

  it('FP16 in JSON is rejected both ways with 400', async () => {
    const x = tensor('float16', [1, 3], 28);
    const asJson = await fetch(`${server.url}/v2/models/identity_fp16/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 3], data: [1, 2, 3] }] }),
    });
    expect(asJson.status).toBe(400);
    expect(await errorOf(asJson)).toMatch(/input 'x': FP16 data cannot be sent as JSON/);
    const jsonOutput = await postBinary(
      'identity_fp16',
      { inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 3], parameters: { binary_data_size: 6 } }] },
      [rawBytes(x)],
    );
    expect(jsonOutput.status).toBe(400);
    expect(await errorOf(jsonOutput)).toMatch(/output 'y' is FP16, which JSON cannot carry/);
  });

  it('BYTES elements carry 4-byte little-endian length prefixes', async () => {
    const x: Tensor = { type: 'string', dims: [2, 3], data: ['', 'a', 'héllo', 'x'.repeat(300), '日本', 'z'] };
    const response = await postBinary(
      'identity_bytes',
      { inputs: [{ name: 'x', datatype: 'BYTES', shape: [2, 3], parameters: { binary_data_size: rawBytes(x).length } }], parameters: { binary_data_output: true } },
      [rawBytes(x)],
    );
    expect(response.status).toBe(200);
    const reference = await referenceRun(identityBytes, { x });
    const decoded = await decodeInferResponse(response);
    expect(decoded.binaryOutputs).toEqual(['y']);
    expectTensorClose(decoded.outputs.y, reference.y);
  });

  it('a raw binary request (Inference-Header-Content-Length: 0) is the single input, all outputs binary', async () => {
    const x = tensor('float32', [2, 4], 29);
    const response = await fetch(`${server.url}/v2/models/dynamic_batch/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': '0', 'content-type': 'application/octet-stream' },
      body: rawBytes(x),
    });
    expect(response.status).toBe(200);
    const decoded = await decodeInferResponse(response);
    expect(decoded.binaryOutputs).toEqual(['y']);
    const reference = await referenceRun(paths.dynamic_batch, { x });
    expectTensorClose(decoded.outputs.y, reference.y);
  });

  it('accepts a gzip-compressed body (Content-Encoding: gzip)', async () => {
    const x = tensor('float32', [3, 4], 30);
    const { body, headers } = binaryRequest(
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 4], parameters: { binary_data_size: 48 } }] },
      [rawBytes(x)],
    );
    const response = await fetch(`${server.url}/v2/models/dynamic_batch/infer`, {
      method: 'POST',
      headers: { ...headers, 'content-encoding': 'gzip' },
      body: gzipSync(body),
    });
    expect(response.status).toBe(200);
    const reference = await referenceRun(paths.dynamic_batch, { x });
    expectTensorClose((await decodeInferResponse(response)).outputs.y, reference.y);
  });
});

describe('a header sent again (clients repeat theirs; the server keeps its parse)', () => {
  const header = { inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 4], parameters: { binary_data_size: 48 } }] };

  it('each request is answered from its own tensors, and its own framing errors', async () => {
    for (const seed of [40, 41, 42]) {
      const x = tensor('float32', [3, 4], seed);
      const response = await postBinary('dynamic_batch', header, [rawBytes(x)]);
      expect(response.status).toBe(200);
      const reference = await referenceRun(paths.dynamic_batch, { x });
      expectTensorClose((await decodeInferResponse(response)).outputs.y, reference.y);
    }
    const short = await postBinary('dynamic_batch', header, [rawBytes(tensor('float32', [3, 4], 43)).subarray(0, 44)]);
    expect(short.status).toBe(400);
    expect(await errorOf(short)).toMatch(/declare 48 bytes in binary_data_size but the body carries 44 bytes/);
    const x = tensor('float32', [3, 4], 44);
    const again = await postBinary('dynamic_batch', header, [rawBytes(x)]);
    expect(again.status).toBe(200);
    expectTensorClose((await decodeInferResponse(again)).outputs.y, (await referenceRun(paths.dynamic_batch, { x })).y);
  });

  it('a repeated header with an id answers each request with its id', async () => {
    for (const id of ['first', 'second']) {
      const x = tensor('float32', [3, 4], 45);
      const response = await postBinary('dynamic_batch', { ...header, id }, [rawBytes(x)]);
      expect(response.status).toBe(200);
      expect((await decodeInferResponse(response)).header.id).toBe(id);
    }
  });
});

describe('binary framing errors answer 400 naming the problem', () => {
  const x = tensor('float32', [3, 4], 31);
  const header = (size: number) => ({ inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 4], parameters: { binary_data_size: size } }] });

  it('declared sizes that do not add up to the binary section', async () => {
    const response = await postBinary('dynamic_batch', header(44), [rawBytes(x)]);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/declare 44 bytes in binary_data_size but the body carries 48 bytes/);
  });

  it('a binary size that does not match the shape', async () => {
    const response = await postBinary('dynamic_batch', header(44), [rawBytes(x).subarray(0, 44)]);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/input 'x': expected 48 bytes for float32 \[3,4\], received 44/);
  });

  it('an inference header longer than the body', async () => {
    const response = await fetch(`${server.url}/v2/models/dynamic_batch/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': '1000' },
      body: JSON.stringify(header(48)),
    });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/inference-header-content-length is 1000 but the body has only \d+ bytes/);
  });

  it('data and binary_data_size together', async () => {
    const response = await postBinary(
      'dynamic_batch',
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 4], data: jsonValues(x), parameters: { binary_data_size: 48 } }] },
      [rawBytes(x)],
    );
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/input 'x': has both data and binary_data_size/);
  });

  it('a truncated BYTES element', async () => {
    const broken = Buffer.from([5, 0, 0, 0, 0x61, 0x62]);
    const response = await postBinary(
      'identity_bytes',
      { inputs: [{ name: 'x', datatype: 'BYTES', shape: [1, 3], parameters: { binary_data_size: broken.length } }] },
      [broken],
    );
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/input 'x': BYTES element 0 runs past the end/);
  });

  it('a raw binary request whose size does not fill the shape', async () => {
    const response = await fetch(`${server.url}/v2/models/dynamic_batch/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': '0' },
      body: Buffer.alloc(20),
    });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/input 'x': 20 bytes do not fill shape \[N,4\]/);
  });
});

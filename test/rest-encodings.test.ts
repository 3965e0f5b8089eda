import { describe, expect, it } from 'vitest';
import type { HttpReply } from '../ts/client/http-exchange';
import type { NamedTensor } from '../ts/client/input-generator';
import type { ModelSpec } from '../ts/client/model-spec';
import { decodeRestAnswer, encodeRestRequest } from '../ts/client/rest-encodings';

const SPEC: ModelSpec = {
  name: 'multi_io',
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [2, 3] },
    { name: 'k', datatype: 'INT64', shape: [2, 3] },
  ],
  outputs: [
    { name: 'scaled', datatype: 'FP32', shape: [2, 3] },
    { name: 'positive', datatype: 'BOOL', shape: [2, 3] },
  ],
};

const INPUTS: NamedTensor[] = [
  { name: 'x', type: 'float32', dims: [2, 3], data: Float32Array.of(0.5, 1, 1.5, 2, 2.5, 3) },
  { name: 'k', type: 'int64', dims: [2, 3], data: BigInt64Array.of(0n, 1n, 2n, 3n, 4n, 5n) },
];

function reply(body: Buffer, headers: HttpReply['headers'] = {}): HttpReply {
  return { status: 200, headers, body };
}

describe('encodeRestRequest', () => {
  it('binary: a JSON header naming each blob size, then the blobs in input order', () => {
    const request = encodeRestRequest('binary', SPEC, INPUTS);
    const headerLength = Number(request.headers['inference-header-content-length']);
    const header = JSON.parse(request.body.subarray(0, headerLength).toString()) as { inputs: unknown[]; parameters: unknown };
    expect(request.path).toBe('/v2/models/multi_io/infer');
    expect(header).toEqual({
      inputs: [
        { name: 'x', shape: [2, 3], datatype: 'FP32', parameters: { binary_data_size: 24 } },
        { name: 'k', shape: [2, 3], datatype: 'INT64', parameters: { binary_data_size: 48 } },
      ],
      parameters: { binary_data_output: true },
    });
    expect(request.body.byteLength).toBe(headerLength + 24 + 48);
    expect(request.body.readFloatLE(headerLength + 4)).toBe(1);
    expect(request.body.readBigInt64LE(headerLength + 24 + 8 * 5)).toBe(5n);
  });

  it('json: flat data, INT64 as numbers', () => {
    const request = encodeRestRequest('json', SPEC, INPUTS);
    expect(JSON.parse(request.body.toString())).toEqual({
      inputs: [
        { name: 'x', shape: [2, 3], datatype: 'FP32', data: [0.5, 1, 1.5, 2, 2.5, 3] },
        { name: 'k', shape: [2, 3], datatype: 'INT64', data: [0, 1, 2, 3, 4, 5] },
      ],
    });
  });

  it('predict: the original body with data nested to the input shape', () => {
    const spec: ModelSpec = { ...SPEC, name: 'mlp', inputs: [SPEC.inputs[0]!] };
    const request = encodeRestRequest('predict', spec, [INPUTS[0]!]);
    expect(request.path).toBe('/predict');
    expect(JSON.parse(request.body.toString())).toEqual({ model_name: 'mlp', data: [[0.5, 1, 1.5], [2, 2.5, 3]] });
  });
});

describe('decodeRestAnswer', () => {
  it('binary: reads blobs that start at any offset, mixed with JSON outputs', () => {
    // A 3-byte-padded header puts the FP32 blob at an offset that is not a multiple of 4.
    for (const padding of ['', ' ', '  ', '   ']) {
      const header = Buffer.from(
        JSON.stringify({
          outputs: [
            { name: 'scaled', datatype: 'FP32', shape: [2, 3], parameters: { binary_data_size: 24 } },
            { name: 'positive', datatype: 'BOOL', shape: [2, 3], data: [[true, false, true], [false, true, false]] },
          ],
        }) + padding,
      );
      const blob = Buffer.alloc(24);
      [1, 2, 3, 4, 5, 6].forEach((value, index) => blob.writeFloatLE(value / 4, index * 4));
      const body = Buffer.concat([header, blob]);
      const outputs = decodeRestAnswer('binary', SPEC, reply(body, { 'inference-header-content-length': String(header.byteLength) }));
      const decoded = outputs.map((output) => [output.name, output.type, output.dims, Array.from(output.data as ArrayLike<number>)]);
      expect(decoded).toEqual([
        ['scaled', 'float32', [2, 3], [0.25, 0.5, 0.75, 1, 1.25, 1.5]],
        ['positive', 'bool', [2, 3], [1, 0, 1, 0, 1, 0]],
      ]);
    }
  });

  it('predict: the first output, typed by the metadata, shaped by the nesting', () => {
    const body = Buffer.from(JSON.stringify({ prediction_id: 'a-uuid', model_name: 'multi_io', data: [[1, 2, 3], [4, 5, 6]] }));
    const [output] = decodeRestAnswer('predict', SPEC, reply(body));
    expect(output).toMatchObject({ name: 'scaled', type: 'float32', dims: [2, 3] });
    expect(Array.from(output!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects an inference header length beyond the body', () => {
    const truncated = reply(Buffer.from('{}'), { 'inference-header-content-length': '10' });
    expect(() => decodeRestAnswer('binary', SPEC, truncated)).toThrow(/invalid inference-header-content-length/);
  });
});

import { execFileSync } from 'node:child_process';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { TENSOR_TYPES, contentsFieldOf, toV2Datatype, type TensorType } from '../ts/protocol/datatypes';
import { jsonToTensorData, parseJsonBody, tensorDataJson } from '../ts/protocol/json-codec';
import { decodeRawTensor, encodeRawTensor } from '../ts/protocol/raw-codec';
import { bytesOf, elementCount, type Tensor } from '../ts/protocol/tensor';
import { typedContents } from './grpc-test-support';
import { decodeThroughWire } from './helpers/grpc-wire-decode';

/** Shapes of rank 0..4 with small dimensions, zero-size ones included, and so empty tensors. */
const dims = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });

const elementOf: { [T in TensorType]: fc.Arbitrary<unknown> } = {
  float32: fc.float({ noDefaultInfinity: false, noNaN: false }),
  float64: fc.double(),
  float16: fc.integer({ min: 0, max: 0xffff }),
  int8: fc.integer({ min: -128, max: 127 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  int32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  int64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  uint8: fc.integer({ min: 0, max: 255 }),
  uint16: fc.integer({ min: 0, max: 65535 }),
  uint32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  uint64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  bool: fc.integer({ min: 0, max: 1 }),
  string: fc.uint8Array({ maxLength: 12 }),
};

function tensorOf(type: TensorType, shape: number[], values: unknown[]): Tensor {
  if (type === 'string') return { type, dims: shape, data: values as Uint8Array[] };
  const arrays: Record<string, { from(values: unknown[]): unknown }> = {
    float32: Float32Array, float64: Float64Array, float16: Uint16Array, int8: Int8Array, int16: Int16Array,
    int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array,
    uint64: BigUint64Array, bool: Uint8Array,
  };
  return { type, dims: shape, data: arrays[type]!.from(values) } as Tensor;
}

const tensorArb = (type: TensorType): fc.Arbitrary<Tensor> =>
  dims.chain((shape) =>
    fc.array(elementOf[type], { minLength: elementCount(shape), maxLength: elementCount(shape) }).map((values) => tensorOf(type, shape, values)),
  );

/** Element values in a form where NaN equals NaN, -0 differs from 0 and BYTES compare as bytes. */
function comparable(tensor: { type: TensorType; data: Tensor['data'] }): string[] {
  if (tensor.type === 'string') return (tensor.data as Array<string | Uint8Array>).map((e) => Buffer.from(bytesOf(e)).toString('hex'));
  return Array.from(tensor.data as ArrayLike<number | bigint>, (v) => (Object.is(v, -0) ? '-0' : String(v)));
}

/**
 * What V2 JSON can carry: BYTES as valid UTF-8 text; INT64/UINT64 within ±2^53, because our JSON
 * parser (JSON.parse) reads numbers as doubles; beyond that clients send decimal strings, and the
 * writer's digits are checked separately below.
 */
function jsonTensorArb(type: TensorType): fc.Arbitrary<Tensor> {
  const sized = (element: fc.Arbitrary<unknown>, make: (values: unknown[], shape: number[]) => Tensor) =>
    dims.chain((shape) => fc.array(element, { minLength: elementCount(shape), maxLength: elementCount(shape) }).map((values) => make(values, shape)));
  if (type === 'string') {
    return sized(fc.string({ unit: 'grapheme' }), (values, shape) => ({ type, dims: shape, data: values.map((v) => new TextEncoder().encode(v as string)) }));
  }
  if (type === 'int64' || type === 'uint64') {
    const min = type === 'int64' ? -(2n ** 53n) + 1n : 0n;
    return sized(fc.bigInt({ min, max: 2n ** 53n - 1n }), (values, shape) => tensorOf(type, shape, values));
  }
  return tensorArb(type);
}

it('INT64/UINT64 JSON text keeps every digit, and decimal strings read back exactly', () => {
  const int64: Tensor = { type: 'int64', dims: [2], data: BigInt64Array.of(-(2n ** 63n), 2n ** 62n + 1n) };
  const uint64: Tensor = { type: 'uint64', dims: [1], data: BigUint64Array.of(2n ** 64n - 1n) };
  expect(tensorDataJson(int64, 't')).toBe('[-9223372036854775808,4611686018427387905]');
  expect(tensorDataJson(uint64, 't')).toBe('[18446744073709551615]');
  expect(jsonToTensorData('uint64', ['18446744073709551615'], 't')).toEqual(uint64.data);
});

describe.each(TENSOR_TYPES)('%s codecs: decode(encode(t)) is t', (type) => {
  it('raw (V2 binary extension and gRPC raw contents)', () => {
    fc.assert(
      fc.property(tensorArb(type), (tensor) => {
        // A copy at an odd offset, as a slice of a received message can be.
        const encoded = encodeRawTensor(tensor);
        const shifted = new Uint8Array(encoded.byteLength + 1).subarray(1);
        shifted.set(encoded);
        const decoded = decodeRawTensor(type, tensor.dims, shifted, 't');
        expect(comparable({ type, data: decoded })).toEqual(comparable(tensor));
      }),
    );
  });

  // FP16 has neither typed contents nor JSON: its refusals are tested below.
  if (contentsFieldOf(type) === null) return;

  it('gRPC typed contents (encoded by protobufjs, read by the server wire decoder)', async () => {
    await fc.assert(
      fc.asyncProperty(tensorArb(type), async (tensor) => {
        const input = { name: 't', datatype: toV2Datatype(type), shape: tensor.dims.map(String), contents: typedContents(tensor) };
        const decoded = (await decodeThroughWire([input])).t as Tensor;
        expect(comparable({ type, data: decoded.data })).toEqual(comparable(tensor));
      }),
    );
  });

  it('V2 JSON (text through our writer and parser)', () => {
    fc.assert(
      fc.property(jsonTensorArb(type), (tensor) => {
        const values = parseJsonBody(tensorDataJson(tensor, 't')) as unknown[];
        const decoded = jsonToTensorData(type, values, 't');
        expect(comparable({ type, data: decoded })).toEqual(comparable(tensor));
      }),
    );
  });
});

it('FP16 is the one type without typed contents or JSON (both refused with a message)', async () => {
  const tensor: Tensor = { type: 'float16', dims: [1], data: Uint16Array.of(0x3c00) };
  const input = { name: 'y', datatype: 'FP16', shape: ['1'], contents: { uint_contents: [0x3c00] } };
  await expect(decodeThroughWire([input])).rejects.toThrow(/no typed contents field/);
  expect(() => tensorDataJson(tensor, "output 'y'")).toThrow(/binary_data/);
});

it("the JSON float text is what Python's json reads back, sign of zero and NaN included", () => {
  const data = Float64Array.of(-0, 0, Number.NaN, Infinity, -Infinity, 1e-310, -1.5e300, 0.1);
  const text = tensorDataJson({ type: 'float64', dims: [data.length], data }, 't');
  const script = 'import json,sys\nprint(json.dumps([repr(x) for x in json.loads(sys.stdin.read())]))';
  const reprs = JSON.parse(execFileSync('python3', ['-c', script], { input: text }).toString()) as string[];
  expect(reprs).toEqual(['-0.0', '0', 'nan', 'inf', '-inf', '1e-310', '-1.5e+300', '0.1']);
});

import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODELS_DIR, ensureDemoModels, type DemoModelName } from '../ts/onnx/demo-models';
import { uniformValues } from '../ts/onnx/model-builder';
import { seededRandom } from '../ts/seeded-random';
import { decodeTensorProto, encodeTensorProto, tensorFromProto } from '../ts/onnx/tensor-proto';
import type { Tensor } from '../ts/protocol/tensor';

let paths: Record<DemoModelName, string>;

beforeAll(async () => {
  paths = await ensureDemoModels(DEMO_MODELS_DIR);
});

/** The model's initializers, read back from the file: the references below use the very weights ORT runs. */
function weightsOf(name: DemoModelName): Map<string, Float32Array> {
  const graph = onnx.ModelProto.decode(readFileSync(paths[name])).graph!;
  return new Map(graph.initializer!.map((proto) => [proto.name!, tensorFromProto(proto).data as Float32Array]));
}

function declaredShape(name: DemoModelName, input: string): Array<number | string> {
  const graph = onnx.ModelProto.decode(readFileSync(paths[name])).graph!;
  const info = graph.input!.find((value) => value.name === input)!;
  return info.type!.tensorType!.shape!.dim!.map((dim) => (dim.dimParam ? dim.dimParam : Number(dim.dimValue)));
}

async function run(name: DemoModelName, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(paths[name], { intraOpNumThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Plain row-major `x[rows, k] · w[k, cols] + bias[cols]`, in float64. */
function affine(x: ArrayLike<number>, rows: number, w: Float32Array, bias: Float32Array, cols: number): Float64Array {
  const k = w.length / cols;
  const out = new Float64Array(rows * cols);
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      let sum = bias[col]!;
      for (let inner = 0; inner < k; inner++) sum += x[row * k + inner]! * w[inner * cols + col]!;
      out[row * cols + col] = sum;
    }
  }
  return out;
}

const relu = (values: Float64Array): Float64Array => values.map((value) => Math.max(0, value));

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < expected.length; index++) {
    const scale = Math.max(1, Math.abs(expected[index]!));
    expect(Math.abs(actual[index]! - expected[index]!), `element ${index}`).toBeLessThanOrEqual(tolerance * scale);
  }
}

describe('demo models run in onnxruntime-node and match a plain TypeScript reference', () => {
  it('add: sum = a + b, exactly', async () => {
    const random = seededRandom(100);
    const a = uniformValues(random, 16, 10);
    const b = uniformValues(random, 16, 10);
    const { sum } = await run('add', { a: new ort.Tensor('float32', a, [1, 16]), b: new ort.Tensor('float32', b, [1, 16]) });
    expect(sum!.dims).toEqual([1, 16]);
    expect(Array.from(sum!.data as Float32Array)).toEqual(Array.from(a, (value, index) => Math.fround(value + b[index]!)));
  });

  it('mlp: three Gemm layers with Relu, dynamic batch', async () => {
    expect(declaredShape('mlp', 'x')).toEqual(['batch', 256]);
    const weights = weightsOf('mlp');
    const batch = 3;
    const x = uniformValues(seededRandom(101), batch * 256, 1);
    const { y } = await run('mlp', { x: new ort.Tensor('float32', x, [batch, 256]) });
    const hidden1 = relu(affine(x, batch, weights.get('w1')!, weights.get('b1')!, 1024));
    const hidden2 = relu(affine(hidden1, batch, weights.get('w2')!, weights.get('b2')!, 1024));
    const expected = affine(hidden2, batch, weights.get('w3')!, weights.get('b3')!, 10);
    expect(y!.dims).toEqual([batch, 10]);
    expectClose(y!.data as Float32Array, expected, 1e-4);
  });

  it('multi_io: float32 and int64 in, float32 and bool out, exactly', async () => {
    const x = new Float32Array([1.5, -2.25, 3, 0.1, 7, -0.5]);
    const k = new BigInt64Array([2n, -3n, 0n, 5n, -1n, 4n]);
    const { scaled, positive } = await run('multi_io', { x: new ort.Tensor('float32', x, [2, 3]), k: new ort.Tensor('int64', k, [2, 3]) });
    expect(scaled!.type).toBe('float32');
    expect(Array.from(scaled!.data as Float32Array)).toEqual(Array.from(x, (value, index) => Math.fround(value * Number(k[index]))));
    expect(positive!.type).toBe('bool');
    expect(positive!.dims).toEqual([2, 3]);
    expect(Array.from(positive!.data as Uint8Array, Boolean)).toEqual(Array.from(k, (value) => value > 0n));
  });

  it.each([1, 5])('dynamic_batch: sigmoid(x · w + bias) for batch %i', async (batch) => {
    expect(declaredShape('dynamic_batch', 'x')).toEqual(['N', 4]);
    const weights = weightsOf('dynamic_batch');
    const x = uniformValues(seededRandom(102 + batch), batch * 4, 2);
    const { y } = await run('dynamic_batch', { x: new ort.Tensor('float32', x, [batch, 4]) });
    const expected = affine(x, batch, weights.get('w')!, weights.get('bias')!, 3).map((value) => 1 / (1 + Math.exp(-value)));
    expect(y!.dims).toEqual([batch, 3]);
    expectClose(y!.data as Float32Array, expected, 1e-6);
  });

  it('squeezenet1.0: 1x1000 finite probabilities summing to 1', async () => {
    expect(declaredShape('squeezenet1.0', 'data')).toEqual([1, 3, 224, 224]);
    const data = uniformValues(seededRandom(103), 3 * 224 * 224, 1);
    const { softmaxout_1: probabilities } = await run('squeezenet1.0', { data: new ort.Tensor('float32', data, [1, 3, 224, 224]) });
    expect(probabilities!.dims).toEqual([1, 1000]);
    const values = Array.from(probabilities!.data as Float32Array);
    expect(values.every((value) => Number.isFinite(value) && value >= 0)).toBe(true);
    expect(values.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 4);
    // Seeded weights must still separate the classes: a uniform output would mean dead activations.
    expect(Math.max(...values)).toBeGreaterThan(2 / 1000);
  });
});

describe('tensor-proto', () => {
  const samples: Tensor[] = [
    { type: 'float32', dims: [2, 2], data: new Float32Array([1, -2.5, Number.NaN, Number.POSITIVE_INFINITY]) },
    { type: 'float64', dims: [3], data: new Float64Array([0.1, -1e300, 5]) },
    { type: 'float16', dims: [2], data: new Uint16Array([0x3c00, 0xc000]) },
    { type: 'int8', dims: [2], data: new Int8Array([-128, 127]) },
    { type: 'int16', dims: [1], data: new Int16Array([-300]) },
    { type: 'int32', dims: [1, 1], data: new Int32Array([-7]) },
    { type: 'int64', dims: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 62n]) },
    { type: 'uint8', dims: [1], data: new Uint8Array([255]) },
    { type: 'uint16', dims: [1], data: new Uint16Array([65535]) },
    { type: 'uint32', dims: [1], data: new Uint32Array([4294967295]) },
    { type: 'uint64', dims: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
    { type: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) },
    { type: 'string', dims: [3], data: [new TextEncoder().encode('héllo'), new Uint8Array(0), Uint8Array.of(0x61, 0, 0xff)] },
    { type: 'float32', dims: [], data: new Float32Array([3]) },
    { type: 'int32', dims: [0, 3], data: new Int32Array(0) },
  ];

  it.each(samples.map((tensor) => [`${tensor.type} [${tensor.dims.join(',')}]`, tensor] as const))('round-trips %s', (_, tensor) => {
    expect(decodeTensorProto(encodeTensorProto(tensor, 'sample'))).toEqual(tensor);
  });

  it('writes string elements as their UTF-8 bytes, NUL included', () => {
    const decoded = decodeTensorProto(encodeTensorProto({ type: 'string', dims: [2], data: ['a\u0000b', 'é'] }));
    expect((decoded.data as Uint8Array[]).map((e) => Buffer.from(e).toString('hex'))).toEqual(['610062', 'c3a9']);
  });

  it('reads the typed fields, with int32_data carrying narrow types and 64-bit values as Long', () => {
    const decode = (proto: onnx.ITensorProto): Tensor => decodeTensorProto(onnx.TensorProto.encode(proto).finish());
    expect(decode({ dataType: 1, dims: [2], floatData: [1.5, -2] }).data).toEqual(new Float32Array([1.5, -2]));
    expect(decode({ dataType: 3, dims: [2], int32Data: [-5, 6] }).data).toEqual(new Int8Array([-5, 6]));
    expect(decode({ dataType: 9, dims: [2], int32Data: [1, 0] })).toEqual({ type: 'bool', dims: [2], data: new Uint8Array([1, 0]) });
    expect(decode({ dataType: 10, dims: [1], int32Data: [0x3c00] }).data).toEqual(new Uint16Array([0x3c00]));
    // 2^53 + 1 does not fit a double: it must arrive as a Long (high and low 32-bit halves).
    const beyondDouble = { low: 1, high: 0x200000, unsigned: false } as unknown as number;
    expect(decode({ dataType: 7, dims: [2], int64Data: [-1, beyondDouble] }).data).toEqual(
      new BigInt64Array([-1n, 9007199254740993n]),
    );
    expect(decode({ dataType: 12, dims: [1], uint64Data: [4000000000] }).data).toEqual(new Uint32Array([4000000000]));
    expect(decode({ dataType: 11, dims: [1], doubleData: [0.1] }).data).toEqual(new Float64Array([0.1]));
  });

  it('rejects unsupported element types and protos that are not tensors', () => {
    const bytes = (proto: onnx.ITensorProto): Uint8Array => onnx.TensorProto.encode(proto).finish();
    expect(() => decodeTensorProto(bytes({ dataType: 16, dims: [1], int32Data: [0] }))).toThrow(/bfloat16 is not supported/);
    expect(() => decodeTensorProto(bytes({ dataType: 14, dims: [1], floatData: [0, 0] }))).toThrow(/complex64 is not supported/);
    expect(() => decodeTensorProto(bytes({ dataType: 1, dims: [3], floatData: [1] }))).toThrow(/not a valid TensorProto/);
    expect(() => decodeTensorProto(bytes({ dataType: 1, segment: { begin: 0, end: 1 } }))).toThrow(/SequenceProto/);
  });
});

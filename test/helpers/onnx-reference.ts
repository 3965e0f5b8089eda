import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

import type { TensorType } from '../../ts/protocol/datatypes';
import { bytesOf, type BytesElement, type Tensor } from '../../ts/protocol/tensor';
import { TYPED_ARRAY_OF } from '../../ts/protocol/datatypes';
import { seededRandom } from '../../ts/seeded-random';
import { toOrtTensor } from './ort-tensor';

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** onnxruntime-node's session for a model file, created once per test process. */
export function referenceSession(path: string): Promise<ort.InferenceSession> {
  let session = sessions.get(path);
  if (!session) {
    session = ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    sessions.set(path, session);
  }
  return session;
}

/** Runs onnxruntime-node on the same inputs: the independent reference for Proton's outputs. */
export async function referenceRun(path: string, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  const session = await referenceSession(path);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(inputs)) {
    feeds[name] = toOrtTensor(tensor);
  }
  const results = await session.run(feeds);
  const outputs: Record<string, Tensor> = {};
  for (const [name, value] of Object.entries(results)) {
    outputs[name] = { type: value.type as TensorType, dims: [...value.dims], data: value.data } as Tensor;
  }
  return outputs;
}

/** Deterministic data of any type (integers kept small so every type holds them). */
export function randomData(type: TensorType, count: number, seed: number): Tensor['data'] {
  const random = seededRandom(seed);
  if (type === 'string') return Array.from({ length: count }, (_, i) => `s${i}-${Math.floor(random() * 1000)}`);
  if (type === 'bool') return Uint8Array.from({ length: count }, () => (random() < 0.5 ? 1 : 0));
  if (type === 'int64') return BigInt64Array.from({ length: count }, () => BigInt(Math.floor(random() * 200) - 100));
  if (type === 'uint64') return BigUint64Array.from({ length: count }, () => BigInt(Math.floor(random() * 200)));
  if (type === 'float16') return Uint16Array.from({ length: count }, () => 0x3c00 + Math.floor(random() * 0x300));
  const ArrayType = TYPED_ARRAY_OF[type] as Float32ArrayConstructor;
  const signed = !type.startsWith('uint');
  const floating = type.startsWith('float');
  return ArrayType.from({ length: count }, () => {
    const value = random() * 100 - (signed ? 50 : 0);
    return floating ? value : Math.floor(value);
  });
}

/** Asserts two tensors are equal: exactly, or within `tolerance` (relative + absolute) for floats. */
export function expectTensorClose(actual: Tensor | undefined, expected: Tensor | undefined, tolerance = 0): void {
  expect(actual).toBeDefined();
  expect(expected).toBeDefined();
  expect(actual!.type).toBe(expected!.type);
  expect([...actual!.dims]).toEqual([...expected!.dims]);
  if (expected!.type === 'string') {
    // BYTES compare as bytes: Proton answers Uint8Arrays, onnxruntime-node strings.
    const hex = (data: Tensor['data']): string[] => (data as BytesElement[]).map((e) => Buffer.from(bytesOf(e)).toString('hex'));
    expect(hex(actual!.data)).toEqual(hex(expected!.data));
    return;
  }
  expect(actual!.data.constructor).toBe(expected!.data.constructor);
  const a = Array.from(actual!.data as ArrayLike<number | bigint | string>);
  const b = Array.from(expected!.data as ArrayLike<number | bigint | string>);
  expect(a.length).toBe(b.length);
  if (tolerance === 0) {
    expect(a).toEqual(b);
    return;
  }
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (Math.abs(x - y) > tolerance * (1 + Math.abs(y))) {
      expect.fail(`element ${i}: ${x} differs from the reference ${y} by more than ${tolerance}`);
    }
  }
}

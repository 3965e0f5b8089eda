import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Model, ProtonError, type Tensor } from '../ts/index';
import { addRequest, demoModels } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';

let paths: Awaited<ReturnType<typeof demoModels>>;
const opened: Model[] = [];

beforeAll(async () => {
  paths = await demoModels();
});
afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
});

async function expectServes(path: string): Promise<void> {
  const model = await Model.load(path);
  opened.push(model);
  const outputs = await model.infer(addRequest(5));
  expect(outputs.sum!.data).toEqual(Float32Array.from({ length: 16 }, (_, k) => 2 * (5 + k)));
}

describe('native fault handling', () => {
  it('a thread that cannot be created fails the load with RESOURCE_EXHAUSTED, not the process', async () => {
    const error = await Model.load(paths.add, { testFailThreadStart: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtonError);
    expect((error as ProtonError).code).toBe('RESOURCE_EXHAUSTED');
    expect((error as ProtonError).message).toMatch(/could not start the model's thread/);
    await expectServes(paths.add);
  });

  it('a later instance whose thread cannot be created fails the load after the first one loaded', async () => {
    const error = await Model.load(paths.mlp, { instances: 3, testFailThreadStart: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtonError);
    expect((error as ProtonError).code).toBe('RESOURCE_EXHAUSTED');
    expect((error as ProtonError).message).toMatch(/could not start the model's threads/);
    await expectServes(paths.add);
  });

  it('a settle that throws rejects that one request; the rest of the same wake-up still settle', async () => {
    const n = 10;
    // One batch of ten: every completion arrives in one wake-up of the JS thread.
    const model = await Model.load(paths.mlp, { maxBatchSize: n, holdUntilQueued: n, testThrowOnSettle: 3 });
    opened.push(model);
    const request = (i: number): Record<string, Tensor> => ({
      x: { type: 'float32', dims: [1, 256], data: randomData('float32', 256, i) as Float32Array },
    });
    const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => model.infer(request(i))));
    expect(model.stats().executions).toBe(1);
    expect(settled.map((s) => s.status)).toEqual(settled.map((_, i) => (i === 3 ? 'rejected' : 'fulfilled')));
    const failure = (settled[3] as PromiseRejectedResult).reason as ProtonError;
    expect(failure).toBeInstanceOf(ProtonError);
    expect(failure.code).toBe('INTERNAL');
    expect(failure.message).toMatch(/returning the outputs failed/);
    for (const i of [0, 4, n - 1]) {
      const expected = await referenceRun(paths.mlp, request(i));
      expectTensorClose((settled[i] as PromiseFulfilledResult<Record<string, Tensor>>).value.y, expected.y, 1e-5);
    }
    // The model keeps serving afterwards.
    const again = await model.infer(request(42));
    expectTensorClose(again.y, (await referenceRun(paths.mlp, request(42))).y, 1e-5);
    expect(model.stats().pending).toBe(0);
  });
});

describe('deadlines', () => {
  it.each([1e13, 1e300, Number.MAX_VALUE, Infinity])('timeoutMs %d means no practical deadline', async (timeoutMs) => {
    const model = await Model.load(paths.add, { holdUntilQueued: 2 });
    opened.push(model);
    const held = model.infer(addRequest(1), { timeoutMs });
    const other = model.infer(addRequest(2), { timeoutMs });
    const [a, b] = await Promise.all([held, other]);
    expect(a.sum!.data).toEqual(Float32Array.from({ length: 16 }, (_, k) => 2 * (1 + k)));
    expect(b.sum!.data).toEqual(Float32Array.from({ length: 16 }, (_, k) => 2 * (2 + k)));
  });
});

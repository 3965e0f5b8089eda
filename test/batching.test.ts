import { describe, expect, it } from 'vitest';

import { Model, ProtonError, type Tensor } from '../ts/index';
import { GraphBuilder } from '../ts/onnx/model-builder';
import { demoModels, writeModel } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';

/** y = x * 2 + 1 over ['n','k']: batches only requests with the same k. */
function twoDynamicDimsModel(): string {
  const bytes = new GraphBuilder('scale')
    .addInput('x', 'float32', ['n', 'k'])
    .addInitializer('two', { type: 'float32', dims: [], data: new Float32Array([2]) })
    .addInitializer('one', { type: 'float32', dims: [], data: new Float32Array([1]) })
    .addNode('Mul', ['x', 'two'], ['doubled'])
    .addNode('Add', ['doubled', 'one'], ['y'])
    .addOutput('y', 'float32', ['n', 'k'])
    .serialize();
  return writeModel('scale_two_dynamic_dims', bytes);
}

function input(rows: number, cols: number, seed: number): Record<string, Tensor> {
  return { x: { type: 'float32', dims: [rows, cols], data: randomData('float32', rows * cols, seed) as Float32Array } };
}

describe('dynamic batching', () => {
  it('gives every request of a batch the outputs it gets alone, for batch sizes 1 to max', async () => {
    const { mlp } = await demoModels();
    for (const count of [1, 2, 5, 8]) {
      const model = await Model.load(mlp, { maxBatchSize: 8, holdUntilQueued: count });
      const requests = Array.from({ length: count }, (_, i) => ({ x: input(1, 256, 100 * count + i).x! }));
      const outputs = await Promise.all(requests.map((r) => model.infer(r)));
      for (let i = 0; i < count; i++) {
        const alone = await referenceRun(mlp, requests[i]!);
        expectTensorClose(outputs[i]!.y, alone.y, 1e-5);
      }
      const stats = model.stats();
      expect(stats.executions).toBe(1);
      expect(stats.inferences).toBe(count);
      expect(stats.batchSizes[count]).toBe(1);
      await model.close();
    }
  });

  it('counts a request of batch b as b rows and splits outputs back by each request', async () => {
    const { dynamic_batch: path } = await demoModels();
    const model = await Model.load(path, { maxBatchSize: 6, holdUntilQueued: 4 });
    const sizes = [1, 3, 2, 4]; // 1+3+2 = 6 fills the first batch; 4 goes to the next
    const requests = sizes.map((rows, i) => input(rows, 4, 40 + i));
    const outputs = await Promise.all(requests.map((r) => model.infer(r)));
    for (let i = 0; i < sizes.length; i++) {
      expectTensorClose(outputs[i]!.y, (await referenceRun(path, requests[i]!)).y, 1e-6);
    }
    const stats = model.stats();
    expect(stats.executions).toBe(2);
    expect(stats.inferences).toBe(10);
    expect(stats.batchSizes[6]).toBe(1);
    expect(stats.batchSizes[4]).toBe(1);
    await model.close();
  });

  it('never batches requests whose other dimensions differ', async () => {
    const path = twoDynamicDimsModel();
    const model = await Model.load(path, { maxBatchSize: 16, holdUntilQueued: 6 });
    const shapes: Array<[number, number]> = [[1, 3], [2, 3], [1, 5], [1, 3], [2, 5], [1, 3]];
    const requests = shapes.map(([rows, cols], i) => input(rows, cols, 7 + i));
    const outputs = await Promise.all(requests.map((r) => model.infer(r)));
    for (let i = 0; i < shapes.length; i++) {
      expectTensorClose(outputs[i]!.y, (await referenceRun(path, requests[i]!)).y);
    }
    // Consecutive compatible runs batch: [1,3]+[2,3] | [1,5] | [1,3] | [2,5] | [1,3].
    const stats = model.stats();
    expect(stats.executions).toBe(5);
    expect(stats.inferences).toBe(8);
    await model.close();
  });

  it('times out queued requests in a batching model without running them', async () => {
    const { dynamic_batch: path } = await demoModels();
    const model = await Model.load(path, { maxBatchSize: 4, holdUntilQueued: 3 });
    const expired = model.infer(input(1, 4, 1), { timeoutMs: 1 }).then(
      () => undefined,
      (e: unknown) => e as ProtonError,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const a = input(1, 4, 2);
    const b = input(2, 4, 3);
    const [outA, outB] = await Promise.all([model.infer(a), model.infer(b)]);
    const error = await expired;
    expect(error?.code).toBe('UNAVAILABLE');
    expect(error?.message).toMatch(/timed out in queue/);
    expectTensorClose(outA!.y, (await referenceRun(path, a)).y, 1e-6);
    expectTensorClose(outB!.y, (await referenceRun(path, b)).y, 1e-6);
    expect(model.stats().executions).toBe(1);
    expect(model.stats().inferences).toBe(3);
    await model.close();
  });

  it('waits up to max_queue_delay for a preferred batch size', async () => {
    const { dynamic_batch: path } = await demoModels();
    const model = await Model.load(path, { maxBatchSize: 8, preferredBatchSizes: [4], maxQueueDelayUs: 2_000_000 });
    const requests = Array.from({ length: 4 }, (_, i) => input(1, 4, 60 + i));
    const outputs = await Promise.all(requests.map((r) => model.infer(r)));
    for (let i = 0; i < 4; i++) expectTensorClose(outputs[i]!.y, (await referenceRun(path, requests[i]!)).y, 1e-6);
    expect(model.stats().batchSizes[4]).toBe(1);
    await model.close();
  });

  it('settles 10,000 concurrent requests exactly once, in order, with two instances and batching', async () => {
    const { dynamic_batch: path } = await demoModels();
    const model = await Model.load(path, { maxBatchSize: 32, instances: 2, queueCapacity: 16_384 });
    const total = 10_000;
    const seen = new Uint8Array(total);
    const references = new Map<number, Tensor>();
    for (let seed = 0; seed < 50; seed++) references.set(seed, (await referenceRun(path, input(1 + (seed % 3), 4, seed))).y!);
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        model.infer(input(1 + ((i % 50) % 3), 4, i % 50)).then((out) => {
          seen[i]! += 1;
          expectTensorClose(out.y, references.get(i % 50), 1e-6);
        }),
      ),
    );
    expect(Array.from(seen).every((count) => count === 1)).toBe(true);
    const stats = model.stats();
    expect(stats.inferences).toBe(Array.from({ length: total }, (_, i) => 1 + ((i % 50) % 3)).reduce((a, b) => a + b, 0));
    expect(stats.executions).toBeLessThan(total);
    await model.close();
  });
});

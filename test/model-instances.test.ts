import { afterAll, beforeAll, expect, it } from 'vitest';

import { Model, type Tensor } from '../ts/index';
import { demoModels } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';

let mlpPath: string;
const opened: Model[] = [];

beforeAll(async () => {
  mlpPath = (await demoModels()).mlp;
});
afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
});

function request(i: number): Record<string, Tensor> {
  return { x: { type: 'float32', dims: [1, 256], data: randomData('float32', 256, i) as Float32Array } };
}

it.each([2, 3])('%i instances all execute when many requests are queued at once', async (instances) => {
  const total = 400;
  const model = await Model.load(mlpPath, { instances, holdUntilQueued: total, queueCapacity: total });
  opened.push(model);
  const results = await Promise.all(Array.from({ length: total }, (_, i) => model.infer(request(i))));
  const stats = model.stats();
  expect(stats.instanceExecutions).toHaveLength(instances);
  // Every instance took part: a woken instance that leaves work queued wakes the next one.
  for (const count of stats.instanceExecutions) expect(count).toBeGreaterThan(0);
  expect(stats.instanceExecutions.reduce((a, b) => a + b, 0)).toBe(total);
  expect(stats.executions).toBe(total);
  for (const i of [0, 1, total / 2, total - 1]) {
    const expected = await referenceRun(mlpPath, request(i));
    expectTensorClose(results[i]!.y!, expected.y!);
  }
});

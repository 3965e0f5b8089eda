import { afterAll, beforeAll, expect, it } from 'vitest';

import { Model, type Tensor } from '../ts/index';
import { demoModels } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';

// SqueezeNet: each execution takes milliseconds, so an instance that does not take part was
// never woken, not merely beaten to a microsecond job by its siblings on a busy machine.
let modelPath: string;
const opened: Model[] = [];

beforeAll(async () => {
  modelPath = (await demoModels())['squeezenet1.0'];
});
afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
});

function request(i: number): Record<string, Tensor> {
  return { data: { type: 'float32', dims: [1, 3, 224, 224], data: randomData('float32', 3 * 224 * 224, i) as Float32Array } };
}

it.each([2, 3])('%i instances all execute when many requests are queued at once', async (instances) => {
  const total = 48;
  const model = await Model.load(modelPath, { instances, holdUntilQueued: total, queueCapacity: total });
  opened.push(model);
  const results = await Promise.all(Array.from({ length: total }, (_, i) => model.infer(request(i))));
  const stats = model.stats();
  expect(stats.instanceExecutions).toHaveLength(instances);
  // Every instance took part: a woken instance that leaves work queued wakes the next one.
  for (const count of stats.instanceExecutions) expect(count).toBeGreaterThan(0);
  expect(stats.instanceExecutions.reduce((a, b) => a + b, 0)).toBe(total);
  expect(stats.executions).toBe(total);
  for (const i of [0, 1, total / 2, total - 1]) {
    const expected = await referenceRun(modelPath, request(i));
    expectTensorClose(results[i]!.softmaxout_1!, expected.softmaxout_1!);
  }
});

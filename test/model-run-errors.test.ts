import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Model, ProtonError, type Tensor } from '../ts/index';
import { attr, GraphBuilder } from '../ts/onnx/model-builder';
import { referenceSession } from './helpers/onnx-reference';
import { writeModel } from './helpers/models';

// Shapes that only Run can judge: the declared dims are all dynamic.
const broadcastPath = writeModel(
  'dynamic_add',
  new GraphBuilder('dynamic_add')
    .addInput('a', 'float32', ['n'])
    .addInput('b', 'float32', ['m'])
    .addNode('Add', ['a', 'b'], ['sum'])
    .addOutput('sum', 'float32', ['k'])
    .serialize(),
);
const convPath = writeModel(
  'dynamic_conv',
  new GraphBuilder('dynamic_conv')
    .addInput('x', 'float32', ['n', 'c', 'h', 'w'])
    .addInput('w', 'float32', ['o', 'i', 'kh', 'kw'])
    .addNode('Conv', ['x', 'w'], ['y'], { kernel_shape: attr.ints([3, 3]) })
    .addOutput('y', 'float32', ['n', 'o', 'p', 'q'])
    .serialize(),
);

const f32 = (dims: number[]): Tensor => ({
  type: 'float32',
  dims,
  data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(1),
});

const models: Model[] = [];
beforeAll(async () => {
  models.push(await Model.load(broadcastPath), await Model.load(convPath));
});
afterAll(async () => {
  await Promise.all(models.map((m) => m.close()));
});

async function rejection(promise: Promise<unknown>): Promise<ProtonError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtonError);
  return error as ProtonError;
}

// onnxruntime-node must refuse the same request: the independent judgement that it is bad input.
async function referenceRefuses(path: string, inputs: Record<string, Tensor>): Promise<string> {
  const session = await referenceSession(path);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor('float32', t.data as Float32Array, t.dims);
  const error = await session.run(feeds).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  return error!.message;
}

describe('failures ONNX Runtime reports while running', () => {
  it.each([
    ['a broadcast failure in Add', 0, { a: f32([2]), b: f32([3]) }, /Add node.*broadcast/],
    ['a Conv whose channels do not match its weights', 1, { x: f32([1, 2, 5, 5]), w: f32([4, 3, 3, 3]) }, /Conv node/],
    ['a Conv input smaller than its kernel', 1, { x: f32([1, 1, 2, 2]), w: f32([1, 1, 3, 3]) }, /Conv node/],
  ] as const)('%s is INVALID_ARGUMENT with a short message and the raw text in detail', async (_, index, inputs, says) => {
    const model = models[index]!;
    const path = index === 0 ? broadcastPath : convPath;
    const raw = await referenceRefuses(path, inputs);
    const error = await rejection(model.infer(inputs));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(says);
    expect(error.message).not.toMatch(/onnxruntime_src|\.(cc|h):\d+/);
    expect(error.message.length).toBeLessThanOrEqual(403);
    expect(error.message).not.toContain('\n');
    expect(error.detail).toBeDefined();
    // Add's kernel names its source line: that stays in detail, out of the message.
    if (index === 0) expect(error.detail).toMatch(/onnxruntime_src\/\S+\.h:\d+/);
    // detail is ONNX Runtime's own text: the same one onnxruntime-node reports.
    expect(raw).toContain(error.detail!.trim().slice(-40));
  });

  it('keeps serving good requests on the same model afterwards', async () => {
    const outputs = await models[0]!.infer({ a: f32([3]), b: f32([3]) });
    expect(outputs.sum!.data).toEqual(new Float32Array([2, 2, 2]));
  });
});

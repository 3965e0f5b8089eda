import { afterAll, beforeAll, expect, it } from 'vitest';

import { Model, type Tensor } from '../ts/index';
import { demoModels } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';

let paths: Awaited<ReturnType<typeof demoModels>>;
const models: Record<string, Model> = {};

beforeAll(async () => {
  paths = await demoModels();
  models.add = await Model.load(paths.add, { queueCapacity: 8192 });
  models.mlp = await Model.load(paths.mlp, { queueCapacity: 8192 });
  models.dynamic = await Model.load(paths.dynamic_batch, { queueCapacity: 8192 });
});
afterAll(async () => {
  await Promise.all(Object.values(models).map((m) => m.close()));
});

/** Each request carries its own index in its data so a misrouted answer is detected. */
function requestFor(kind: 'add' | 'mlp' | 'dynamic', i: number): Record<string, Tensor> {
  if (kind === 'add') {
    const a = Float32Array.from({ length: 16 }, (_, k) => i + k);
    return { a: { type: 'float32', dims: [1, 16], data: a }, b: { type: 'float32', dims: [1, 16], data: a } };
  }
  if (kind === 'mlp') {
    return { x: { type: 'float32', dims: [1, 256], data: randomData('float32', 256, i % 97) as Float32Array } };
  }
  const rows = 1 + (i % 3);
  return { x: { type: 'float32', dims: [rows, 4], data: randomData('float32', rows * 4, i % 89) as Float32Array } };
}

it('settles 10,000 concurrent requests across three models exactly once, each with its own answer', async () => {
  const kinds = ['add', 'mlp', 'dynamic'] as const;
  const total = 10_000;
  const settledCount = new Uint8Array(total);
  const results: Array<{ kind: (typeof kinds)[number]; i: number; outputs: Record<string, Tensor> }> = [];
  const promises: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const kind = kinds[i % 3]!;
    promises.push(
      models[kind]!.infer(requestFor(kind, i)).then((outputs) => {
        settledCount[i]! += 1;
        results.push({ kind, i, outputs });
      }),
    );
  }
  // All 10,000 are queued before the first settles: the JS thread has not yielded yet.
  const pending = Object.values(models).reduce((sum, m) => sum + m.stats().pending, 0);
  expect(pending).toBe(total);
  await Promise.all(promises);
  expect(Array.from(settledCount).every((count) => count === 1)).toBe(true);
  expect(results).toHaveLength(total);

  // Every add answer is exactly 2*(i+k); mlp and dynamic answers match onnxruntime-node.
  const references = new Map<string, Record<string, Tensor>>();
  for (const { kind, i, outputs } of results) {
    if (kind === 'add') {
      const data = outputs.sum!.data as Float32Array;
      for (let k = 0; k < 16; k++) if (data[k] !== 2 * (i + k)) expect.fail(`add request ${i} got ${data[k]} at ${k}`);
      continue;
    }
    const key = kind === 'mlp' ? `mlp:${i % 97}` : `dynamic:${i % 89}:${1 + (i % 3)}`;
    let reference = references.get(key);
    if (!reference) {
      reference = await referenceRun(kind === 'mlp' ? paths.mlp : paths.dynamic_batch, requestFor(kind, i));
      references.set(key, reference);
    }
    expectTensorClose(outputs.y, reference.y, 1e-5);
  }
  for (const model of Object.values(models)) expect(model.stats().pending).toBe(0);
});

it('jobs queued in one turn after the model thread fell asleep all run (their wake-up is deferred, never lost)', async () => {
  for (const instances of [1, 2]) {
    const model = await Model.load(paths.add, { instances });
    try {
      for (let round = 0; round < 20; round++) {
        // Idle long enough for every instance to stop spinning and sleep.
        await new Promise((resolve) => setTimeout(resolve, 5));
        const burst = Array.from({ length: 5 }, (_, j) => model.infer(requestFor('add', round * 5 + j)));
        const answers = await Promise.all(burst);
        answers.forEach((outputs, j) => expect((outputs.sum!.data as Float32Array)[0]).toBe(2 * (round * 5 + j)));
      }
      expect(model.stats().inferences).toBe(100);
    } finally {
      await model.close();
    }
  }
});

it('a burst queued with a deferred wake-up still runs when close() follows in the same turn', async () => {
  const model = await Model.load(paths.add);
  await model.infer(requestFor('add', 0));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const burst = Array.from({ length: 5 }, (_, j) => model.infer(requestFor('add', j)));
  const closed = model.close();
  const answers = await Promise.all(burst);
  answers.forEach((outputs, j) => expect((outputs.sum!.data as Float32Array)[0]).toBe(2 * j));
  await closed;
  expect(model.stats().inferences).toBe(6);
});

it('a model thread that polled for a sequential caller sleeps once the calls stop (no CPU while idle)', async () => {
  const model = await Model.load(paths.add);
  try {
    // Back-to-back calls: the gaps are short, so the thread's poll window grows.
    for (let i = 0; i < 3000; i++) {
      const outputs = await model.infer(requestFor('add', i));
      if ((outputs.sum!.data as Float32Array)[0] !== 2 * i) expect.fail(`call ${i} got ${(outputs.sum!.data as Float32Array)[0]}`);
    }
    const idleMs = 500;
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const used = process.cpuUsage(before);
    // A thread polling through the idle time would use all of it; a sleeping one next to nothing.
    expect((used.user + used.system) / 1000).toBeLessThan(idleMs / 4);
  } finally {
    await model.close();
  }
});

it('calls spaced around the poll window never wait on a lost wake-up (one or two instances)', async () => {
  for (const instances of [1, 2]) {
    const model = await Model.load(paths.add, { instances });
    try {
      // Gaps from 0 to 119 µs cross the 50 µs window both ways, so the threads keep switching
      // between polling and sleeping while jobs arrive; a lost wake-up leaves a call unsettled
      // (the test then times out).
      for (let i = 0; i < 3000; i++) {
        const gapMs = ((i * 7) % 120) / 1000;
        for (const start = performance.now(); performance.now() - start < gapMs; );
        const pair = [model.infer(requestFor('add', i)), ...(i % 5 === 0 ? [model.infer(requestFor('add', i + 1))] : [])];
        const answers = await Promise.all(pair);
        answers.forEach((outputs, j) => {
          if ((outputs.sum!.data as Float32Array)[0] !== 2 * (i + j)) expect.fail(`call ${i + j} got ${(outputs.sum!.data as Float32Array)[0]}`);
        });
      }
      expect(model.stats().inferences).toBe(3000 + 600);
    } finally {
      await model.close();
    }
  }
});

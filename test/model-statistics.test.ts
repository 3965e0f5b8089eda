import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Model, type InferTiming, type Tensor } from '../ts/index';
import { addRequest, demoModels } from './helpers/models';
import { randomData } from './helpers/onnx-reference';
import { native } from '../ts/native';

let paths: Awaited<ReturnType<typeof demoModels>>;
const opened: Model[] = [];
const open = async (path: string, options: Parameters<typeof Model.load>[1]): Promise<Model> => {
  const model = await Model.load(path, options);
  opened.push(model);
  return model;
};

beforeAll(async () => {
  paths = await demoModels();
});
afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
});

const nowNs = (): bigint => process.hrtime.bigint();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const timingTotal = (t: InferTiming): number => t.queueNs + t.computeInputNs + t.computeInferNs + t.computeOutputNs;

describe('model.stats() and inferWithTiming', () => {
  it('queue time of held requests is at least the hold, and every count is exact', async () => {
    const n = 8;
    const model = await open(paths.add, { holdUntilQueued: n });
    const wallBefore = Date.now();
    const first: Array<Promise<{ timing: InferTiming }>> = [];
    const queuedAt: bigint[] = [];
    for (let i = 0; i < n - 1; i++) {
      first.push(model.inferWithTiming(addRequest(i)));
      queuedAt.push(nowNs()); // the native enqueue happened before this
    }
    await sleep(30);
    const releasedAt = nowNs(); // the native worker cannot start before the n-th enqueue, after this
    const last = await model.inferWithTiming(addRequest(n - 1));
    const held = await Promise.all(first);
    for (let i = 0; i < n - 1; i++) {
      const bound = Number(releasedAt - queuedAt[i]!);
      expect(held[i]!.timing.queueNs).toBeGreaterThanOrEqual(bound);
    }
    expect(last.outputs.sum!.data).toEqual(Float32Array.from({ length: 16 }, (_, k) => 2 * (n - 1 + k)));

    const stats = model.stats();
    const s = stats.inferenceStats;
    expect(stats.executions).toBe(n);
    expect(stats.inferences).toBe(n);
    expect(stats.instanceExecutions).toEqual([n]);
    for (const phase of [s.success, s.queue, s.computeInput, s.computeInfer, s.computeOutput]) {
      expect(phase.count).toBe(n);
    }
    expect(s.fail).toEqual({ count: 0, ns: 0 });
    // The per-request timings are exactly what the cumulative figures add up.
    const timings = [...held.map((h) => h.timing), last.timing];
    expect(s.queue.ns).toBe(timings.reduce((sum, t) => sum + t.queueNs, 0));
    expect(s.computeInfer.ns).toBe(timings.reduce((sum, t) => sum + t.computeInferNs, 0));
    expect(s.success.ns).toBe(timings.reduce((sum, t) => sum + timingTotal(t), 0));
    expect(s.computeInfer.ns).toBeGreaterThan(0);
    expect(stats.batchStats).toHaveLength(1);
    expect(stats.batchStats[0]!.batchSize).toBe(1);
    expect(stats.batchStats[0]!.computeInfer.count).toBe(n);
    expect(stats.lastInferenceMs).toBeGreaterThanOrEqual(wallBefore);
    expect(stats.lastInferenceMs).toBeLessThanOrEqual(Date.now());

    // The phase histograms hold each request's own duration in the bucket the bounds name.
    const bounds = native.latencyBucketBoundsNs;
    const bucketOf = (ns: number): number => {
      const index = bounds.findIndex((bound) => ns <= bound);
      return index === -1 ? bounds.length : index;
    };
    for (const [histogram, pick] of [
      [stats.latencyHistograms.queue, (t: InferTiming) => t.queueNs],
      [stats.latencyHistograms.computeInfer, (t: InferTiming) => t.computeInferNs],
    ] as const) {
      const expected = new Array<number>(bounds.length + 1).fill(0);
      for (const timing of timings) expected[bucketOf(pick(timing))]!++;
      expect(histogram.counts).toEqual(expected);
      expect(histogram.sumNs).toBe(timings.reduce((sum, t) => sum + pick(t), 0));
    }
    // The held requests waited at least 30 ms: none of them is in a bucket below 25 ms.
    expect(stats.latencyHistograms.queue.counts.slice(0, bounds.indexOf(25_000_000) + 1).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
  });

  it('batch statistics follow the batches forced by the hold; compute time is attributed per request', async () => {
    const model = await open(paths.mlp, { maxBatchSize: 8, holdUntilQueued: 8, queueCapacity: 64 });
    const x = (i: number): Record<string, Tensor> => ({
      x: { type: 'float32', dims: [1, 256], data: randomData('float32', 256, i) as Float32Array },
    });
    // Eight single-row requests held together: one execution of batch 8.
    await Promise.all(Array.from({ length: 8 }, (_, i) => model.infer(x(i))));
    // Then one request of 3 rows alone: one execution of batch 3.
    await model.infer({ x: { type: 'float32', dims: [3, 256], data: randomData('float32', 768, 9) as Float32Array } });
    const stats = model.stats();
    expect(stats.executions).toBe(2);
    expect(stats.inferences).toBe(11);
    expect(stats.batchStats.map((b) => [b.batchSize, b.computeInfer.count])).toEqual([
      [3, 1],
      [8, 1],
    ]);
    const s = stats.inferenceStats;
    expect(s.success.count).toBe(9); // requests, not rows
    expect(s.computeInfer.count).toBe(9);
    const [three, eight] = stats.batchStats;
    // Triton's semantics: each request of a batch is charged the batch's phase time.
    expect(s.computeInfer.ns).toBe(8 * eight!.computeInfer.ns + three!.computeInfer.ns);
    expect(s.computeInput.ns).toBe(8 * eight!.computeInput.ns + three!.computeInput.ns);
    expect(s.computeOutput.ns).toBe(8 * eight!.computeOutput.ns + three!.computeOutput.ns);
  });

  it('counts requests that time out in the queue as failures, with no compute time', async () => {
    const model = await open(paths.add, { holdUntilQueued: 4 });
    const doomed = [0, 1, 2].map((i) =>
      model.infer(addRequest(i), { timeoutMs: 1 }).then(
        () => 'resolved',
        (e: { code: string }) => e.code,
      ),
    );
    await sleep(20);
    const ok = await model.infer(addRequest(3));
    const failures = await Promise.all(doomed);
    expect(failures).toEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE']);
    expect(ok.sum).toBeDefined();
    const s = model.stats().inferenceStats;
    expect(s.fail.count).toBe(3);
    expect(s.fail.ns).toBeGreaterThan(0);
    expect(s.success.count).toBe(1);
    expect(s.queue.count).toBe(1);
    expect(model.stats().executions).toBe(1);
  });
});

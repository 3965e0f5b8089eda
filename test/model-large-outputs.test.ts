import { describe, expect, it } from 'vitest';

import { Model, type Tensor } from '../ts/index';
import { scaleCastModel } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';

/**
 * Outputs of 64 KiB and more are copied out of ONNX Runtime's memory on the model thread and
 * adopted by JS as the ArrayBuffer's own memory (native/js_tensor.cc); smaller ones are copied on
 * the JS thread. Both paths, alone and batched, against onnxruntime-node on the same input.
 */

const MiB = 1024 * 1024;

const scaleModel = (): string => scaleCastModel('scale_cast_large_outputs');

function input(rows: number, cols: number, seed: number): Record<string, Tensor> {
  const data = (randomData('float32', rows * cols, seed) as Float32Array).map((v) => Math.round(v * 1000));
  return { x: { type: 'float32', dims: [rows, cols], data } };
}

describe('large outputs are handed to JS without a copy on the JS thread', () => {
  it('small and large outputs equal onnxruntime-node, each in an ArrayBuffer of exactly its bytes', async () => {
    const path = scaleModel();
    const model = await Model.load(path);
    // 16 B and 4 KiB stay under the threshold; 64 KiB is at it; 4 MiB is above.
    for (const [rows, cols] of [[1, 4], [1, 1024], [16, 1024], [256, 4096]] as const) {
      const request = input(rows, cols, rows + cols);
      const outputs = await model.infer(request);
      const expected = await referenceRun(path, request);
      expectTensorClose(outputs.y, expected.y);
      expectTensorClose(outputs.z, expected.z);
      for (const name of ['y', 'z'] as const) {
        const data = outputs[name]!.data as Float32Array | BigInt64Array;
        expect(data.byteOffset).toBe(0);
        expect(data.buffer.byteLength).toBe(data.byteLength);
      }
      // The adopted memory is the caller's to write, like any typed array.
      (outputs.y!.data as Float32Array)[0] = 42;
      expect((outputs.y!.data as Float32Array)[0]).toBe(42);
    }
    await model.close();
  });

  it('each request of a batch gets its own rows of a large output', async () => {
    const path = scaleModel();
    const model = await Model.load(path, { maxBatchSize: 8, holdUntilQueued: 4 });
    const sizes = [1, 3, 2, 2];
    // Rows of 256 KiB: every request's share is over the threshold.
    const requests = sizes.map((rows, i) => input(rows, 64 * 1024, 7 + i));
    const outputs = await Promise.all(requests.map((request) => model.infer(request)));
    expect(model.stats().executions).toBe(1);
    for (let i = 0; i < sizes.length; i++) {
      const expected = await referenceRun(path, requests[i]!);
      expectTensorClose(outputs[i]!.y, expected.y);
      expectTensorClose(outputs[i]!.z, expected.z);
      expect((outputs[i]!.y!.data as Float32Array).buffer.byteLength).toBe(sizes[i]! * 256 * 1024);
    }
    await model.close();
  });

  it('adopted memory is freed once the outputs are collected: 100 outputs of 24 MiB do not add up', async () => {
    const path = scaleModel();
    const model = await Model.load(path);
    const request = input(512, 4096, 3); // y 8 MiB, z 16 MiB
    await model.infer(request);
    const before = process.memoryUsage().rss;
    let peak = before;
    let checksum = 0;
    for (let i = 0; i < 100; i++) {
      const outputs = await model.infer(request);
      checksum += (outputs.y!.data as Float32Array)[i]!;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(checksum).toBe(Array.from({ length: 100 }, (_, i) => (request.x!.data as Float32Array)[i]! * 2 + 1).reduce((a, b) => a + b, 0));
    // Without a finalizer freeing the blocks this grows by 2.4 GB.
    expect(peak - before, `RSS grew ${((peak - before) / MiB).toFixed(0)} MiB`).toBeLessThan(600 * MiB);
    await model.close();
  });
});

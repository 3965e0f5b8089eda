import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';

import type { Model } from '../../ts/index';
import type { InProcessModel } from '../common/models';
import { summarizeCalls } from '../common/stats';
import { ORT_SESSION_OPTIONS } from '../in-process/ort-main-path';
import { stackedInput } from './stacked-input';

/** How long one batch of `rows` takes when it runs alone, nothing else in flight. */
export interface BatchCompute {
  rows: number;
  /** One request of `rows` rows through the batching Proton model, issue to settle (p50, µs). */
  protonP50Us: number;
  protonP99Us: number;
  /** onnxruntime-node's session.run of the same tensor on the JS thread: the compute alone (p50, µs). */
  ortRunP50Us: number;
  /** session.run of one row, for the ceiling below (p50, µs). */
  ortRunOneRowP50Us: number;
  /**
   * rows x (one row's time) / (the batch's time): the most batching can gain over running rows
   * one by one when compute is all there is. Issue 5's 3x target needs at least this much.
   */
  computeCeiling: number;
}

const WARMUP_CALLS = 5;
const TIMED_CALLS = 48;
/**
 * Copies of the input at different addresses, used in turn. The batcher writes each batch into a
 * freshly allocated tensor, and on this MLP a 64-row input at an unlucky address runs about 2x
 * slower (onnxruntime-node on the JS thread too): one fixed buffer would time only one case.
 */
const INPUT_COPIES = 8;

/** Times a single `rows`-row request alone, sequentially, through Proton and through onnxruntime-node. */
export async function measureBatchCompute(model: InProcessModel, proton: Model, rows: number): Promise<BatchCompute> {
  const { batchInput } = model;
  const input = stackedInput(model, rows);
  const copies = addressCopies(input.data);
  const oneRow = stackedInput(model, 1);
  const protonInputs = copies.map((data) => ({ [batchInput]: { type: 'float32' as const, dims: input.dims, data } }));
  const protonTimes = await timeCalls((i) => proton.infer(protonInputs[i % INPUT_COPIES] ?? {}));
  const session = await ort.InferenceSession.create(model.file, ORT_SESSION_OPTIONS);
  try {
    const feeds = copies.map((data) => ({ [batchInput]: new ort.Tensor('float32', data, input.dims) }));
    const ortTimes = await timeCalls((i) => session.run(feeds[i % INPUT_COPIES] ?? {}));
    const oneRowFeeds = addressCopies(oneRow.data).map((data) => ({ [batchInput]: new ort.Tensor('float32', data, oneRow.dims) }));
    const oneRowTimes = await timeCalls((i) => session.run(oneRowFeeds[i % INPUT_COPIES] ?? {}));
    return {
      rows,
      protonP50Us: protonTimes.p50Us,
      protonP99Us: protonTimes.p99Us,
      ortRunP50Us: ortTimes.p50Us,
      ortRunOneRowP50Us: oneRowTimes.p50Us,
      computeCeiling: (rows * oneRowTimes.p50Us) / ortTimes.p50Us,
    };
  } finally {
    await session.release();
  }
}

function addressCopies(data: Float32Array): Float32Array[] {
  return Array.from({ length: INPUT_COPIES }, (_, i) => {
    const copy = new Float32Array(data.length + 16 * i).subarray(16 * i);
    copy.set(data);
    return copy;
  });
}

async function timeCalls(call: (i: number) => Promise<unknown>): Promise<{ p50Us: number; p99Us: number }> {
  for (let i = 0; i < WARMUP_CALLS; i++) await call(i);
  const samplesMs: number[] = [];
  for (let i = 0; i < TIMED_CALLS; i++) {
    const start = performance.now();
    await call(i);
    samplesMs.push(performance.now() - start);
  }
  const { p50Us, p99Us } = summarizeCalls(samplesMs, 1);
  return { p50Us, p99Us };
}

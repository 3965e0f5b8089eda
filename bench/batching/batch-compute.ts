import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';

import type { Model } from '../../ts/index';
import { ORT_SESSION_OPTIONS } from '../micro/ort-path';
import { summarize } from '../micro/stats';
import { stackedInput, type BatchingModel } from './models';

/** How long one batch of `rows` takes when it runs alone, nothing else in flight. */
export interface BatchCompute {
  rows: number;
  /** One request of `rows` rows through the batching Proton model, issue to settle. */
  protonP50Us: number;
  /** onnxruntime-node's session.run of the same tensor on the JS thread: the compute alone. */
  ortRunP50Us: number;
}

const WARMUP_CALLS = 5;
const TIMED_CALLS = 40;

/** Times a single `rows`-row request alone, sequentially, through Proton and through onnxruntime-node. */
export async function measureBatchCompute(model: BatchingModel, proton: Model, rows: number): Promise<BatchCompute> {
  const { spec, batchInput } = model;
  const input = stackedInput(model, rows);
  const protonInputs = { [batchInput]: { type: 'float32' as const, dims: input.dims, data: input.data } };
  const protonP50Us = await p50Us(() => proton.infer(protonInputs));
  const session = await ort.InferenceSession.create(spec.file, ORT_SESSION_OPTIONS);
  try {
    const feeds = { [batchInput]: new ort.Tensor('float32', input.data, input.dims) };
    const ortRunP50Us = await p50Us(() => session.run(feeds));
    return { rows, protonP50Us, ortRunP50Us };
  } finally {
    await session.release();
  }
}

async function p50Us(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP_CALLS; i++) await call();
  const samplesMs: number[] = [];
  for (let i = 0; i < TIMED_CALLS; i++) {
    const start = performance.now();
    await call();
    samplesMs.push(performance.now() - start);
  }
  return summarize(samplesMs, 1).p50Us;
}

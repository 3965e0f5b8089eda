import * as ort from 'onnxruntime-node';

import { Model } from '../../ts/index';
import type { InProcessModel } from '../common/models';
import { float32Output, ORT_SESSION_OPTIONS } from '../in-process/ort-main-path';
import { float32Data } from '../in-process/proton-path';
import { maxDifference } from '../in-process/verify';
import { INTRA_OP_THREADS } from './options';
import { stackedInput } from './stacked-input';

/** As bench/in-process/verify.ts: float results may differ in the last bits; anything larger is a bug. */
const TOLERANCE = 1e-5;

/**
 * Sends `rows` different batch-1 requests to a Proton model held (test hook `holdUntilQueued`)
 * until all are queued, so they provably run as one batch, and checks every caller's output
 * against onnxruntime-node running that caller's input alone. Throws on any mismatch: a fast
 * but wrong batcher is never timed.
 */
export async function verifyBatchedResults(model: InProcessModel, rows: number): Promise<{ rows: number; maxDifference: number }> {
  const { batchInput } = model;
  const spec = model;
  const stacked = stackedInput(model, rows);
  const rowLength = stacked.data.length / rows;
  const rowDims = [1, ...stacked.dims.slice(1)];
  const requests = Array.from({ length: rows }, (_, r) => stacked.data.slice(r * rowLength, (r + 1) * rowLength));

  const proton = await Model.load(spec.file, {
    intraOpNumThreads: INTRA_OP_THREADS,
    maxBatchSize: rows,
    holdUntilQueued: rows,
  });
  const session = await ort.InferenceSession.create(spec.file, ORT_SESSION_OPTIONS);
  try {
    const batched = await Promise.all(
      requests.map(async (data) => {
        const outputs = await proton.infer({ [batchInput]: { type: 'float32', dims: rowDims, data } });
        return float32Data(outputs[spec.outputName], spec.outputName);
      }),
    );
    const stats = proton.stats();
    if (stats.executions !== 1 || stats.batchSizes[rows] !== 1) {
      throw new Error(`${spec.name}: expected the ${rows} held requests to run as one batch, stats say ${JSON.stringify(stats)}`);
    }
    let largest = 0;
    for (let r = 0; r < rows; r++) {
      const alone = await session.run({ [batchInput]: new ort.Tensor('float32', requests[r] as Float32Array, rowDims) });
      const expected = float32Output(alone[spec.outputName], spec.outputName);
      const difference = maxDifference(batched[r] as Float32Array, expected);
      if (!(difference <= TOLERANCE)) {
        throw new Error(
          `${spec.name}: request ${r} of a batch of ${rows} differs from onnxruntime-node run alone by ${difference}; not benchmarking a wrong result`,
        );
      }
      largest = Math.max(largest, difference);
    }
    return { rows, maxDifference: largest };
  } finally {
    await Promise.all([proton.close(), session.release()]);
  }
}

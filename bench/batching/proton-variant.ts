import { Model, type ModelLoadOptions, type ModelStats } from '../../ts/index';
import type { Tensor } from '../../ts/protocol/tensor';
import type { BenchModel } from '../micro/bench-models';
import type { InferPath } from '../micro/infer-path';
import { INTRA_OP_THREADS, type BatchingConfig } from './options';

/** Proton with or without dynamic batching; the model is kept for its stats and for extra requests. */
export interface ProtonVariant {
  /** bench/micro's path interface, so its measuring loop runs it unchanged. */
  path: InferPath;
  model: Model;
}

/** Loads `spec` with batching `config` (undefined: batching off) and the shared thread budget. */
export async function openProtonVariant(spec: BenchModel, config: BatchingConfig | undefined): Promise<ProtonVariant> {
  const options: ModelLoadOptions = { intraOpNumThreads: INTRA_OP_THREADS, interOpNumThreads: 1 };
  if (config !== undefined) {
    options.maxBatchSize = config.maxBatchSize;
    options.maxQueueDelayUs = config.maxQueueDelayUs;
  }
  const model = await Model.load(spec.file, options);
  // Built once: Proton reads input buffers in place and nothing writes to them.
  const inputs: Record<string, Tensor> = {};
  for (const [name, input] of Object.entries(spec.inputs)) inputs[name] = { type: 'float32', dims: input.dims, data: input.data };
  return {
    model,
    path: {
      name: 'proton',
      async infer() {
        const outputs = await model.infer(inputs);
        return float32Data(outputs[spec.outputName], spec.outputName);
      },
      close: () => model.close(),
    },
  };
}

export function float32Data(tensor: Tensor | undefined, name: string): Float32Array {
  if (!(tensor?.data instanceof Float32Array)) throw new Error(`proton: output '${name}' is not float32`);
  return tensor.data;
}

/** Executions, inferences and batch sizes between two `model.stats()` snapshots. */
export interface BatchStats {
  executions: number;
  inferences: number;
  /** inferences / executions. */
  meanBatchSize: number;
  /** The largest batch that ran at least once. */
  largestBatch: number;
  /** Batch size -> executions of that size; sizes that never ran are left out. */
  histogram: Record<string, number>;
}

export function emptyStats(): ModelStats {
  return { executions: 0, inferences: 0, batchSizes: [], pending: 0 };
}

/** Adds `after - before` to `total` (all cumulative counters). */
export function accumulateStats(total: ModelStats, before: ModelStats, after: ModelStats): void {
  total.executions += after.executions - before.executions;
  total.inferences += after.inferences - before.inferences;
  after.batchSizes.forEach((count, size) => {
    total.batchSizes[size] = (total.batchSizes[size] ?? 0) + count - (before.batchSizes[size] ?? 0);
  });
}

export function batchStats(stats: ModelStats): BatchStats {
  const histogram: Record<string, number> = {};
  let largestBatch = 0;
  stats.batchSizes.forEach((count, size) => {
    if (count > 0) {
      histogram[String(size)] = count;
      largestBatch = size;
    }
  });
  return {
    executions: stats.executions,
    inferences: stats.inferences,
    meanBatchSize: stats.executions > 0 ? stats.inferences / stats.executions : 0,
    largestBatch,
    histogram,
  };
}

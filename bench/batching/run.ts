import { isProtonError, Model } from '../../ts/index';
import { describeMachine } from '../common/machine';
import { inProcessModel, type InProcessModel } from '../common/models';
import type { InferPath } from '../in-process/infer-path';
import { openOrtMainPath } from '../in-process/ort-main-path';
import type { RunOptions } from '../in-process/rounds';
import { verifyPaths } from '../in-process/verify';
import { openWorkerPath } from '../in-process/worker-path';
import { measureBatchCompute } from './batch-compute';
import { measureCells, type Cell } from './measure-cells';
import { cannotBatchNote } from './stacked-input';
import { DEFAULT_BATCHING_OPTIONS, INTRA_OP_THREADS, type BatchingBenchOptions, type BatchingConfig } from './options';
import { batchStats, openProtonVariant } from './proton-variant';
import { addRatios, checkTargets, type BatchingReport, type ModelResult, type PathResult } from './results';
import { verifyBatchedResults } from './verify-batch';

/**
 * Issue 5's benchmark: on each model, batch-1 requests with `inFlight` outstanding, through Proton
 * with each batching setting, Proton with batching off, onnxruntime-node in the main thread and
 * onnxruntime-node in one worker thread, all with the same ONNX Runtime thread budget. Verifies
 * results before timing and returns every figure; writing and printing are left to the caller.
 */
export async function runBatchingBench(overrides: Partial<BatchingBenchOptions> = {}): Promise<BatchingReport> {
  const options: BatchingBenchOptions = { ...DEFAULT_BATCHING_OPTIONS, ...overrides };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const warmupS = options.warmupS ?? Math.max(0.25, options.durationS / 4);
  const run: RunOptions = { durationMs: options.durationS * 1000, warmupMs: warmupS * 1000, rounds: options.rounds };
  const machine = describeMachine();
  if (machine.loadAverageAtStart[0] > machine.cores / 2) {
    log(`warning: load average ${machine.loadAverageAtStart[0].toFixed(2)} on ${machine.cores} cores; figures will be noisy`);
  }
  const models: ModelResult[] = [];
  for (const name of options.models) models.push(await benchmarkModel(await inProcessModel(name), options, run, log));
  return {
    machine,
    settings: {
      durationS: options.durationS,
      warmupS,
      rounds: options.rounds,
      inFlight: options.inFlight,
      requestBatch: 1,
      intraOpNumThreads: INTRA_OP_THREADS,
      interOpNumThreads: 1,
      batchConfigs: [...options.batchConfigs],
    },
    models,
    targets: checkTargets(models),
  };
}

export function batchingKey(config: BatchingConfig | undefined): string {
  return config === undefined ? 'proton off' : `proton b${config.maxBatchSize} d${config.maxQueueDelayUs}`;
}

async function benchmarkModel(model: InProcessModel, options: BatchingBenchOptions, run: RunOptions, log: (line: string) => void): Promise<ModelResult> {
  const spec = model;
  const result: ModelResult = {
    model: spec.name as ModelResult['model'],
    file: spec.file,
    requestDims: Object.values(spec.inputs)[0]?.dims ?? [],
    canBatch: model.canBatch,
    paths: [],
  };
  const note = cannotBatchNote(model);
  if (note !== undefined) result.note = note;
  const open: InferPath[] = [];
  const cells: Cell[] = [];
  const batchingCells: Array<{ cell: Cell; path: PathResult; proton: Model }> = [];
  try {
    if (model.canBatch && options.batchConfigs.length > 0) {
      const rows = Math.max(...options.batchConfigs.map((c) => c.maxBatchSize));
      log(`${spec.name}: checking that a batch of ${rows} equals onnxruntime-node run per request ...`);
      const verified = await verifyBatchedResults(model, rows);
      result.verification = { batchRows: verified.rows, maxDifference: verified.maxDifference };
      for (const config of options.batchConfigs) {
        const variant = await openProtonVariant(spec, config);
        open.push(variant);
        const cell: Cell = { key: batchingKey(config), path: variant, model: variant.model };
        const path: PathResult = { key: cell.key, kind: 'proton-batching', batching: config };
        cells.push(cell);
        batchingCells.push({ cell, path, proton: variant.model });
        result.paths.push(path);
      }
    } else if (options.batchConfigs[0] !== undefined) {
      result.paths.push(await rejectedBatching(model, options.batchConfigs[0]));
    }
    const off = await openProtonVariant(spec, undefined);
    open.push(off);
    cells.push({ key: batchingKey(undefined), path: off, model: off.model });
    result.paths.push({ key: batchingKey(undefined), kind: 'proton-off' });
    const ortMain = await openOrtMainPath(spec);
    open.push(ortMain);
    cells.push({ key: 'ort main thread', path: ortMain });
    result.paths.push({ key: 'ort main thread', kind: 'ort-main' });
    const ortWorker = await openWorkerPath(spec);
    open.push(ortWorker);
    cells.push({ key: 'ort worker', path: ortWorker });
    result.paths.push({ key: 'ort worker', kind: 'ort-worker' });

    await verifyPaths(spec, open);
    log(`${spec.name}: ${cells.length} paths, ${options.inFlight} in flight, ${options.durationS} s each ...`);
    const measured = await measureCells(cells, options.inFlight, run);
    for (const path of result.paths) {
      const cell = measured.get(path.key);
      if (cell === undefined) continue;
      path.measurement = cell.measurement;
      path.coresUsed = cell.coresUsed;
      path.runqueueWait = cell.runqueueWait;
      if (cell.stats !== undefined) path.batchStats = batchStats(cell.stats);
    }
    for (const { path, proton } of batchingCells) {
      const largest = path.batchStats?.largestBatch ?? 0;
      if (largest > 0) path.batchCompute = await measureBatchCompute(model, proton, largest);
    }
    addRatios(result.paths);
    return result;
  } finally {
    await Promise.all(open.map((p) => p.close()));
  }
}

/** The batching-on cell of a model without a dynamic batch dimension: Proton's load-time answer. */
async function rejectedBatching(model: InProcessModel, config: BatchingConfig): Promise<PathResult> {
  let loaded: Model;
  try {
    loaded = await Model.load(model.file, { intraOpNumThreads: INTRA_OP_THREADS, maxBatchSize: config.maxBatchSize });
  } catch (error) {
    if (!isProtonError(error) || error.code !== 'INVALID_ARGUMENT') throw error;
    return { key: 'proton batching on', kind: 'proton-batching', batching: config, rejected: error.message };
  }
  await loaded.close();
  throw new Error(`${model.name}: Proton accepted maxBatchSize ${config.maxBatchSize} for a model with a fixed batch dimension`);
}

import type { Machine } from '../common/machine';
import type { CallMeasurement } from '../common/stats';
import type { TargetResult } from '../common/targets';
import type { BatchCompute } from './batch-compute';
import { checkTarget } from '../common/targets';
import type { BatchingConfig, BatchingModelName } from './options';
import type { BatchStats } from './proton-variant';

export type PathKind = 'proton-batching' | 'proton-off' | 'ort-main' | 'ort-worker';

/** One path on one model. A path that could not run has `rejected` and no measurement. */
export interface PathResult {
  key: string;
  kind: PathKind;
  batching?: BatchingConfig;
  measurement?: CallMeasurement;
  /** Process CPU time over wall time while this path ran: cores it kept busy. */
  coresUsed?: number;
  /** Time the process's threads waited for a core, over wall time; high means other processes starved the run. */
  runqueueWait?: number;
  /** This path's throughput over each baseline's. */
  ratios?: { vsOrtMain: number; vsOrtWorker: number };
  /** Proton only, over the measured time. */
  batchStats?: BatchStats;
  /** Batching Proton only: the largest batch seen, timed alone. */
  batchCompute?: BatchCompute;
  rejected?: string;
}

export interface ModelResult {
  model: BatchingModelName;
  file: string;
  /** The dims of each benchmarked request (batch 1). */
  requestDims: number[];
  canBatch: boolean;
  note?: string;
  /** The pre-timing check that a batched Proton result equals onnxruntime-node's. */
  verification?: { batchRows: number; maxDifference: number };
  paths: PathResult[];
}

/** One of issue 5's targets for one batching setting (common TargetResult, with the setting it belongs to). */
export interface TargetCheck extends TargetResult {
  model: BatchingModelName;
  path: string;
}

export interface BatchingReport {
  machine: Machine;
  settings: {
    durationS: number;
    warmupS: number;
    rounds: number;
    inFlight: number;
    requestBatch: 1;
    intraOpNumThreads: number;
    interOpNumThreads: 1;
    batchConfigs: BatchingConfig[];
  };
  models: ModelResult[];
  targets: TargetCheck[];
}

const THROUGHPUT_TARGET = 3;

/** Fills each measured path's ratios against the two onnxruntime-node baselines. */
export function addRatios(paths: PathResult[]): void {
  const ortMain = paths.find((p) => p.kind === 'ort-main')?.measurement?.callsPerSecond;
  const ortWorker = paths.find((p) => p.kind === 'ort-worker')?.measurement?.callsPerSecond;
  for (const path of paths) {
    const rate = path.measurement?.callsPerSecond;
    if (rate === undefined || ortMain === undefined || ortWorker === undefined) continue;
    path.ratios = { vsOrtMain: rate / ortMain, vsOrtWorker: rate / ortWorker };
  }
}

/**
 * Issue 5's targets, for every batching setting measured on a model that batches: throughput at
 * least 3x onnxruntime-node in the main thread, and p99 no worse than max_queue_delay_us plus one
 * batch's compute (the largest batch seen in the run, timed alone through Proton).
 */
export function checkTargets(models: readonly ModelResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const model of models) {
    for (const path of model.paths) {
      const { batching, measurement, ratios, batchCompute } = path;
      if (path.kind !== 'proton-batching' || batching === undefined || measurement === undefined) continue;
      const where = { model: model.model, path: path.key };
      if (ratios !== undefined) {
        const measured = `${Math.round(measurement.callsPerSecond)} vs ${Math.round(measurement.callsPerSecond / ratios.vsOrtMain)} calls/s`;
        const target = `${model.model} ${path.key}: throughput ≥ ${THROUGHPUT_TARGET}x onnxruntime-node in the main thread`;
        checks.push({ ...where, ...checkTarget(target, ratios.vsOrtMain, THROUGHPUT_TARGET, 'at-least', measured) });
      }
      if (batchCompute !== undefined) {
        const bound = batching.maxQueueDelayUs + batchCompute.protonP50Us;
        const measured =
          `p99 ${Math.round(measurement.p99Us)} µs vs ${Math.round(bound)} µs (${batching.maxQueueDelayUs} µs delay + ` +
          `${Math.round(batchCompute.protonP50Us)} µs for a batch of ${batchCompute.rows} alone)`;
        const target = `${model.model} ${path.key}: p99 ≤ max_queue_delay_us + one batch's compute`;
        checks.push({ ...where, ...checkTarget(target, measurement.p99Us / bound, 1, 'at-most', measured) });
      }
    }
  }
  return checks;
}

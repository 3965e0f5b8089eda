import type { Model, ModelStats } from '../../ts/index';
import { runqueueWaitByThread, runqueueWaitMs } from '../common/runqueue';
import { summarizeCalls, type CallMeasurement } from '../common/stats';
import type { InferPath } from '../in-process/infer-path';
import { measureInFlight, type Segment } from '../in-process/measure';
import type { RunOptions } from '../in-process/rounds';
import { accumulateStats, emptyStats } from './proton-variant';

/** One path to measure; `model` is set for Proton, whose batch statistics are collected too. */
export interface Cell {
  key: string;
  path: InferPath;
  model?: Model;
}

export interface CellMeasurement {
  measurement: CallMeasurement;
  /** Process CPU time over wall time: how many cores the path kept busy. */
  coresUsed: number;
  /** Time the process's threads waited for a core, over wall time (0.2 = 20% of a thread's time); NaN off Linux. */
  runqueueWait: number;
  /** Proton only: counters over the measured stretches (warm-up excluded). */
  stats?: ModelStats;
}

interface Totals extends Segment {
  cpuMs: number;
  waitMs: number;
  stats?: ModelStats;
}

/**
 * bench/in-process's runConfig, keyed by cell instead of by path name so several Proton settings can
 * share a run: the measured time is split into rounds, each round runs every cell once in a
 * rotated order (a burst of load from elsewhere hits all alike), and cells never overlap.
 */
export async function measureCells(cells: readonly Cell[], inFlight: number, options: RunOptions): Promise<Map<string, CellMeasurement>> {
  const roundMs = options.durationMs / options.rounds;
  const totals = new Map<string, Totals>();
  for (const cell of cells) {
    const total: Totals = { samplesMs: [], wallMs: 0, cpuMs: 0, waitMs: 0 };
    if (cell.model !== undefined) total.stats = emptyStats();
    totals.set(cell.key, total);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const cell of rotate(cells, round)) {
      if (round === 0 && options.warmupMs > 0) await measureInFlight(cell.path, inFlight, options.warmupMs);
      const total = totals.get(cell.key);
      if (total === undefined) continue;
      const statsBefore = cell.model?.stats();
      const waitBefore = runqueueWaitByThread();
      const segment = await measureInFlight(cell.path, inFlight, roundMs);
      total.waitMs += runqueueWaitMs(waitBefore, runqueueWaitByThread());
      // Every call has settled, so the stats include each of its executions.
      if (cell.model !== undefined && statsBefore !== undefined && total.stats !== undefined) {
        accumulateStats(total.stats, statsBefore, cell.model.stats());
      }
      for (const sample of segment.samplesMs) total.samplesMs.push(sample);
      total.wallMs += segment.wallMs;
      total.cpuMs += segment.cpuMs ?? Number.NaN;
    }
  }
  const results = new Map<string, CellMeasurement>();
  for (const [key, total] of totals) {
    const measured: CellMeasurement = {
      measurement: summarizeCalls(total.samplesMs, total.wallMs, total.cpuMs),
      coresUsed: total.cpuMs / total.wallMs,
      runqueueWait: total.waitMs / total.wallMs,
    };
    if (total.stats !== undefined) measured.stats = total.stats;
    results.set(key, measured);
  }
  return results;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

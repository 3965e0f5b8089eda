import type { Model, ModelStats } from '../../ts/index';
import type { InferPath } from '../micro/infer-path';
import { measureInFlight, type Segment } from '../micro/measure';
import type { RunOptions } from '../micro/run-config';
import { summarize, type Measurement } from '../micro/stats';
import { accumulateStats, emptyStats } from './proton-variant';

/** One path to measure; `model` is set for Proton, whose batch statistics are collected too. */
export interface Cell {
  key: string;
  path: InferPath;
  model?: Model;
}

export interface CellMeasurement {
  measurement: Measurement;
  /** Proton only: counters over the measured stretches (warm-up excluded). */
  stats?: ModelStats;
}

/**
 * bench/micro's runConfig, keyed by cell instead of by path name so several Proton settings can
 * share a run: the measured time is split into rounds, each round runs every cell once in a
 * rotated order (a burst of load from elsewhere hits all alike), and cells never overlap.
 */
export async function measureCells(cells: readonly Cell[], inFlight: number, options: RunOptions): Promise<Map<string, CellMeasurement>> {
  const roundMs = options.durationMs / options.rounds;
  const segments = new Map<string, Segment>(cells.map((c) => [c.key, { samplesMs: [], wallMs: 0 }]));
  const stats = new Map<string, ModelStats>(cells.flatMap((c) => (c.model ? [[c.key, emptyStats()] as const] : [])));
  for (let round = 0; round < options.rounds; round++) {
    for (const cell of rotate(cells, round)) {
      if (round === 0 && options.warmupMs > 0) await measureInFlight(cell.path, inFlight, options.warmupMs);
      const before = cell.model?.stats();
      const segment = await measureInFlight(cell.path, inFlight, roundMs);
      // Every call has settled, so the stats include each of its executions.
      const total = stats.get(cell.key);
      if (cell.model !== undefined && before !== undefined && total !== undefined) accumulateStats(total, before, cell.model.stats());
      const merged = segments.get(cell.key);
      if (merged === undefined) continue;
      for (const sample of segment.samplesMs) merged.samplesMs.push(sample);
      merged.wallMs += segment.wallMs;
    }
  }
  const results = new Map<string, CellMeasurement>();
  for (const [key, segment] of segments) {
    const measured: CellMeasurement = { measurement: summarize(segment.samplesMs, segment.wallMs) };
    const cellStats = stats.get(key);
    if (cellStats !== undefined) measured.stats = cellStats;
    results.set(key, measured);
  }
  return results;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

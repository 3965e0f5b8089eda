import type { InferPath } from './infer-path';
import { measureInFlight, measureSequential, type Segment } from './measure';
import { summarizeCalls, type CallMeasurement } from '../common/stats';

export interface RunOptions {
  /** Measured time per path, split evenly over the rounds. */
  durationMs: number;
  /** Unmeasured time per path before its first round. */
  warmupMs: number;
  rounds: number;
}

/**
 * Measures every path with `inFlight` calls outstanding. The measured time is split into rounds,
 * and each round runs the paths one after another in a rotated order, so a burst of load from
 * elsewhere on a shared machine hits every path alike instead of one. Paths never overlap.
 */
export async function runConfig(paths: readonly InferPath[], inFlight: number, options: RunOptions): Promise<Map<string, CallMeasurement>> {
  const roundMs = options.durationMs / options.rounds;
  const merged = new Map<string, Segment>(paths.map((p) => [p.name, { samplesMs: [], wallMs: 0, cpuMs: 0 }]));
  for (let round = 0; round < options.rounds; round++) {
    const order = rotate(paths, round);
    const warmupMs = round === 0 ? options.warmupMs : 0;
    const segments = inFlight === 1 ? await measureSequential(order, roundMs, warmupMs) : await inFlightRound(order, inFlight, roundMs, warmupMs);
    for (const [name, segment] of segments) {
      const total = merged.get(name);
      if (total === undefined) continue;
      for (const sample of segment.samplesMs) total.samplesMs.push(sample);
      total.wallMs += segment.wallMs;
      total.cpuMs = (total.cpuMs ?? 0) + (segment.cpuMs ?? Number.NaN);
    }
  }
  return new Map([...merged].map(([name, total]) => [name, summarizeCalls(total.samplesMs, total.wallMs, total.cpuMs)]));
}

async function inFlightRound(paths: readonly InferPath[], inFlight: number, roundMs: number, warmupMs: number): Promise<Map<string, Segment>> {
  const segments = new Map<string, Segment>();
  for (const path of paths) {
    if (warmupMs > 0) await measureInFlight(path, inFlight, warmupMs);
    segments.set(path.name, await measureInFlight(path, inFlight, roundMs));
  }
  return segments;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

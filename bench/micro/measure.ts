import { performance } from 'node:perf_hooks';
import { Bench } from 'tinybench';

import type { InferPath, PathName } from './infer-path';
import { summarize, type Measurement } from './stats';

export interface MeasureOptions {
  durationMs: number;
  warmupMs: number;
}

/**
 * One call in flight, timed by tinybench: each sample is one awaited call. Throughput is
 * 1000 / mean latency (tinybench's period), i.e. back-to-back calls with nothing else in flight.
 */
export async function measureSequential(
  paths: readonly InferPath[],
  { durationMs, warmupMs }: MeasureOptions,
): Promise<Map<PathName, Measurement>> {
  const bench = new Bench({ time: durationMs, warmupTime: warmupMs, warmupIterations: 200, throws: true });
  for (const path of paths) {
    bench.add(path.name, async () => {
      await path.infer();
    });
  }
  await bench.run();
  const results = new Map<PathName, Measurement>();
  for (const path of paths) {
    const result = bench.getTask(path.name)?.result;
    if (result?.state !== 'completed') throw new Error(`tinybench: ${path.name} did not complete (${result?.state ?? 'missing'})`);
    const { latency } = result;
    results.set(path.name, {
      calls: latency.samplesCount,
      meanUs: latency.mean * 1000,
      p50Us: latency.p50 * 1000,
      p99Us: latency.p99 * 1000,
      callsPerSecond: 1000 / latency.mean,
    });
  }
  return results;
}

/**
 * `inFlight` calls outstanding at all times for `durationMs`: each of `inFlight` lanes issues its
 * next call as soon as its previous one settles. Latency is each call's own issue-to-settle time
 * (so it grows with the queue); throughput is completed calls over wall time, the tail drain
 * included. tinybench's per-sample throughput (1000 / latency) would be wrong here, since calls
 * overlap, hence this loop rather than tinybench's `concurrency: 'task'` mode.
 */
export async function measureInFlight(path: InferPath, inFlight: number, { durationMs, warmupMs }: MeasureOptions): Promise<Measurement> {
  await runLanes(path, inFlight, warmupMs, []);
  const samples: number[] = [];
  const start = performance.now();
  await runLanes(path, inFlight, durationMs, samples);
  return summarize(samples, performance.now() - start);
}

async function runLanes(path: InferPath, inFlight: number, durationMs: number, samples: number[]): Promise<void> {
  const deadline = performance.now() + durationMs;
  const lane = async (): Promise<void> => {
    for (let started = performance.now(); started < deadline; started = performance.now()) {
      await path.infer();
      samples.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

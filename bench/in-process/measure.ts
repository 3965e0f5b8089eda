import { performance } from 'node:perf_hooks';

import type { InferPath } from './infer-path';

/** Latency samples (ms) of one measured stretch, the wall-clock time and the CPU time it took. */
export interface Segment {
  samplesMs: number[];
  wallMs: number;
  /** User + system time of the whole process (every thread: Proton's model thread, the worker); absent if not measured. */
  cpuMs?: number;
}

/**
 * One call in flight, timed by tinybench: each sample is one awaited call. The paths run one
 * after another, in the given order, for `durationMs` each. Wall time is the sum of the samples,
 * so throughput is 1000 / mean latency (tinybench's period): back-to-back calls.
 */
export async function measureSequential(
  paths: readonly InferPath[],
  durationMs: number,
  warmupMs: number,
): Promise<Map<string, Segment>> {
  // tinybench 6 is ESM-only; a dynamic import loads it from this CommonJS build.
  const { Bench } = await import('tinybench');
  const bench = new Bench({
    time: durationMs,
    iterations: 16,
    warmup: warmupMs > 0,
    warmupTime: warmupMs,
    warmupIterations: 16,
    retainSamples: true,
    throws: true,
  });
  const cpuMs = new Map<string, number>();
  for (const path of paths) {
    let cpuStart: NodeJS.CpuUsage | undefined;
    bench.add(
      path.name,
      async () => {
        await path.infer();
      },
      {
        beforeAll: (mode) => {
          if (mode === 'run') cpuStart = process.cpuUsage();
        },
        afterAll: (mode) => {
          if (mode === 'run') cpuMs.set(path.name, cpuMillis(process.cpuUsage(cpuStart)));
        },
      },
    );
  }
  await bench.run();
  const segments = new Map<string, Segment>();
  for (const path of paths) {
    const result = bench.getTask(path.name)?.result;
    if (result?.state !== 'completed' || result.latency.samples === undefined) {
      throw new Error(`tinybench: ${path.name} did not complete (${result?.state ?? 'missing'})`);
    }
    const samplesMs = [...result.latency.samples];
    segments.set(path.name, { samplesMs, wallMs: result.totalTime, cpuMs: cpuMs.get(path.name) ?? Number.NaN });
  }
  return segments;
}

/**
 * `inFlight` calls outstanding at all times for `durationMs`: each of `inFlight` lanes issues its
 * next call as soon as its previous one settles. Latency is each call's own issue-to-settle time
 * (so it grows with the queue); wall time runs until the last call settles, tail drain included,
 * and throughput is calls / wall time. tinybench's `concurrency: 'task'` mode keeps N calls
 * outstanding too, but derives throughput from each sample (1000 / latency), which is wrong once
 * calls overlap, and does not report the wall time: hence this loop.
 */
export async function measureInFlight(path: InferPath, inFlight: number, durationMs: number): Promise<Segment> {
  const samplesMs: number[] = [];
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + durationMs;
  const lane = async (): Promise<void> => {
    for (let issued = performance.now(); issued < deadline; issued = performance.now()) {
      await path.infer();
      samplesMs.push(performance.now() - issued);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const wallMs = performance.now() - start;
  return { samplesMs, wallMs, cpuMs: cpuMillis(process.cpuUsage(cpuStart)) };
}

function cpuMillis(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

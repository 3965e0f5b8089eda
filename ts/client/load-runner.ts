import { errorKeyOf, errorMessageOf } from './request-error';

/**
 * A fixed-concurrency load loop: `concurrency` workers each send one request at a time, back to
 * back, until the request count or the duration is reached. Transport-agnostic: it only awaits
 * `send(index)`, timing each call with the monotonic clock and tallying every failure.
 */

/** How a load run is driven. */
export interface LoadOptions {
  /** Sends request number `index` (0-based, issued in order) and settles when its answer is in; throws on failure. */
  send: (index: number) => Promise<unknown>;
  /** Requests to send in all; the run also ends at `durationSec` when both are given. */
  requests?: number;
  /** Seconds during which new requests are issued; requests in flight at the end still complete. */
  durationSec?: number;
  /** Requests in flight at once (an integer ≥ 1). */
  concurrency: number;
  /** The group of request `index` in the results (e.g. its model); '' when omitted. */
  groupOf?: (index: number) => string;
  /** Called after each request settles. */
  onProgress?: (progress: LoadProgress) => void;
  /** Aborting stops issuing requests; those in flight complete and the result covers what ran. */
  signal?: AbortSignal;
}

/** Where a run stands, passed to `onProgress`. */
export interface LoadProgress {
  completed: number;
  failed: number;
  elapsedMs: number;
}

/** One settled request. */
export interface RequestSample {
  index: number;
  group: string;
  /** When it was sent, in ms since the run started. */
  startMs: number;
  latencyMs: number;
  ok: boolean;
}

/** The failures that share one key ("HTTP 503", "gRPC UNAVAILABLE", ...). */
export interface ErrorTally {
  key: string;
  count: number;
  /** The first message seen with this key. */
  message: string;
}

/** Everything a run measured. */
export interface LoadResult {
  /** Every settled request, in completion order. */
  samples: RequestSample[];
  requests: number;
  succeeded: number;
  failed: number;
  /** From the first send to the last answer. */
  elapsedMs: number;
  /** Successful requests per second of `elapsedMs`. */
  throughput: number;
  /** Failures grouped by key, most frequent first. */
  errors: ErrorTally[];
}

/** Runs the load described by `options` and resolves when every issued request has settled. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { send, requests, durationSec, concurrency, groupOf, onProgress, signal } = validate(options);
  const samples: RequestSample[] = [];
  const tallies = new Map<string, ErrorTally>();
  let issued = 0;
  let failed = 0;

  const runStart = process.hrtime.bigint();
  const deadline = durationSec === undefined ? undefined : runStart + BigInt(Math.round(durationSec * 1e9));
  let lastEnd = runStart;

  const worker = async (): Promise<void> => {
    for (;;) {
      if (signal?.aborted || (requests !== undefined && issued >= requests)) return;
      const start = process.hrtime.bigint();
      if (deadline !== undefined && start >= deadline) return;
      const index = issued++;
      const group = groupOf ? groupOf(index) : '';
      let ok = true;
      try {
        await send(index);
      } catch (error) {
        ok = false;
        failed++;
        const key = errorKeyOf(error);
        const tally = tallies.get(key);
        if (tally) tally.count++;
        else tallies.set(key, { key, count: 1, message: errorMessageOf(error) });
      }
      const end = process.hrtime.bigint();
      if (end > lastEnd) lastEnd = end;
      samples.push({ index, group, startMs: nsToMs(start - runStart), latencyMs: nsToMs(end - start), ok });
      onProgress?.({ completed: samples.length, failed, elapsedMs: nsToMs(end - runStart) });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  const elapsedMs = nsToMs(lastEnd - runStart);
  const succeeded = samples.length - failed;
  return {
    samples,
    requests: samples.length,
    succeeded,
    failed,
    elapsedMs,
    throughput: elapsedMs > 0 ? (succeeded * 1000) / elapsedMs : 0,
    errors: [...tallies.values()].sort((a, b) => b.count - a.count),
  };
}

/** Latencies of the successful requests of `group` (all groups when omitted), in completion order. */
export function successfulLatencies(result: LoadResult, group?: string): number[] {
  const latencies: number[] = [];
  for (const sample of result.samples) {
    if (sample.ok && (group === undefined || sample.group === group)) latencies.push(sample.latencyMs);
  }
  return latencies;
}

function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

function validate(options: LoadOptions): LoadOptions {
  const { requests, durationSec, concurrency } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer ≥ 1, received ${concurrency}`);
  }
  if (requests !== undefined && (!Number.isInteger(requests) || requests < 0)) {
    throw new RangeError(`requests must be an integer ≥ 0, received ${requests}`);
  }
  if (durationSec !== undefined && !(durationSec > 0 && Number.isFinite(durationSec))) {
    throw new RangeError(`durationSec must be a positive number of seconds, received ${durationSec}`);
  }
  if (requests === undefined && durationSec === undefined) {
    throw new RangeError('give requests, durationSec or both: a run needs an end');
  }
  return options;
}

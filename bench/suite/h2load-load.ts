import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { summarizeLatencies } from '../common/stats';
import type { Measurement } from './cell-result';

/**
 * The gRPC load generator: h2load (nghttp2's HTTP/2 benchmarker, C) posting one prepared body, the
 * 5-byte gRPC frame prefix and a serialized ModelInferRequest, with gRPC's headers. It needs a
 * fraction of a core where a grpc-js client would need as much as the server. h2load sees HTTP
 * statuses only, not grpc-status trailers: the suite checks one call through grpc-js first, and
 * every call posts the same bytes.
 */

const run = promisify(execFile);

/** h2load's own counters, from its "requests:" line. */
export interface H2loadCounts {
  total: number;
  started: number;
  done: number;
  succeeded: number;
  failed: number;
  errored: number;
  timeout: number;
}

/** The counters of h2load's summary; throws when the line is missing. */
export function parseH2loadCounts(stdout: string): H2loadCounts {
  const match = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(stdout);
  if (match === null) throw new Error(`h2load printed no request counts:\n${stdout.slice(0, 2000)}`);
  const [total, started, done, succeeded, failed, errored, timeout] = match.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return { total, started, done, succeeded, failed, errored, timeout };
}

/**
 * Latencies (ms) of the 2xx requests in h2load's `--log-file`: tab-separated start time (µs since
 * the epoch), HTTP status, µs until the end of the response.
 */
export function parseH2loadLog(text: string): { latenciesMs: number[]; nonSuccess: number } {
  const latenciesMs: number[] = [];
  let nonSuccess = 0;
  for (const line of text.split('\n')) {
    const [, statusText, durationText] = line.split('\t');
    if (durationText === undefined) continue;
    const statusCode = Number(statusText);
    if (statusCode >= 200 && statusCode < 300) latenciesMs.push(Number(durationText) / 1000);
    else nonSuccess++;
  }
  return { latenciesMs, nonSuccess };
}

/** A measurement from h2load's counters and log over `durationSec` of measured load. */
export function h2loadMeasurement(counts: H2loadCounts, log: { latenciesMs: number[]; nonSuccess: number }, durationSec: number): Measurement {
  const succeeded = log.latenciesMs.length;
  const errors = counts.failed + counts.errored + counts.timeout;
  const errorKinds = (
    [
      ['h2load failed', counts.failed],
      ['h2load errored', counts.errored],
      ['h2load timeout', counts.timeout],
    ] as const
  )
    .filter(([, count]) => count > 0)
    .map(([key, count]) => ({ key, count, message: `${count} counted by h2load` }));
  return {
    requests: counts.done,
    errors: Math.max(errors, log.nonSuccess),
    elapsedMs: durationSec * 1000,
    throughput: succeeded / durationSec,
    latency: summarizeLatencies(log.latenciesMs),
    errorKinds,
  };
}

/** How h2load spreads `concurrency` calls: up to `connections` HTTP/2 connections, the calls split between them as streams. */
export function h2loadShape(concurrency: number, connections: number): { clients: number; streams: number } {
  const clients = Math.max(1, Math.min(concurrency, connections));
  return { clients, streams: Math.ceil(concurrency / clients) };
}

export interface H2loadTarget {
  measure(concurrency: number, warmupSec: number, durationSec: number, onMeasuredStart?: () => void): Promise<Measurement>;
  close(): Promise<void>;
}

/** Prepares h2load to post `body` to `url` (the ModelInfer path) over up to `connections` connections. */
export async function h2loadTarget(url: string, body: Buffer, connections: number): Promise<H2loadTarget> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'proton-h2load-'));
  const bodyFile = path.join(dir, 'body');
  const logFile = path.join(dir, 'requests.log');
  await writeFile(bodyFile, body);
  const h2load = async (concurrency: number, seconds: number): Promise<string> => {
    const { clients, streams } = h2loadShape(concurrency, connections);
    const args = [
      '-t1',
      `-c${clients}`,
      `-m${streams}`,
      `-D${Math.max(1, Math.ceil(seconds))}`,
      '-d',
      bodyFile,
      '-H',
      'content-type: application/grpc',
      '-H',
      'te: trailers',
      `--log-file=${logFile}`,
      url,
    ];
    // h2load appends to its log: start each run with an empty one, so the measured run's log holds only its own requests.
    await rm(logFile, { force: true });
    const { stdout } = await run('h2load', args, { maxBuffer: 1 << 20 });
    return stdout;
  };
  return {
    async measure(concurrency, warmupSec, durationSec, onMeasuredStart) {
      if (warmupSec > 0) await h2load(concurrency, warmupSec);
      onMeasuredStart?.();
      const seconds = Math.max(1, Math.ceil(durationSec));
      const stdout = await h2load(concurrency, durationSec);
      return h2loadMeasurement(parseH2loadCounts(stdout), parseH2loadLog(await readFile(logFile, 'utf8')), seconds);
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

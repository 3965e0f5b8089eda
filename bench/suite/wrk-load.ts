import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { EncodedRequest } from '../../ts/client/rest-encodings';
import type { Measurement } from './cell-result';

/**
 * The REST load generator of the small models: wrk (C, one thread, keep-alive connections,
 * one request in flight per connection, like the clients' loop). The clients' node:http loop tops
 * out near the server's speed on a small model; wrk needs a fraction of a core for the same load,
 * so the server becomes the bottleneck. `wrk` comes from Debian's package of that name.
 */

const run = promisify(execFile);

/** The Lua script: posts the request file, then prints wrk's statistics as one JSON line. */
function luaScript(bodyFile: string, headers: EncodedRequest['headers']): string {
  // wrk writes Content-Length itself; a second one would make the request invalid.
  const headerLines = Object.entries(headers)
    .filter(([name]) => name.toLowerCase() !== 'content-length')
    .map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(String(value))}`)
    .join('\n');
  return `local file = io.open(${JSON.stringify(bodyFile)}, "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
${headerLines}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"mean":%f,"min":%d,"max":%d,"p50":%d,"p95":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.min, latency.max, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
`;
}

/** wrk's statistics as the script prints them (latencies in µs). */
export interface WrkStats {
  requests: number;
  durationUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Converts wrk's statistics into a Measurement (ms); non-2xx answers and socket errors count as errors. */
export function wrkMeasurement(stats: WrkStats): Measurement {
  const failed = stats.status + stats.timeout + stats.read + stats.write + stats.connect;
  const succeeded = Math.max(0, stats.requests - stats.status);
  const errorKinds = (
    [
      ['HTTP non-2xx', stats.status],
      ['wrk timeout', stats.timeout],
      ['wrk socket read', stats.read],
      ['wrk socket write', stats.write],
      ['wrk connect', stats.connect],
    ] as const
  )
    .filter(([, count]) => count > 0)
    .map(([key, count]) => ({ key, count, message: `${count} counted by wrk` }));
  return {
    requests: stats.requests,
    errors: failed,
    elapsedMs: stats.durationUs / 1000,
    throughput: stats.durationUs > 0 ? (succeeded * 1e6) / stats.durationUs : 0,
    latency: succeeded === 0 ? noLatency() : {
      count: succeeded,
      min: stats.min / 1000,
      max: stats.max / 1000,
      mean: stats.mean / 1000,
      median: stats.p50 / 1000,
      p95: stats.p95 / 1000,
      p99: stats.p99 / 1000,
    },
    errorKinds,
  };
}

/** What the clients' statistics say when nothing succeeded: no latencies at all. */
function noLatency(): Measurement['latency'] {
  return { count: 0, min: Number.NaN, max: Number.NaN, mean: Number.NaN, median: Number.NaN, p95: Number.NaN, p99: Number.NaN };
}

/** A REST request ready for wrk; `close` removes its files. */
export interface WrkTarget {
  /** `onMeasuredStart` runs after the warm-up, right before the measured run (the suite starts its CPU meter there). */
  measure(concurrency: number, warmupSec: number, durationSec: number, onMeasuredStart?: () => void): Promise<Measurement>;
  close(): Promise<void>;
}

/** Prepares wrk to post `request` to `baseUrl` (wrk takes whole seconds: durations round up to at least 1 s). */
export async function wrkTarget(baseUrl: string, request: EncodedRequest): Promise<WrkTarget> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'proton-wrk-'));
  const bodyFile = path.join(dir, 'body');
  const script = path.join(dir, 'post.lua');
  await writeFile(bodyFile, request.body);
  await writeFile(script, luaScript(bodyFile, request.headers));
  const url = `${baseUrl}${request.path}`;
  const wrk = async (concurrency: number, seconds: number): Promise<WrkStats> => {
    const args = ['-t1', `-c${concurrency}`, `-d${Math.max(1, Math.ceil(seconds))}s`, '--timeout', '60s', '-s', script, url];
    const { stdout } = await run('wrk', args, { maxBuffer: 1 << 20 });
    const line = stdout.split('\n').find((text) => text.startsWith('WRK '));
    if (line === undefined) throw new Error(`wrk printed no statistics:\n${stdout}`);
    return JSON.parse(line.slice(4)) as WrkStats;
  };
  return {
    async measure(concurrency, warmupSec, durationSec, onMeasuredStart) {
      if (warmupSec > 0) await wrk(concurrency, warmupSec);
      onMeasuredStart?.();
      return wrkMeasurement(await wrk(concurrency, durationSec));
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Throughput of the tiny Add model over REST V2 binary with observability off (no metrics, no
 * access log, plain infer), with metrics (Triton and Proton metrics and statistics, phase timing;
 * the access log off, as at the default INFO level) and all on (the access log at debug too, to
 * /dev/null), in alternating wrk runs; then the cost of scraping /metrics under load.
 *
 *   node dist/bench/observability-overhead.js [--rounds 5] [--seconds 10] [--connections 32] [--scrape-models 50]
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Model } from '../ts/model';
import { DEMO_MODELS_DIR, ensureDemoModels } from '../ts/onnx/demo-models';
import { startHttpServer } from '../ts/server/http/http-server';
import { createLogger } from '../ts/server/logger';
import { batchedDestination } from '../ts/server/log-destination';
import { createMetrics } from '../ts/server/metrics';
import { ModelRegistry } from '../ts/repository/model-registry';
import { RequestObserver } from '../ts/server/request-observer';

const run = promisify(execFile);
const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};

/** Child: one server, `on` or `off`, with `models` copies of Add; prints its port, reports loop delay on SIGTERM. */
async function serve(mode: string, models: number): Promise<void> {
  const paths = await ensureDemoModels(DEMO_MODELS_DIR);
  const registry = new ModelRegistry();
  for (let i = 0; i < models; i++) {
    registry.add({ name: i === 0 ? 'add' : `add${i}`, version: '1', model: await Model.load(paths.add, { intraOpNumThreads: 1 }) });
  }
  const level = mode === 'on' ? 'DEBUG' : mode === 'metrics' ? 'INFO' : 'WARN';
  const logger = createLogger({ level, format: 'json', destination: batchedDestination('/dev/null') });
  const metrics = createMetrics(registry);
  const observer = mode === 'off' ? new RequestObserver(undefined, logger) : undefined;
  const http = await startHttpServer(registry, { host: '127.0.0.1', port: 0, metrics, logger, ...(observer ? { observer } : {}) });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.on('message', (message) => {
    if (message === 'reset') delay.reset();
    if (message === 'report') process.send!({ maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6, meanMs: delay.mean / 1e6 });
  });
  process.send!({ port: http.port });
}

function binaryBody(): { body: Buffer; headerLength: number } {
  const header = Buffer.from(
    JSON.stringify({
      inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } })),
      outputs: [{ name: 'sum', parameters: { binary_data: true } }],
    }),
  );
  const data = Buffer.from(new Float32Array(32).fill(1.5).buffer);
  return { body: Buffer.concat([header, data]), headerLength: header.length };
}

async function wrk(port: number, seconds: number, connections: number, script: string): Promise<{ rps: number; p99Us: number }> {
  const { stdout } = await run('/usr/bin/wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, `http://127.0.0.1:${port}/v2/models/add/infer`], { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('WRK '))!;
  const stats = JSON.parse(line.slice(4)) as { requests: number; durationUs: number; status: number; p99: number };
  if (stats.status > 0) throw new Error(`wrk saw ${stats.status} non-2xx answers`);
  return { rps: stats.requests / (stats.durationUs / 1e6), p99Us: stats.p99 };
}

function startChild(mode: string, models: number): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(__filename, ['--serve', mode, String(models)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, port: (message as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
  });
}

function ask(child: ChildProcess, message: string): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    child.once('message', (reply) => resolve(reply as Record<string, number>));
    child.send(message);
  });
}

/** utime + stime of a process in clock ticks (100 per second on Linux). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const MODES = ['off', 'metrics', 'on'] as const;
type Mode = (typeof MODES)[number];

function report(results: Record<Mode, Array<{ rps: number; p99Us: number; cpuUs: number }>>): void {
  const off = median(results.off.map((r) => r.rps));
  const cpuOff = median(results.off.map((r) => r.cpuUs));
  for (const mode of ['metrics', 'on'] as const) {
    const rps = median(results[mode].map((r) => r.rps));
    const cpu = median(results[mode].map((r) => r.cpuUs));
    console.log(
      `median ${mode} ${rps.toFixed(0)} req/s vs off ${off.toFixed(0)}: ${((rps / off) * 100).toFixed(1)}%; ` +
        `server CPU per request ${cpu.toFixed(1)} µs vs ${cpuOff.toFixed(1)} µs (+${(cpu - cpuOff).toFixed(1)} µs, +${(((cpu - cpuOff) / cpuOff) * 100).toFixed(1)}%)`,
    );
  }
}

async function main(): Promise<void> {
  const rounds = arg('rounds', 5);
  const seconds = arg('seconds', 10);
  const connections = arg('connections', 32);
  const scrapeModels = arg('scrape-models', 50);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'proton-obs-'));
  const { body, headerLength } = binaryBody();
  await writeFile(path.join(dir, 'body.bin'), body);
  const script = path.join(dir, 'post.lua');
  await writeFile(
    script,
    `local f = io.open(${JSON.stringify(path.join(dir, 'body.bin'))}, "rb")\nwrk.method = "POST"\nwrk.body = f:read("*a")\nf:close()\n` +
      `wrk.headers["Inference-Header-Content-Length"] = "${headerLength}"\nwrk.headers["Content-Type"] = "application/octet-stream"\n` +
      `done = function(s, l) io.write(string.format('WRK {"requests":%d,"durationUs":%d,"status":%d,"p99":%d}\\n', s.requests, s.duration, s.errors.status, l:percentile(99))) end\n`,
  );

  const results: Record<Mode, Array<{ rps: number; p99Us: number; cpuUs: number }>> = { off: [], metrics: [], on: [] };
  for (let round = 0; round < rounds; round++) {
    // The order rotates so that no mode always runs first (or right after another one).
    for (const mode of MODES.map((_, i) => MODES[(i + round) % MODES.length]!)) {
      const { child, port } = await startChild(mode, 1);
      await wrk(port, 2, connections, script); // warm-up
      const ticks = cpuTicks(child.pid!);
      const result = await wrk(port, seconds, connections, script);
      const cpuUs = ((cpuTicks(child.pid!) - ticks) * 1e4) / (result.rps * seconds);
      results[mode].push({ ...result, cpuUs });
      console.log(`round ${round + 1} ${mode.padEnd(7)} ${result.rps.toFixed(0)} req/s  p99 ${result.p99Us} µs  server CPU ${cpuUs.toFixed(1)} µs/request`);
      child.kill('SIGTERM');
    }
  }
  if (rounds > 0) report(results);

  // Scraping under load: the same server with many models, with and without a scrape every 100 ms.
  const { child, port } = await startChild('on', scrapeModels);
  await wrk(port, 2, connections, script);
  for (const scraping of [false, true]) {
    child.send('reset');
    let stop = false;
    const scrapeMs: number[] = [];
    let bytes = 0;
    const scraper = (async () => {
      while (!stop && scraping) {
        const started = performance.now();
        bytes = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).length;
        scrapeMs.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const result = await wrk(port, seconds, connections, script);
    stop = true;
    await scraper;
    const loop = await ask(child, 'report');
    console.log(
      `${scrapeModels} models, ${scraping ? `scrape every 100 ms (${scrapeMs.length} scrapes, ${bytes} bytes, median ${median(scrapeMs).toFixed(2)} ms, max ${Math.max(...scrapeMs).toFixed(2)} ms)` : 'no scrape'}: ` +
        `${result.rps.toFixed(0)} req/s, p99 ${result.p99Us} µs, event-loop delay max ${loop.maxMs!.toFixed(2)} ms p99 ${loop.p99Ms!.toFixed(2)} ms`,
    );
  }
  child.kill('SIGTERM');
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3]!, Number(process.argv[4])).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as ort from 'onnxruntime-node';

import { CLI, spawnCli, type CliProcess } from '../helpers/cli-process';
import { field, varint } from '../helpers/grpc-raw';
import { demoModels } from '../helpers/models';
import { rawExchange, statusOf } from '../helpers/raw-http';
import { binaryRequest } from '../helpers/v2-binary';

/**
 * A long mixed run against the real server (the CLI as a child process, loopback only): good
 * requests on every protocol, the bad requests of the hardening tests, client cancellations and
 * overload, at bounded concurrency. Each request must end with the status its kind allows within
 * a deadline; the server's RSS is sampled from /proc.
 */

export interface SoakOptions {
  requests: number;
  concurrency?: number;
  /** Called about once a second. */
  onProgress?: (done: number, rssMiB: number) => void;
}

export interface SoakResult {
  requests: number;
  seconds: number;
  /** Requests per kind, and what each ended with. */
  kinds: Record<string, Record<string, number>>;
  /** Requests that ended with a status their kind does not allow, or not at all (with examples). */
  failures: number;
  failureExamples: string[];
  crashed: boolean;
  rssWarmMiB: number;
  rssMinMiB: number;
  rssMaxMiB: number;
  rssEndMiB: number;
}

const DEADLINE_MS = 15_000;
const a16 = Array.from({ length: 16 }, (_, i) => i);
const GOOD_JSON = JSON.stringify({ inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], data: a16 })) });
const EXPECTED_SUM = a16.map((v) => 2 * v);
const floats = Buffer.from(Float32Array.from(a16).buffer);
const BINARY = binaryRequest(
  { inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } })), parameters: { binary_data_output: true } },
  [floats, floats],
);

const grpcInput = (name: string): Buffer =>
  Buffer.concat([field(1, name), field(2, 'FP32'), field(3, Buffer.concat([varint(1), varint(16)])), field(5, field(6, floats))]);
const MODEL_INFER = Buffer.concat([field(1, 'add'), field(5, grpcInput('a')), field(5, grpcInput('b'))]);
const GRPC_PREDICT = Buffer.concat([
  field(1, 'dynamic_batch'),
  field(2, Buffer.from(Float32Array.from([0, 1, 2, 3]).buffer)),
  field(3, Buffer.concat([varint(1), varint(4)])),
]);
const MLP_JSON = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [8, 256], data: new Array(8 * 256).fill(0.5) }] });
const NESTED_BOMB = `{"inputs":[{"name":"a","datatype":"FP32","shape":[1,16],"data":[${new Array(30_000).fill('[0]').join(',')}]}]}`;
const SMALL_GZIP_BOMB = zlib.gzipSync(Buffer.concat([Buffer.from('{"inputs":[{"name":"a","data":"'), Buffer.alloc(8 * 1024 * 1024, 0x20)]));

function grpcFrame(message: Buffer, declared = message.length): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(declared, 1);
  return Buffer.concat([head, message]);
}

type Outcome = string;
interface Kind {
  name: string;
  weight: number;
  /** Outcomes that count as correctly answered. */
  allowed: readonly Outcome[];
  run: (ctx: Ctx) => Promise<Outcome>;
}
interface Ctx {
  http: string;
  httpPort: number;
  grpc: (forCancels: boolean) => http2.ClientHttp2Session;
}

async function rest(ctx: Ctx, route: string, init: RequestInit, check?: (body: ArrayBuffer) => boolean): Promise<Outcome> {
  const response = await fetch(`${ctx.http}${route}`, { ...init, signal: init.signal ?? AbortSignal.timeout(DEADLINE_MS) });
  const body = await response.arrayBuffer();
  if (response.status === 200 && check && !check(body)) return 'wrong-answer';
  return String(response.status);
}

function sumIsRight(body: ArrayBuffer): boolean {
  const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { outputs: Array<{ data: number[] }> };
  return parsed.outputs[0]!.data.join() === EXPECTED_SUM.join();
}

/** x = [[0,1,2,3]] for the dynamic_batch model (predict feeds the first input only). */
const PREDICT_X = [0, 1, 2, 3];
/** Its y from onnxruntime-node, filled in by runSoak before the first request. */
let predictReference: number[] = [];

function predictIsRight(body: ArrayBuffer): boolean {
  const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { data: number[][] };
  const row = parsed.data[0]!;
  return row.length === predictReference.length && row.every((v, i) => Math.abs(v - predictReference[i]!) <= 1e-6);
}

/** One unary call on the shared session; `cancelAfterMs` resets the stream mid-flight. */
function grpcCall(ctx: Ctx, route: string, data: Buffer, cancelAfterMs?: number): Promise<Outcome> {
  return new Promise((resolve) => {
    // Cancellations on a session of their own: a flood of RST_STREAM is what Node's HTTP/2 server
    // defends against (rapid reset) by closing the session, which must not fail the good calls.
    const stream = ctx.grpc(cancelAfterMs !== undefined).request({ ':method': 'POST', ':path': route, 'content-type': 'application/grpc', te: 'trailers' });
    let done = false;
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (outcome === 'cancelled' || outcome === 'no-answer') stream.close(http2.constants.NGHTTP2_CANCEL);
      resolve(outcome);
    };
    const timer = setTimeout(() => finish('no-answer'), DEADLINE_MS);
    const take = (head: http2.IncomingHttpHeaders): void => {
      if (head['grpc-status'] !== undefined) finish(`grpc-${head['grpc-status']}`);
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', () => undefined);
    stream.on('error', (error: Error) => finish(`stream-error ${error.message.slice(0, 60)}`));
    stream.on('close', () => finish(cancelAfterMs !== undefined ? 'cancelled' : 'closed-without-status'));
    stream.end(data);
    if (cancelAfterMs !== undefined) setTimeout(() => finish('cancelled'), cancelAfterMs);
  });
}

const KINDS: Kind[] = [
  { name: 'rest-json', weight: 20, allowed: ['200'], run: (c) => rest(c, '/v2/models/add/infer', { method: 'POST', body: GOOD_JSON }, sumIsRight) },
  { name: 'rest-binary', weight: 10, allowed: ['200'], run: (c) => rest(c, '/v2/models/add/infer', { method: 'POST', body: BINARY.body, headers: BINARY.headers }, (b) => {
    const out = new Float32Array(b.slice(b.byteLength - 64));
    return Array.from(out).join() === EXPECTED_SUM.join();
  }) },
  { name: 'rest-predict', weight: 10, allowed: ['200'], run: (c) => rest(c, '/predict', { method: 'POST', body: JSON.stringify({ model_name: 'dynamic_batch', data: [PREDICT_X] }) }, predictIsRight) },
  { name: 'grpc-model-infer', weight: 15, allowed: ['grpc-0'], run: (c) => grpcCall(c, '/inference.GRPCInferenceService/ModelInfer', grpcFrame(MODEL_INFER)) },
  { name: 'grpc-predict', weight: 10, allowed: ['grpc-0'], run: (c) => grpcCall(c, '/predict.Predictor/Predict', grpcFrame(GRPC_PREDICT)) },
  { name: 'bad-json', weight: 4, allowed: ['400'], run: (c) => rest(c, '/v2/models/add/infer', { method: 'POST', body: '{"inputs":[' }) },
  { name: 'bad-unknown-model', weight: 3, allowed: ['404'], run: (c) => rest(c, '/v2/models/nope/infer', { method: 'POST', body: GOOD_JSON }) },
  { name: 'bad-nested-bomb', weight: 2, allowed: ['413'], run: (c) => rest(c, '/v2/models/add/infer', { method: 'POST', body: NESTED_BOMB }) },
  { name: 'bad-gzip-bomb', weight: 0.2, allowed: ['413'], run: (c) => rest(c, '/v2/models/add/infer', { method: 'POST', body: SMALL_GZIP_BOMB, headers: { 'content-encoding': 'gzip' } }) },
  { name: 'bad-duplicate-length', weight: 2, allowed: ['400'], run: async (c) => {
    const { text } = await rawExchange(c.httpPort, 'POST /v2/models/add/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', DEADLINE_MS);
    return String(statusOf(text) ?? 'no-answer');
  } },
  { name: 'bad-grpc-prefix', weight: 2, allowed: ['grpc-8'], run: (c) => grpcCall(c, '/inference.GRPCInferenceService/ModelInfer', grpcFrame(MODEL_INFER, 2 ** 31)) },
  { name: 'bad-grpc-message', weight: 2, allowed: ['grpc-3', 'grpc-5', 'grpc-13'], run: (c) => grpcCall(c, '/predict.Predictor/Predict', grpcFrame(Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]))) },
  { name: 'cancel-rest', weight: 4, allowed: ['200', '503', 'cancelled'], run: async (c) => {
    try {
      return await rest(c, '/v2/models/mlp_small_queue/infer', { method: 'POST', body: MLP_JSON, signal: AbortSignal.timeout(1 + Math.floor(Math.random() * 3)) });
    } catch (error) {
      return (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError' ? 'cancelled' : `error-${(error as Error).message}`;
    }
  } },
  { name: 'cancel-grpc', weight: 3, allowed: ['grpc-0', 'cancelled', 'stream-error Session closed with error code 2'], run: (c) => grpcCall(c, '/inference.GRPCInferenceService/ModelInfer', grpcFrame(MODEL_INFER), Math.floor(Math.random() * 2)) },
  { name: 'overload-rest', weight: 8, allowed: ['200', '503'], run: (c) => rest(c, '/v2/models/mlp_small_queue/infer', { method: 'POST', body: MLP_JSON }) },
];

function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Runs the soak and reports; the server is stopped at the end. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const concurrency = options.concurrency ?? 32;
  const models = await demoModels();
  // onnxruntime-node directly (the test helpers import vitest, which a plain node script cannot).
  const session = await ort.InferenceSession.create(models.dynamic_batch);
  const reference = await session.run({ x: new ort.Tensor('float32', Float32Array.from(PREDICT_X), [1, 4]) });
  predictReference = Array.from(reference.y!.data as Float32Array);
  await session.release();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proton-soak-'));
  const config = path.join(dir, 'proton.yaml');
  writeFileSync(config, [
    'log_level: ERROR',
    'models:',
    `  - { name: add, path: ${JSON.stringify(models.add)} }`,
    `  - { name: dynamic_batch, path: ${JSON.stringify(models.dynamic_batch)} }`,
    // A 2-job queue so that bursts overflow it: 503 / RESOURCE_EXHAUSTED, never a hang.
    `  - { name: mlp_small_queue, path: ${JSON.stringify(models.mlp)}, buffer_size: 2 }`,
  ].join('\n'));
  const cli: CliProcess = spawnCli(process.execPath, [CLI, '--config', config, '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0']);
  let crashed = false;
  cli.exited.then(() => {
    crashed = true;
  });
  const ports = await cli.ports;
  const pid = cli.child.pid!;
  const sessions = new Map<boolean, http2.ClientHttp2Session>();
  const ctx: Ctx = {
    http: `http://127.0.0.1:${ports.http}`,
    httpPort: ports.http,
    grpc: (forCancels) => {
      let session = sessions.get(forCancels);
      if (!session || session.closed || session.destroyed) {
        session = http2.connect(`http://127.0.0.1:${ports.grpc}`);
        session.on('error', () => undefined);
        sessions.set(forCancels, session);
      }
      return session;
    },
  };
  const totalWeight = KINDS.reduce((sum, kind) => sum + kind.weight, 0);
  const pick = (i: number): Kind => {
    // A fixed low-discrepancy walk over the weights: the mix is the same for every run.
    let x = ((i * 0.6180339887498949) % 1) * totalWeight;
    for (const kind of KINDS) if ((x -= kind.weight) < 0) return kind;
    return KINDS[0]!;
  };
  const kinds: Record<string, Record<string, number>> = {};
  const failureExamples: string[] = [];
  let failures = 0;
  let next = 0;
  let done = 0;
  const warmAt = Math.min(Math.floor(options.requests / 10), 20_000);
  const samples: number[] = [];
  const started = performance.now();
  const sampler = setInterval(() => {
    if (crashed) return;
    const rss = rssMiB(pid);
    if (done >= warmAt) samples.push(rss);
    options.onProgress?.(done, rss);
  }, 1_000);
  const worker = async (): Promise<void> => {
    while (next < options.requests && !crashed) {
      const kind = pick(next++);
      let outcome: Outcome;
      try {
        outcome = await kind.run(ctx);
      } catch (error) {
        outcome = `error-${(error as Error).message.slice(0, 80)}`;
      }
      const tally = (kinds[kind.name] ??= {});
      tally[outcome] = (tally[outcome] ?? 0) + 1;
      if (!kind.allowed.includes(outcome)) {
        failures++;
        if (failureExamples.length < 10) failureExamples.push(`${kind.name}: ${outcome}`);
      }
      done++;
    }
  };
  const rssWarm = rssMiB(pid);
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(sampler);
  const rssEnd = crashed ? NaN : rssMiB(pid);
  if (!crashed) samples.push(rssEnd);
  for (const session of sessions.values()) session.destroy();
  cli.child.kill('SIGTERM');
  await cli.exited;
  return {
    requests: done,
    seconds: (performance.now() - started) / 1000,
    kinds,
    failures,
    failureExamples,
    crashed: crashed && done < options.requests,
    rssWarmMiB: rssWarm,
    rssMinMiB: Math.min(...samples),
    rssMaxMiB: Math.max(...samples),
    rssEndMiB: rssEnd,
  };
}

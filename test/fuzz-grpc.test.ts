import fc from 'fast-check';
import * as http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { killLeftovers } from './helpers/cli-process';
import { FUZZ_SEED, fuzzRuns, startFuzzTarget, type FuzzTarget } from './helpers/fuzz-server';
import { field, varint } from './helpers/grpc-raw';

/**
 * A gRPC fuzzer below grpc-js (node:http2 and hand-built frames) against the real server: valid
 * ModelInfer and Predict messages mutated (byte flips, cuts, insertions, appended fields, huge
 * varints), random bytes, lying length prefixes, every compression-flag byte, odd grpc-encoding
 * headers, on every RPC. Every stream must end with a grpc-status within its deadline, and the
 * server must keep serving. Seeded: PROTON_FUZZ_SEED, PROTON_FUZZ_RUNS.
 */

const RUNS = fuzzRuns(1_000);
const BATCH = 25;
const STREAM_DEADLINE_MS = 5_000;

const PATHS = [
  '/inference.GRPCInferenceService/ModelInfer', '/inference.GRPCInferenceService/ModelInfer', '/inference.GRPCInferenceService/ModelInfer',
  '/predict.Predictor/Predict', '/predict.Predictor/Predict',
  '/inference.GRPCInferenceService/ModelMetadata', '/inference.GRPCInferenceService/ServerLive', '/inference.GRPCInferenceService/ModelReady',
  '/inference.GRPCInferenceService/ModelStreamInfer', '/inference.GRPCInferenceService/Nope', '/grpc.health.v1.Health/Check',
];

const floats16 = Buffer.alloc(64);
const inferInput = (name: string): Buffer =>
  Buffer.concat([field(1, name), field(2, 'FP32'), field(3, Buffer.concat([varint(1), varint(16)])), field(5, field(6, floats16))]);
const GOOD_INFER = Buffer.concat([field(1, 'add'), field(5, inferInput('a')), field(5, inferInput('b'))]);
const GOOD_PREDICT = Buffer.concat([field(1, 'add'), field(2, floats16), field(3, Buffer.concat([varint(1), varint(16)]))]);

const mutation = fc.oneof(
  fc.tuple(fc.constant('flip' as const), fc.nat(), fc.integer({ min: 0, max: 255 })),
  fc.tuple(fc.constant('cut' as const), fc.nat(), fc.constant(0)),
  fc.tuple(fc.constant('insert' as const), fc.nat(), fc.integer({ min: 0, max: 255 })),
);
const extra = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.tuple(fc.integer({ min: 1, max: 20 }), fc.uint8Array({ maxLength: 40 })).map(([n, b]) => field(n, Buffer.from(b))),
  // A length-delimited field declaring far more bytes than follow.
  fc.tuple(fc.integer({ min: 1, max: 12 }), fc.constantFrom(2 ** 31, 2 ** 28, 1e6)).map(([n, len]) => Buffer.concat([varint((n << 3) | 2), varint(len)])),
  fc.constant(Buffer.concat([varint((3 << 3) | 0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])])),
);
const message = fc.oneof(
  fc.tuple(fc.constantFrom(GOOD_INFER, GOOD_PREDICT), fc.array(mutation, { maxLength: 3 }), extra).map(([base, muts, tail]) => {
    let bytes = Buffer.concat([base, tail]);
    for (const [kind, at, byte] of muts) {
      const i = at % (bytes.length + 1);
      if (kind === 'flip' && i < bytes.length) bytes[i] = byte;
      else if (kind === 'cut') bytes = bytes.subarray(0, i);
      else bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
    }
    return Buffer.from(bytes);
  }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
);
const call = fc.record({
  path: fc.constantFrom(...PATHS),
  message,
  flag: fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, fc.integer({ min: 0, max: 255 })),
  lengthDelta: fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, fc.integer({ min: -8, max: 8 }), fc.constantFrom(2 ** 31, 2 ** 32 - 1)),
  encoding: fc.constantFrom(undefined, undefined, undefined, 'gzip', 'identity', 'deflate', 'snappy', ''),
  contentType: fc.constantFrom('application/grpc', 'application/grpc', 'application/grpc+proto', 'application/json'),
});
type Call = typeof call extends fc.Arbitrary<infer T> ? T : never;

function frameOf({ message: payload, flag, lengthDelta }: Call): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(Math.max(0, Math.min(2 ** 32 - 1, payload.length + lengthDelta)), 1);
  return Buffer.concat([head, payload]);
}

/** One call on a shared session: resolves with the grpc-status, or undefined at the deadline. */
function send(session: http2.ClientHttp2Session, c: Call): Promise<number | undefined> {
  return new Promise((resolve) => {
    const headers: http2.OutgoingHttpHeaders = { ':method': 'POST', ':path': c.path, 'content-type': c.contentType, te: 'trailers' };
    if (c.encoding !== undefined) headers['grpc-encoding'] = c.encoding;
    const stream = session.request(headers);
    let done = false;
    const finish = (code: number | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => finish(undefined), STREAM_DEADLINE_MS);
    const take = (head: http2.IncomingHttpHeaders): void => {
      if (head['grpc-status'] !== undefined) finish(Number(head['grpc-status']));
      // A non-gRPC answer (e.g. 415 for a wrong content-type) is an answer too.
      else if (head[':status'] !== undefined && Number(head[':status']) !== 200) finish(-Number(head[':status']));
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', () => undefined);
    stream.on('close', () => finish(stream.rstCode ? -1000 - stream.rstCode : undefined));
    stream.on('error', () => undefined);
    stream.end(frameOf(c));
  });
}

let target: FuzzTarget;
beforeAll(async () => {
  target = await startFuzzTarget();
}, 60_000);
afterAll(killLeftovers);

describe(`gRPC fuzzer (${RUNS} calls, seed ${FUZZ_SEED})`, () => {
  it('never crashes, every stream gets a status, and good calls keep working', async () => {
    const calls = fc.sample(call, { seed: FUZZ_SEED, numRuns: RUNS });
    const codes = new Map<number, number>();
    for (let start = 0; start < calls.length; start += BATCH) {
      const session = http2.connect(`http://127.0.0.1:${target.ports.grpc}`);
      session.on('error', () => undefined);
      const batch = calls.slice(start, start + BATCH);
      const answers = await Promise.all(batch.map((c) => send(session, c)));
      session.destroy();
      answers.forEach((code, i) => {
        const c = batch[i]!;
        expect(code, `no status for ${c.path} flag ${c.flag} delta ${c.lengthDelta} ${c.message.toString('hex').slice(0, 120)}`).not.toBeUndefined();
        codes.set(code!, (codes.get(code!) ?? 0) + 1);
      });
      await target.expectAlive();
    }
    // The unmutated messages still infer: the fuzzer reaches the decoders, not only the framing checks.
    expect(codes.get(0) ?? 0).toBeGreaterThan(0);
    console.log(`gRPC fuzzer codes (negative: HTTP status / RST): ${JSON.stringify(Object.fromEntries([...codes].sort((a, b) => a[0] - b[0])))}`);
  }, 180_000);
});

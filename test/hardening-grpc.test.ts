import { credentials, status as GrpcStatus, type Client } from '@grpc/grpc-js';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createClient, startTestServer, unary, type TestServer } from './grpc-test-support';
import { field, frame, gzipWithZeros, sendRaw, varint } from './helpers/grpc-raw';

/**
 * Hostile gRPC input: compressed bombs, lying length prefixes, huge shapes and messages that never
 * complete each get their exact status, memory stays bounded, and the server keeps serving.
 */

const MiB = 1024 * 1024;
const RECEIVE_TIMEOUT_MS = 400;
const LIMITS = { maxRequestBytes: 2 * MiB, maxDecodedBytes: 4 * MiB, maxInFlightBytes: 12 * MiB, receiveTimeoutMs: RECEIVE_TIMEOUT_MS };
const INFER = '/inference.GRPCInferenceService/ModelInfer';
const PREDICT = '/predict.Predictor/Predict';

let server: TestServer;
let v2: Client;

beforeAll(async () => {
  server = await startTestServer({ add: { demo: 'add' } }, { limits: LIMITS });
  v2 = createClient('inference.proto', 'inference.GRPCInferenceService', server.address);
});
afterAll(async () => {
  v2?.close();
  await server?.close();
});

const a16 = Array.from({ length: 16 }, (_, i) => i);
const goodRequest = {
  model_name: 'add',
  inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: a16 } })),
};

async function expectStillServing(): Promise<void> {
  const response = await unary<{ raw_output_contents: Buffer[] }>(v2, 'ModelInfer', goodRequest);
  const out = response.raw_output_contents[0]!;
  expect(Array.from({ length: 16 }, (_, i) => out.readFloatLE(i * 4))).toEqual(a16.map((v) => 2 * v));
}

/** Tag and length of a length-delimited field whose payload follows separately. */
const head = (number: number, length: number): Buffer => Buffer.concat([varint((number << 3) | 2), varint(length)]);

/** The start of a ModelInferRequest whose one input's `contents` field `contentsField` is `zeros` zero bytes long. */
function inferPrefix(datatype: string, shape: number[], contentsField: number, zeros: number): { prefix: Buffer; total: number } {
  const contentsHead = head(contentsField, zeros);
  const contentsLength = contentsHead.length + zeros;
  const inputStart = Buffer.concat([field(1, 'a'), field(2, datatype), field(3, Buffer.concat(shape.map((d) => varint(d))))]);
  const contentsFieldHead = head(5, contentsLength);
  const inputLength = inputStart.length + contentsFieldHead.length + contentsLength;
  const prefix = Buffer.concat([field(1, 'add'), head(5, inputLength), inputStart, contentsFieldHead, contentsHead]);
  return { prefix, total: prefix.length + zeros };
}

describe('compressed messages', () => {
  it('a gzip bomb of typed contents (300 MB inflated) is cut at the decoded limit: RESOURCE_EXHAUSTED', async () => {
    const zeros = 300 * MiB;
    const { prefix } = inferPrefix('FP32', [1, zeros / 4], 6, zeros);
    const bomb = await gzipWithZeros(prefix, zeros);
    expect(bomb.length).toBeLessThan(LIMITS.maxRequestBytes);
    const answer = await sendRaw(server.port, INFER, frame(bomb, true), { encoding: 'gzip' });
    expect(answer.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(answer.message).toMatch(/decompresses to a size larger than 4194304/);
    await expectStillServing();
  });

  it('a gzip bomb of BYTES length prefixes in raw_input_contents: INVALID_ARGUMENT before any string is built', async () => {
    // 900,000 zero length prefixes (3.6 MB inflated) for a shape of as many strings.
    const count = 900_000;
    const input = Buffer.concat([field(1, 'a'), field(2, 'BYTES'), field(3, varint(count))]);
    const message = Buffer.concat([field(1, 'add'), field(5, input), head(7, count * 4)]);
    const bomb = await gzipWithZeros(message, count * 4);
    const answer = await sendRaw(server.port, INFER, frame(bomb, true), { encoding: 'gzip' });
    expect(answer.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(answer.message.length).toBeLessThan(300);
    expect(answer.message).toMatch(/100000/);
    await expectStillServing();
  });

  it('a gzip bomb of empty bytes_contents elements: INVALID_ARGUMENT naming the string limit', async () => {
    const count = 1_000_000;
    const strings = Buffer.alloc(count * 2);
    for (let i = 0; i < count; i++) strings[i * 2] = (8 << 3) | 2;
    const input = Buffer.concat([field(1, 'a'), field(2, 'BYTES'), field(3, varint(count)), field(5, strings)]);
    const bomb = zlib.gzipSync(Buffer.concat([field(1, 'add'), field(5, input)]));
    const answer = await sendRaw(server.port, INFER, frame(bomb, true), { encoding: 'gzip' });
    expect(answer.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(answer.message).toMatch(/100000/);
    await expectStillServing();
  });

  it('Predict with a 2-million-dim shape: INVALID_ARGUMENT with a bounded trailer', async () => {
    const dims = Buffer.alloc(2_000_000, 1);
    for (const packed of [true, false]) {
      const unpacked = Buffer.alloc(4_000_000, 1);
      for (let i = 0; i < unpacked.length; i += 2) unpacked[i] = 3 << 3;
      const shape = packed ? field(3, dims) : unpacked;
      const bomb = zlib.gzipSync(Buffer.concat([field(1, 'add'), shape]));
      const answer = await sendRaw(server.port, PREDICT, frame(bomb, true), { encoding: 'gzip' });
      expect(answer.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(answer.message).toMatch(/shape has more than the limit of 16 dimensions/);
      expect(answer.trailerBytes).toBeLessThan(300);
    }
    await expectStillServing();
  });

  it('a compressed good request is served', async () => {
    const client = createClient('inference.proto', 'inference.GRPCInferenceService', server.address);
    const gzipClient = new (Object.getPrototypeOf(client).constructor)(server.address, credentials.createInsecure(), {
      'grpc.default_compression_algorithm': 2,
    }) as Client;
    try {
      const response = await unary<{ raw_output_contents: Buffer[] }>(gzipClient, 'ModelInfer', goodRequest);
      expect(response.raw_output_contents[0]!.readFloatLE(4 * 15)).toBe(30);
    } finally {
      gzipClient.close();
      client.close();
    }
  });

  it('compressed calls beyond the in-flight budget are refused at once: RESOURCE_EXHAUSTED', async () => {
    // Each compressed call holds its worst case (the decoded limit) while it is received: 12 MiB / 4 MiB = 3.
    const open = Array.from({ length: 3 }, () =>
      sendRaw(server.port, INFER, frame(Buffer.alloc(10), true, 1000), { encoding: 'gzip', end: false }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refusedAt = performance.now();
    const refused = await sendRaw(server.port, INFER, frame(zlib.gzipSync(Buffer.alloc(10)), true), { encoding: 'gzip' });
    expect(refused.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(refused.message).toMatch(/already reading 12582912 bytes of requests/);
    expect(performance.now() - refusedAt).toBeLessThan(RECEIVE_TIMEOUT_MS);
    for (const answer of await Promise.all(open)) expect(answer.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    await expectStillServing();
  });
});

describe('framing and timeouts', () => {
  it('a message that never completes fails after the receive timeout: DEADLINE_EXCEEDED', async () => {
    const startedAt = performance.now();
    const answer = await sendRaw(server.port, INFER, frame(Buffer.alloc(10), false, 1000), { end: false, waitMs: RECEIVE_TIMEOUT_MS * 10 });
    expect(answer.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(answer.message).toMatch(/did not arrive within 400 ms/);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(RECEIVE_TIMEOUT_MS - 50);
    await expectStillServing();
  });

  it('a length prefix beyond the receive limit: RESOURCE_EXHAUSTED before the message is read', async () => {
    const answer = await sendRaw(server.port, INFER, frame(Buffer.alloc(10), false, 0xffffffff));
    expect(answer.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(answer.message).toMatch(/larger than max/);
    await expectStillServing();
  });

  it('a message that is not protobuf: INVALID_ARGUMENT, also compressed', async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]);
    for (const compressed of [false, true]) {
      const payload = compressed ? zlib.gzipSync(garbage) : garbage;
      const answer = await sendRaw(server.port, INFER, frame(payload, compressed), compressed ? { encoding: 'gzip' } : {});
      expect(answer.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    }
    await expectStillServing();
  });

  it('a compressed flag with data that is not gzip: an error status, then still serving', async () => {
    const answer = await sendRaw(server.port, INFER, frame(Buffer.from('not gzip at all'), true), { encoding: 'gzip' });
    expect(answer.code).toBe(GrpcStatus.INTERNAL);
    expect(answer.message).toMatch(/decompress/i);
    await expectStillServing();
  });
});

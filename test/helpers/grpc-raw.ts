import * as http2 from 'node:http2';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';

/**
 * gRPC below grpc-js: hand-built protobuf and frames sent with node:http2, for messages a real
 * client would never produce (bombs, lying length prefixes, truncated frames).
 */

/** A protobuf varint. */
export function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Buffer.from(bytes);
}

/** A length-delimited field (`contents` is its whole payload). */
export function field(number: number, contents: Buffer | string): Buffer {
  const payload = typeof contents === 'string' ? Buffer.from(contents) : contents;
  return Buffer.concat([varint((number << 3) | 2), varint(payload.length), payload]);
}

/** A varint field. */
export function varintField(number: number, value: number): Buffer {
  return Buffer.concat([varint(number << 3), varint(value)]);
}

/** A gRPC frame: the compressed flag, the 4-byte length, the payload. */
export function frame(payload: Buffer, compressed = false, declaredLength = payload.length): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(compressed ? 1 : 0, 0);
  head.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([head, payload]);
}

/** Gzip of `prefix` followed by `zeros` zero bytes, streamed so the zeros are never held at once. */
export async function gzipWithZeros(prefix: Buffer, zeros: number): Promise<Buffer> {
  const block = Buffer.alloc(Math.min(zeros, 1 << 20));
  function* parts(): Generator<Buffer> {
    yield prefix;
    for (let left = zeros; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
  }
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      chunks.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from(parts()), zlib.createGzip({ level: 9 }), sink);
  return Buffer.concat(chunks);
}

export interface RawGrpcAnswer {
  /** grpc-status, or undefined when the stream closed without one. */
  code: number | undefined;
  message: string;
  /** Bytes of response messages. */
  body: Buffer;
  /** Bytes of the grpc-message trailer as sent. */
  trailerBytes: number;
}

/**
 * Sends `data` (already framed) on `path` and waits for the status, at most `waitMs`.
 * `end: false` leaves the request open (a message that never completes).
 */
export function sendRaw(
  port: number,
  path: string,
  data: Buffer,
  options: { encoding?: string; end?: boolean; waitMs?: number } = {},
): Promise<RawGrpcAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    };
    if (options.encoding) headers['grpc-encoding'] = options.encoding;
    const stream = session.request(headers);
    const body: Buffer[] = [];
    let code: number | undefined;
    let message = '';
    let trailerBytes = 0;
    const take = (head: http2.IncomingHttpHeaders): void => {
      if (head['grpc-status'] !== undefined) {
        code = Number(head['grpc-status']);
        const raw = String(head['grpc-message'] ?? '');
        trailerBytes = raw.length;
        message = decodeURIComponent(raw);
        finish();
      }
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', (chunk: Buffer) => body.push(chunk));
    const timer = setTimeout(() => finish(), options.waitMs ?? 10_000);
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      stream.destroy();
      session.destroy();
      resolve({ code, message, body: Buffer.concat(body), trailerBytes });
    };
    stream.on('close', finish);
    stream.on('error', () => undefined);
    stream.write(data, (error) => {
      if (error) reject(error);
    });
    if (options.end !== false) stream.end();
  });
}

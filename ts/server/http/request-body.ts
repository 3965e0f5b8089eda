import { setImmediate as yieldToLoop } from 'node:timers/promises';
import * as zlib from 'node:zlib';
import type { BudgetLease } from '../../protocol/byte-budget';
import { COPY_BYTES_PER_TURN } from '../../protocol/copy-in-pieces';
import { budgetExhausted, type Limits } from '../../protocol/limits';
import { HttpError } from './http-error';
import type { RequestHead } from './request-head';
import type { HttpResponse } from './uws';

/**
 * Alignment of the binary section: the body is placed so that the byte right after the JSON
 * header (the first binary tensor) starts on an 8-byte boundary, so typed arrays can view it
 * without a copy.
 */
const ALIGN = 8;

/**
 * Rejects a body that cannot fit before reading a byte of it.
 * @throws HttpError 413
 */
export function checkDeclaredLength(head: RequestHead, limits: Limits): void {
  if (head.contentLength !== undefined && head.contentLength > limits.maxRequestBytes) {
    throw new HttpError(413, `request body of ${head.contentLength} bytes exceeds the limit of ${limits.maxRequestBytes} bytes`, true);
  }
}

function overBudget(limits: Limits): HttpError {
  return new HttpError(503, budgetExhausted(limits).message, true);
}

/**
 * Collects the request body (every chunk is copied: uWS reuses its memory). Memory grows as data
 * arrives, each chunk taken from the server-wide budget first; a body still incomplete after
 * `limits.receiveTimeoutMs` fails with 408. Must be called synchronously inside the route handler,
 * after `onAborted` is registered. Never settles when the client aborts.
 * @param alignedOffset body offset that must land on an 8-byte boundary (the JSON header length)
 */
export function readBody(
  res: HttpResponse,
  head: RequestHead,
  limits: Limits,
  lease: BudgetLease,
  alignedOffset = 0,
): Promise<Buffer> {
  const pad = (ALIGN - (alignedOffset % ALIGN)) % ALIGN;
  const declared = head.contentLength;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let failed = false;
    const fail = (error: HttpError): void => {
      failed = true;
      clearTimeout(timer);
      chunks.length = 0;
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new HttpError(408, `the request body did not arrive within ${limits.receiveTimeoutMs} ms`, true)),
      limits.receiveTimeoutMs,
    );
    res.onData((chunk, isLast) => {
      if (failed) return;
      received += chunk.byteLength;
      if (declared !== undefined && received > declared) {
        fail(new HttpError(400, 'request body is longer than its content-length', true));
        return;
      }
      if (received > limits.maxRequestBytes) {
        fail(new HttpError(413, `request body exceeds the limit of ${limits.maxRequestBytes} bytes`, true));
        return;
      }
      if (!lease.grow(chunk.byteLength)) {
        fail(overBudget(limits));
        return;
      }
      if (isLast && chunks.length === 0) {
        // The whole body in one chunk (the common case): one copy, straight to its aligned place.
        clearTimeout(timer);
        resolve(copyAligned(chunk, pad));
        return;
      }
      if (chunk.byteLength > 0) chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (!isLast) return;
      clearTimeout(timer);
      joinAligned(chunks, received, pad).then(resolve, reject);
    });
  });
}

/**
 * A copy of `chunk` starting `pad` bytes into its storage. Small buffers come from Node's pool,
 * whose slices start 8-byte aligned (the raw codec copies again if a slice ever is not).
 */
function copyAligned(chunk: ArrayBuffer, pad: number): Buffer {
  const storage = Buffer.allocUnsafe(pad + chunk.byteLength);
  storage.set(new Uint8Array(chunk), pad);
  return storage.subarray(pad);
}

/**
 * One buffer of `total` bytes starting `pad` bytes into its storage, joined COPY_BYTES_PER_TURN
 * at a time (a 64 MiB body joined at once held the event loop 35 to 40 ms).
 */
async function joinAligned(chunks: readonly Buffer[], total: number, pad: number): Promise<Buffer> {
  if (pad === 0 && chunks.length === 1) return chunks[0] as Buffer;
  const storage = Buffer.allocUnsafeSlow(pad + total);
  let offset = pad;
  let sinceYield = 0;
  for (const part of chunks) {
    if (sinceYield >= COPY_BYTES_PER_TURN) {
      sinceYield = 0;
      await yieldToLoop();
    }
    storage.set(part, offset);
    offset += part.byteLength;
    sinceYield += part.byteLength;
  }
  return storage.subarray(pad);
}

/**
 * Size of each inflated chunk: a 64 MiB body is 256 blocks instead of zlib's 4096 of 16 KiB. What
 * they held is given back to the system after large requests (ts/server/memory-release.ts).
 */
const INFLATE_CHUNK_BYTES = 256 * 1024;

/**
 * Undoes `Content-Encoding: gzip|deflate` (as Triton accepts) as a stream: every output chunk is
 * counted against `limits.maxDecodedBytes` and taken from the server-wide budget, and inflation
 * stops at the first byte over either.
 */
export async function decodeContentEncoding(body: Buffer, encoding: string | undefined, limits: Limits, lease: BudgetLease): Promise<Buffer> {
  if (encoding === undefined) return body;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw new HttpError(400, `unsupported content-encoding '${encoding.slice(0, 32)}' (supported: gzip, deflate)`);
  }
  // zlib's working buffer is memory this request holds too.
  if (!lease.grow(INFLATE_CHUNK_BYTES)) throw overBudget(limits);
  const options = { chunkSize: INFLATE_CHUNK_BYTES };
  const inflater = encoding === 'gzip' ? zlib.createGunzip(options) : zlib.createInflate(options);
  return new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (error: HttpError): void => {
      if (settled) return;
      settled = true;
      parts.length = 0;
      inflater.destroy();
      reject(error);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.byteLength;
      if (total > limits.maxDecodedBytes) {
        fail(new HttpError(413, `decompressed request body exceeds the limit of ${limits.maxDecodedBytes} bytes`));
        return;
      }
      if (!lease.grow(chunk.byteLength)) {
        fail(overBudget(limits));
        return;
      }
      parts.push(chunk);
    });
    inflater.on('error', (error) => fail(new HttpError(400, `cannot decode ${encoding} request body: ${error.message}`)));
    inflater.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total));
    });
    inflater.end(body);
  });
}

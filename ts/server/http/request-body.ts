import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { HttpError } from './http-error';
import type { RequestHead } from './request-head';
import type { HttpResponse } from './uws';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

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
export function checkDeclaredLength(head: RequestHead, maxBodyBytes: number): void {
  if (head.contentLength !== undefined && head.contentLength > maxBodyBytes) {
    throw new HttpError(413, `request body of ${head.contentLength} bytes exceeds the limit of ${maxBodyBytes} bytes`, true);
  }
}

/**
 * Collects the request body into one buffer (every chunk is copied: uWS reuses its memory).
 * Must be called synchronously inside the route handler, after `onAborted` is registered.
 * Never settles when the client aborts (the exchange is then settled by `onAborted`).
 * @param alignedOffset body offset that must land on an 8-byte boundary (the JSON header length)
 */
export function readBody(
  res: HttpResponse,
  head: RequestHead,
  maxBodyBytes: number,
  alignedOffset = 0,
): Promise<Buffer> {
  const pad = (ALIGN - (alignedOffset % ALIGN)) % ALIGN;
  return new Promise<Buffer>((resolve, reject) => {
    if (head.contentLength !== undefined) {
      // Known length: copy each chunk straight into its place.
      const storage = Buffer.allocUnsafeSlow(pad + head.contentLength);
      const body = storage.subarray(pad);
      let received = 0;
      res.onData((chunk, isLast) => {
        const bytes = new Uint8Array(chunk);
        if (received + bytes.byteLength > body.byteLength) {
          reject(new HttpError(400, 'request body is longer than its content-length', true));
          return;
        }
        body.set(bytes, received);
        received += bytes.byteLength;
        if (isLast) resolve(body);
      });
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let failed = false;
    res.onData((chunk, isLast) => {
      if (failed) return;
      received += chunk.byteLength;
      if (received > maxBodyBytes) {
        failed = true;
        reject(new HttpError(413, `request body exceeds the limit of ${maxBodyBytes} bytes`, true));
        return;
      }
      if (!isLast) {
        chunks.push(Buffer.from(new Uint8Array(chunk)));
        return;
      }
      const storage = Buffer.allocUnsafeSlow(pad + received);
      let offset = pad;
      for (const part of chunks) {
        storage.set(part, offset);
        offset += part.byteLength;
      }
      storage.set(new Uint8Array(chunk), offset);
      resolve(storage.subarray(pad));
    });
  });
}

/** Undoes `Content-Encoding: gzip|deflate` (as Triton accepts), bounded by the body limit. */
export async function decodeContentEncoding(body: Buffer, encoding: string | undefined, maxBodyBytes: number): Promise<Buffer> {
  if (encoding === undefined) return body;
  const options = { maxOutputLength: maxBodyBytes };
  try {
    if (encoding === 'gzip') return await gunzip(body, options);
    if (encoding === 'deflate') return await inflate(body, options);
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    if (tooLarge) throw new HttpError(413, `decompressed request body exceeds the limit of ${maxBodyBytes} bytes`);
    throw new HttpError(400, `cannot decode ${encoding} request body: ${(error as Error).message}`);
  }
  throw new HttpError(400, `unsupported content-encoding '${encoding}' (supported: gzip, deflate)`);
}

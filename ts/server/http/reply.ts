import type { HttpResponse } from './uws';

/** A complete HTTP answer, built before anything is written. */
export interface Reply {
  status: number;
  contentType: string;
  /** The body, or its parts in order (written in turn, never joined when large). */
  body: string | Uint8Array | readonly Uint8Array[];
  /** Extra headers, written after Content-Type. */
  headers?: ReadonlyArray<readonly [string, string]>;
  /** 'OK' or the error code, for metrics. */
  code?: string;
}

export const JSON_TYPE = 'application/json';

const REASON: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

/** The status line uWebSockets.js writes, e.g. "404 Not Found". */
export function statusLine(status: number): string {
  return `${status} ${REASON[status] ?? ''}`.trimEnd();
}

/** A JSON reply from a value. */
export function jsonReply(status: number, value: unknown): Reply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value), code: status < 400 ? 'OK' : `HTTP_${status}` };
}

/**
 * Bodies in parts this large or larger are streamed from the parts themselves (`streamParts`);
 * smaller ones are joined and written at once.
 */
const STREAM_MIN_BYTES = 256 * 1024;

/**
 * Writes a reply; the caller corks when writing outside the route handler's synchronous part.
 * A large body in parts may still be being written when this returns (see `streamParts`).
 */
export function writeReply(res: HttpResponse, reply: Reply, closeConnection = false): void {
  res.writeStatus(statusLine(reply.status));
  res.writeHeader('Content-Type', reply.contentType);
  if (reply.headers) for (const [name, value] of reply.headers) res.writeHeader(name, value);
  const body = reply.body;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    const total = body.reduce((sum, part) => sum + part.byteLength, 0);
    if (total >= STREAM_MIN_BYTES && !closeConnection) {
      streamParts(res, body, total);
      return;
    }
    res.end(Buffer.concat(body, total), closeConnection);
  } else {
    res.end(body, closeConnection);
  }
  // uWS keeps parsing what is already buffered after end(..., true): close now so bytes after a
  // refused head are never served as a next request.
  if (closeConnection) {
    try {
      res.close();
    } catch {
      // end(..., true) already closed the socket (uWS then forbids touching the response): done.
    }
  }
}

/**
 * Writes `parts` as one body of `total` bytes with uWS's tryEnd: the socket takes what it can now,
 * and the rest is written from the parts when the socket is writable again, never copied into
 * uWS's own buffer (end() would copy all that the socket did not take, a 64 MiB copy in one turn).
 * A client that stops reading is dropped by uWS's idle timeout, which aborts the response.
 */
function streamParts(res: HttpResponse, parts: readonly Uint8Array[], total: number): void {
  let index = 0; // the first part not yet wholly written
  let partStart = 0; // the body offset where parts[index] starts
  const writeFrom = (offset: number): boolean => {
    while (index < parts.length) {
      const part = parts[index] as Uint8Array;
      if (partStart + part.byteLength <= offset) {
        partStart += part.byteLength;
        index++;
        continue;
      }
      const [ok, done] = res.tryEnd(part.subarray(offset - partStart), total);
      if (done) return true;
      if (!ok) return false;
      offset = partStart + part.byteLength;
    }
    return true;
  };
  // uWS calls onWritable only while the response is not done and not aborted.
  if (!writeFrom(0)) res.onWritable(writeFrom);
}

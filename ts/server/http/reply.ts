import type { HttpResponse } from './uws';

/** A complete HTTP answer, built before anything is written. */
export interface Reply {
  status: number;
  contentType: string;
  body: string | Uint8Array;
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

/** Writes a reply; the caller corks when writing outside the route handler's synchronous part. */
export function writeReply(res: HttpResponse, reply: Reply, closeConnection = false): void {
  res.writeStatus(statusLine(reply.status));
  res.writeHeader('Content-Type', reply.contentType);
  if (reply.headers) for (const [name, value] of reply.headers) res.writeHeader(name, value);
  res.end(reply.body, closeConnection);
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

import type { ErrorCode } from '../errors';

/** The HTTP status of each ProtonError code: the one table every REST route answers through. */
export const HTTP_STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  UNAVAILABLE: 503,
  RESOURCE_EXHAUSTED: 503,
  CANCELLED: 400,
  INTERNAL: 500,
};

const REASON: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The status line uWebSockets.js writes, e.g. "404 Not Found". */
export function statusLine(status: number): string {
  return `${status} ${REASON[status] ?? ''}`.trimEnd();
}

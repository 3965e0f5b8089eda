/**
 * Stable error codes shared by the addon, the TypeScript API and both network front-ends.
 * Each front-end maps them once: see `ts/server/http-status.ts` and `ts/server/grpc-status.ts`.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'RESOURCE_EXHAUSTED'
  | 'CANCELLED'
  | 'INTERNAL';

/** The one error class Proton throws; `code` is stable, `message` names the problem. */
export class ProtonError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ProtonError';
    this.code = code;
  }
}

export function isProtonError(value: unknown): value is ProtonError {
  return value instanceof ProtonError;
}

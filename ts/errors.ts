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
  | 'UNAUTHENTICATED'
  | 'INTERNAL';

/**
 * The one error class Proton throws; `code` is stable, `message` names the problem and is safe to
 * show to clients (short, no ONNX Runtime source paths). `detail`, when present, is the raw text
 * it was made from (e.g. ONNX Runtime's full message): for logs, not for clients.
 */
export class ProtonError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, detail?: string) {
    super(message);
    this.name = 'ProtonError';
    this.code = code;
    this.detail = detail;
  }
}

export function isProtonError(value: unknown): value is ProtonError {
  return value instanceof ProtonError;
}

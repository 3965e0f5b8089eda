import { status as GrpcStatus } from '@grpc/grpc-js';
import { isProtonError, type ErrorCode } from '../errors';

/** The one table from Proton's error codes to gRPC status codes. */
export const GRPC_STATUS_OF: Readonly<Record<ErrorCode, GrpcStatus>> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  CANCELLED: GrpcStatus.CANCELLED,
  INTERNAL: GrpcStatus.INTERNAL,
};

/** What a client receives for a failed call. */
export interface GrpcFailure {
  code: GrpcStatus;
  /** The Proton error code behind it (INTERNAL for unexpected errors), for metrics labels. */
  errorCode: ErrorCode;
  details: string;
  /** True when the error was not a ProtonError: a bug worth logging. */
  unexpected: boolean;
}

/** Maps anything a handler threw to the status the client receives; non-ProtonErrors become INTERNAL. */
export function toGrpcFailure(error: unknown): GrpcFailure {
  if (isProtonError(error)) {
    return {
      code: GRPC_STATUS_OF[error.code] ?? GrpcStatus.INTERNAL,
      errorCode: error.code,
      details: error.message,
      unexpected: false,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: GrpcStatus.INTERNAL, errorCode: 'INTERNAL', details: `internal error: ${message}`, unexpected: true };
}

import { status as GrpcStatus } from '@grpc/grpc-js';
import { isProtonError, type ErrorCode } from '../errors';

/** The HTTP status of each ProtonError code: the one table every REST route answers through. */
export const HTTP_STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  UNAVAILABLE: 503,
  RESOURCE_EXHAUSTED: 503,
  CANCELLED: 400,
  UNAUTHENTICATED: 401,
  INTERNAL: 500,
};

/** The gRPC status of each ProtonError code. */
export const GRPC_STATUS_OF: Readonly<Record<ErrorCode, GrpcStatus>> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  CANCELLED: GrpcStatus.CANCELLED,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  INTERNAL: GrpcStatus.INTERNAL,
};

/**
 * Source locations ONNX Runtime puts in its messages ("/onnxruntime_src/onnxruntime/core/...h:563",
 * "C:\\a\\_work\\...\\foo.cc(45)"), with the C++ signature that follows them
 * ("void onnxruntime::BroadcastIterator::Init(ptrdiff_t, ptrdiff_t)").
 */
const SOURCE_PATH =
  /\s*\[?(?:[A-Za-z]:\\|\/)[^\s:'"\]]*\.(?:cc|cpp|c|h|hpp)(?::\d+|\(\d+\))?\]?(?:\s+(?:[\w<>*&]+\s+)*[\w<>]*(?:::[\w~<>]+)+\([^()]*\)(?:\s*const)?)?/g;

/**
 * A message fit for a client: no source paths of the server's build (those stay in the logs, with
 * the error's `detail`). A defence in depth: the addon already strips them from its messages.
 */
export function clientMessage(message: string): string {
  return message.replace(SOURCE_PATH, ' ').replace(/\s{2,}/g, ' ').trim();
}

/** What a client is told about a failure, whichever transport carries it. */
export interface ClientFailure {
  /** The Proton error code (INTERNAL for anything unexpected), for statuses and metrics labels. */
  code: ErrorCode;
  message: string;
  /** True when the error was not a ProtonError: a bug worth logging. */
  unexpected: boolean;
}

/** Classifies anything a handler threw; never exposes `detail` or source paths. */
export function toClientFailure(error: unknown): ClientFailure {
  if (isProtonError(error)) {
    const code = Object.hasOwn(HTTP_STATUS_OF, error.code) ? error.code : 'INTERNAL';
    return { code, message: clientMessage(error.message), unexpected: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: clientMessage(`internal error: ${message}`), unexpected: true };
}

import { status as GrpcStatus, type ServerUnaryCall, type handleUnaryCall } from '@grpc/grpc-js';
import type { ModelRepository } from '../../repository/model-repository';
import type { ModelRegistry } from '../../repository/model-registry';
import { GRPC_STATUS_OF, toClientFailure } from '../../protocol/status';
import type { Metrics } from '../metrics';
import type { Limits } from '../../protocol/limits';
import type { ObserverLogger, RequestObserver } from '../request-observer';
import type { RequestRecord } from '../request-record';

/** The metrics sink the server reports each model request to. */
export type GrpcRequestMetrics = Pick<Metrics, 'observeRequest'>;

/** Where failures (and, at debug, each request) are logged: pino's signatures, only `error` required. */
export type GrpcLogger = ObserverLogger;

/** What every gRPC service handler shares. */
export interface GrpcServiceContext {
  readonly registry: ModelRegistry;
  readonly limits: Limits;
  readonly metrics: GrpcRequestMetrics | undefined;
  readonly logger: GrpcLogger;
  /** Metrics, access log and failure log of the calls that name a model. */
  readonly observer: RequestObserver;
  /** True once shutdown has begun, so readiness and health report false. */
  readonly isClosing: () => boolean;
  /** The model repository, when the server has one (load/unload requests need it). */
  readonly repository?: ModelRepository;
}

/**
 * Wraps an async handler as a grpc-js unary handler: the result or the mapped error is sent
 * exactly once, unexpected errors are logged and become INTERNAL, and inference calls
 * (`inference`) are reported to the observer (metrics, access and failure logs) with a record
 * `run` fills in (served version, timing).
 */
export function unaryHandler<Request, Response>(
  context: GrpcServiceContext,
  method: string,
  run: (call: ServerUnaryCall<Request, Response>, record: RequestRecord | undefined) => Promise<Response> | Response,
  inference?: { requestIdOf?: (request: Request) => string },
): handleUnaryCall<Request, Response> {
  return async (call, callback) => {
    const record = inference ? context.observer.begin('grpc', method) : undefined;
    if (record && context.observer.logsAccess) {
      record.requestId = inference?.requestIdOf?.(call.request);
      const traceparent = call.metadata.get('traceparent')[0];
      if (typeof traceparent === 'string') record.traceparent = traceparent;
    }
    let response: Response;
    try {
      // The bounded decoders never throw inside grpc-js: they hand their error over here.
      const decodeError = (call.request as { decodeError?: unknown } | null)?.decodeError;
      if (decodeError !== undefined) throw decodeError;
      response = await run(call, record);
    } catch (error) {
      const failure = toClientFailure(error);
      const status = GRPC_STATUS_OF[failure.code];
      if (record) {
        context.observer.complete(record, { code: failure.code, status: GrpcStatus[status], error });
      } else if (failure.unexpected || failure.code === 'INTERNAL') {
        // Unexpected errors and server faults are logged with everything (the addon's `detail` too).
        context.logger.error({ err: error, method }, `gRPC ${method} failed`);
      }
      callback({ code: status, details: failure.message });
      return;
    }
    if (record) context.observer.complete(record, { code: 'OK', status: 'OK' });
    callback(null, response);
  };
}

import type { ServerUnaryCall, handleUnaryCall } from '@grpc/grpc-js';
import type { ModelRepository } from '../../repository/model-repository';
import type { ModelRegistry } from '../model-registry';
import { GRPC_STATUS_OF, toClientFailure } from '../../protocol/status';
import type { Metrics } from '../metrics';
import type { Limits } from '../../protocol/limits';

/** The metrics sink the server reports each model request to. */
export type GrpcRequestMetrics = Pick<Metrics, 'observeRequest'>;

/** Where unexpected handler failures are logged (pino's signature). */
export interface GrpcLogger {
  error(details: object, message: string): void;
}

/** What every gRPC service handler shares. */
export interface GrpcServiceContext {
  readonly registry: ModelRegistry;
  readonly limits: Limits;
  readonly metrics: GrpcRequestMetrics | undefined;
  readonly logger: GrpcLogger;
  /** True once shutdown has begun, so readiness and health report false. */
  readonly isClosing: () => boolean;
  /** The model repository, when the server has one (load/unload requests need it). */
  readonly repository?: ModelRepository;
}

/**
 * Wraps an async handler as a grpc-js unary handler: the result or the mapped error is sent
 * exactly once, unexpected errors are logged and become INTERNAL, and requests that name a model
 * (`modelOf`) are reported to the metrics sink with their status and duration.
 */
export function unaryHandler<Request, Response>(
  context: GrpcServiceContext,
  method: string,
  run: (call: ServerUnaryCall<Request, Response>) => Promise<Response> | Response,
  modelOf?: (request: Request) => string,
): handleUnaryCall<Request, Response> {
  return async (call, callback) => {
    const startedMs = performance.now();
    const observe = (code: string): void => {
      if (!modelOf || !context.metrics) return;
      const name = modelOf(call.request);
      // Unknown names are not labels: a client must not grow the metric series without bound.
      const model = context.registry.has(name) ? name : '';
      context.metrics.observeRequest('grpc', model, code, (performance.now() - startedMs) / 1000);
    };
    let response: Response;
    try {
      // The bounded decoders never throw inside grpc-js: they hand their error over here.
      const decodeError = (call.request as { decodeError?: unknown } | null)?.decodeError;
      if (decodeError !== undefined) throw decodeError;
      response = await run(call);
    } catch (error) {
      const failure = toClientFailure(error);
      // Unexpected errors and server faults are logged with everything (the addon's `detail` too).
      if (failure.unexpected || failure.code === 'INTERNAL') {
        context.logger.error({ err: error, method }, `gRPC ${method} failed`);
      }
      observe(failure.code);
      callback({ code: GRPC_STATUS_OF[failure.code], details: failure.message });
      return;
    }
    observe('OK');
    callback(null, response);
  };
}

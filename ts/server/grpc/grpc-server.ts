import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ModelRepository } from '../../repository/model-repository';
import type { DrainState } from '../drain';
import type { ModelRegistry } from '../../repository/model-registry';
import { RequestObserver } from '../request-observer';
import { createHealthService } from './health-service';
import { createInferenceService } from './inference-service';
import { withInferCodec } from './infer-codec';
import { withPredictCodec } from './predict-codec';
import { grpcReceiveLimit, requestGuard } from './request-guard';
import { ByteBudget } from '../../protocol/byte-budget';
import { DEFAULT_LIMITS, type Limits } from '../../protocol/limits';
import { createPredictService } from './predict-service';
import { createRepositoryHandlers } from './repository-handlers';
import { loadProtonServices } from '../../protocol/proto-loading';
import type { GrpcLogger, GrpcRequestMetrics, GrpcServiceContext } from './unary-handler';

/** Triton's send limit; what the server receives is bounded by the limits instead. */
const MAX_SEND_BYTES = 2 ** 31 - 1;

/** How long close() lets in-flight calls finish before cancelling them. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface GrpcServerOptions {
  host: string;
  /** 0 binds a free port; the handle reports it. */
  port: number;
  metrics?: GrpcRequestMetrics;
  /** Receives unexpected handler failures; defaults to console.error. */
  logger?: GrpcLogger;
  /** close() waits this long for in-flight calls, then cancels them (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Serves RepositoryModelLoad/Unload (without one they answer UNAVAILABLE). */
  repository?: ModelRepository;
  /** Readiness and health report not ready once this drain has begun. */
  drain?: DrainState;
  /** Request limits (defaults: DEFAULT_LIMITS). */
  limits?: Limits;
  /** The server-wide in-flight byte budget, shared with REST (default: one of `limits.maxInFlightBytes`). */
  budget?: ByteBudget;
}

export interface GrpcServerHandle {
  /** The bound port (the chosen one when the options asked for 0). */
  readonly port: number;
  /** Stops accepting calls, lets in-flight calls finish, and cancels those still running at the deadline. */
  close(): Promise<void>;
}

/**
 * Serves `predict.Predictor`, `inference.GRPCInferenceService` and `grpc.health.v1.Health` for the
 * models of `registry`. Closing the server leaves the models open; the registry owns them.
 */
export async function startGrpcServer(registry: ModelRegistry, options: GrpcServerOptions): Promise<GrpcServerHandle> {
  let closing = false;
  const logger: GrpcLogger = options.logger ?? { error: (details, message) => console.error(message, details) };
  const limits = options.limits ?? DEFAULT_LIMITS;
  const budget = options.budget ?? new ByteBudget(limits.maxInFlightBytes);
  const context: GrpcServiceContext = {
    limits,
    registry,
    metrics: options.metrics,
    logger,
    observer: new RequestObserver(options.metrics, logger),
    isClosing: () => closing || options.drain?.draining === true,
    repository: options.repository,
  };
  const services = loadProtonServices();
  const server = new Server({
    'grpc.max_receive_message_length': grpcReceiveLimit(limits),
    'grpc.max_send_message_length': MAX_SEND_BYTES,
    interceptors: [requestGuard(limits, budget)],
  });
  server.addService(withPredictCodec(services.predictor, limits), createPredictService(context));
  server.addService(withInferCodec(services.inference, limits), { ...createInferenceService(context), ...createRepositoryHandlers(context) });
  server.addService(services.health, createHealthService(context));

  const address = `${formatHost(options.host)}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(new Error(`gRPC cannot listen on ${address}: ${error.message}`, { cause: error })) : resolve(bound),
    );
  });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      // forceShutdown destroys the sessions that tryShutdown waits on; resolve right away either way.
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return closed;
  };
  return { port, close };
}

/** IPv6 literals need brackets in a gRPC target. */
function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

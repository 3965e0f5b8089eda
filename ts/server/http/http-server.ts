import { InferHeaderCache } from '../../protocol/infer-header-cache';
import type { DrainState } from '../drain';
import { ByteBudget } from '../../protocol/byte-budget';
import { DEFAULT_LIMITS, type Limits } from '../../protocol/limits';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { ModelRepository } from '../../repository/model-repository';
import type { ModelRegistry } from '../../repository/model-registry';
import { registerConfigRoutes } from './config-routes';
import { RequestObserver } from '../request-observer';
import type { HttpContext } from './context';
import { InFlight } from './in-flight';
import { registerProtonRoutes } from './proton-routes';
import { guardBodyless } from './routes-common';
import { jsonReply, writeReply } from './reply';
import { registerRepositoryRoutes } from './repository-routes';
import { loadUws, type ListenSocket, type TemplatedApp } from './uws';
import { registerStatsRoutes } from './stats-routes';
import { registerV2Routes } from './v2-routes';

export interface HttpServerOptions {
  host: string;
  /** 0 binds a free port; the handle reports it. */
  port: number;
  /** Request limits (default: DEFAULT_LIMITS). */
  limits?: Limits;
  /** Shared with the gRPC server, so both draw on one in-flight byte budget (default: its own). */
  budget?: ByteBudget;
  metrics: Metrics;
  logger: Logger;
  /** Overrides the request observer built from `metrics` and `logger` (the overhead benchmark turns it off). */
  observer?: RequestObserver;
  /** close() waits this long for in-flight requests, then drops their connections (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Serves the repository extension's load/unload (without one they answer 503). */
  repository?: ModelRepository;
  /** Readiness reports false once this drain has begun. */
  drain?: DrainState;
}

export interface HttpServerHandle {
  /** The bound port (the chosen one when the options asked for 0). */
  readonly port: number;
  /** Requests accepted and not answered yet. */
  readonly inFlight: number;
  /**
   * Stops accepting connections, answers every request already accepted (new requests on open
   * keep-alive connections get 503), then closes every connection. Models stay open.
   */
  close(): Promise<void>;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Serves the original Proton REST API and the Open Inference Protocol over uWebSockets.js.
 * @throws Error when uWebSockets.js's native binary does not load or the port cannot be bound
 */
export async function startHttpServer(registry: ModelRegistry, options: HttpServerOptions): Promise<HttpServerHandle> {
  const uws = loadUws();
  const app = uws.App() as TemplatedApp;
  const inFlight = new InFlight();
  const limits = options.limits ?? DEFAULT_LIMITS;
  const context: HttpContext = {
    registry,
    metrics: options.metrics,
    logger: options.logger,
    observer: options.observer ?? new RequestObserver(options.metrics, options.logger),
    inFlight,
    repository: options.repository,
    drain: options.drain,
    limits,
    budget: options.budget ?? new ByteBudget(limits.maxInFlightBytes),
    inferHeaders: new InferHeaderCache(),
  };
  registerProtonRoutes(app, context);
  registerStatsRoutes(app, context);
  registerV2Routes(app, context);
  registerConfigRoutes(app, context);
  registerRepositoryRoutes(app, context);
  app.any('/*', (res, req) => {
    const guard = guardBodyless(res, req);
    if (guard) writeReply(res, jsonReply(404, { error: 'Not Found' }), guard.close || inFlight.draining);
  });

  const listenSocket = await new Promise<ListenSocket>((resolve, reject) => {
    app.listen(options.host, options.port, (socket) => {
      if (socket) resolve(socket);
      else reject(new Error(`cannot listen for HTTP on ${options.host}:${options.port} (address in use or not available)`));
    });
  });
  const port = uws.us_socket_local_port(listenSocket as never);

  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    inFlight.draining = true;
    uws.us_listen_socket_close(listenSocket);
    const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const late = await Promise.race([inFlight.idle().then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) options.logger.warn({ inFlight: inFlight.size }, 'HTTP shutdown timed out; dropping unanswered requests');
    app.close();
  };

  return {
    port,
    get inFlight() {
      return inFlight.size;
    },
    close: () => (closed ??= close()),
  };
}

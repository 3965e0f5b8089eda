import { Model } from '../model';
import { configuredFromOptions } from '../repository/configured-load';
import { ModelRepository } from '../repository/model-repository';
import { ByteBudget } from '../protocol/byte-budget';
import { resolveLimits } from '../protocol/limits';
import type { ServerConfig } from './config';
import { DrainState, delay } from './drain';
import { startGrpcServer } from './grpc/grpc-server';
import { startHttpServer } from './http/http-server';
import { createLogger, type Logger } from './logger';
import { MemoryRelease } from './memory-release';
import { createMetrics, type Metrics } from './metrics';
import { startMetricsServer } from './metrics-server';
import { routeOrtLog } from './ort-log';
import { ModelRegistry } from '../repository/model-registry';
import { assertPortFree } from './port-probe';

/** A started Proton server. */
export interface RunningServer {
  /** The bound REST port (the chosen one when the config asked for 0). */
  readonly httpPort: number;
  /** The bound gRPC port. */
  readonly grpcPort: number;
  /** The bound port of the separate `/metrics` listener, when the config asked for one. */
  readonly metricsPort: number | undefined;
  readonly registry: ModelRegistry;
  /** The model repository, when the config has one (`--model-repository`). */
  readonly repository: ModelRepository | undefined;
  readonly metrics: Metrics;
  /** True once close() has begun: readiness reports false from then on; liveness stays true. */
  readonly draining: boolean;
  /**
   * Graceful shutdown, in the order a Kubernetes rollout needs: readiness turns false at once,
   * serving continues for `drainDelayMs`, then both front-ends stop accepting and answer what they
   * accepted (for up to `shutdownTimeoutMs`), then the models close. Safe to call more than once.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Defaults to a pino logger at the config's level. */
  logger?: Logger;
  /**
   * How long close() waits for accepted requests before dropping them (default 30 s, Triton's
   * `--exit-timeout-secs`).
   */
  shutdownTimeoutMs?: number;
  /**
   * How long close() keeps serving after readiness turns false, so load balancers stop sending
   * first (default 0).
   */
  drainDelayMs?: number;
}

/** Triton's default `--exit-timeout-secs`. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * Loads every configured model and starts the REST (uWebSockets.js) and gRPC front-ends.
 * On any failure, whatever was started is closed again before the error propagates.
 */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const stopOrtLog = routeOrtLog(logger);
  const registry = new ModelRegistry();
  const metrics = createMetrics(registry);
  const drain = new DrainState();
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const cleanups: Array<() => Promise<void>> = [async () => stopOrtLog(), () => registry.closeAll()];
  const undo = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const models = await Promise.allSettled(config.models.map((entry) => Model.load(entry.path, entry.options)));
    models.forEach((result, index) => {
      const entry = config.models[index]!;
      if (result.status === 'fulfilled') registry.add({ name: entry.name, version: '1', model: configuredFromOptions(entry.name, result.value, entry.options) });
    });
    const failed = models.findIndex((result) => result.status === 'rejected');
    if (failed >= 0) {
      const entry = config.models[failed]!;
      const reason = (models[failed] as PromiseRejectedResult).reason as Error;
      throw new Error(`cannot load model '${entry.name}' from ${entry.path}: ${reason.message}`);
    }
    const repository = config.repository === undefined ? undefined : new ModelRepository(registry, { ...config.repository, logger });
    if (repository) {
      cleanups.push(() => repository.close());
      if (repository.openToAnyone && !isLoopback(config.host)) {
        logger.warn({ host: config.host }, 'explicit model control without --repository-token on a non-loopback address: anyone who can reach the server can load and unload models');
      }
      const report = await repository.start();
      // As Triton's default --exit-on-error: a model that should load but cannot stops the start.
      if (report.failed.length > 0) {
        throw new Error(report.failed.map((failure) => `cannot load model '${failure.name}': ${failure.reason}`).join('\n'));
      }
    }

    const limits = resolveLimits({
      maxRequestBytes: config.maxBodyBytes,
      maxDecodedBytes: config.maxBodyBytes,
      ...config.limits,
    });
    const budget = new ByteBudget(limits.maxInFlightBytes);
    const memoryRelease = new MemoryRelease(budget, {}, undefined, (error) => logger.warn({ err: error }, 'cannot give memory back'));
    cleanups.push(async () => memoryRelease.close());
    await assertPortFree(config.host, config.port, 'the REST', '--port (server.port)');
    await assertPortFree(config.host, config.grpcPort, 'the gRPC', '--grpc-port (server.grpc_port)');
    const http = await startHttpServer(registry, {
      host: config.host,
      port: config.port,
      limits,
      budget,
      metrics,
      logger,
      shutdownTimeoutMs,
      drain,
      repository,
    });
    cleanups.push(() => http.close());
    const grpc = await startGrpcServer(registry, {
      host: config.host,
      port: config.grpcPort,
      limits,
      budget,
      metrics,
      logger,
      shutdownTimeoutMs,
      drain,
      repository,
    });
    cleanups.push(() => grpc.close());
    const metricsServer = config.metricsPort === undefined ? undefined : await startMetricsServer(metrics, config.host, config.metricsPort);
    if (metricsServer) cleanups.push(() => metricsServer.close());

    let closing: Promise<void> | undefined;
    const close = async (): Promise<void> => {
      drain.begin();
      const drainDelayMs = options.drainDelayMs ?? 0;
      if (drainDelayMs > 0) {
        logger.info({ drainDelayMs }, 'draining: not ready, still serving');
        await delay(drainDelayMs);
      }
      logger.info('shutting down: finishing accepted requests');
      await Promise.all([http.close(), grpc.close()]);
      await repository?.close();
      await registry.closeAll();
      await metricsServer?.close();
      stopOrtLog();
      logger.info('shut down');
    };
    return {
      httpPort: http.port,
      grpcPort: grpc.port,
      metricsPort: metricsServer?.port,
      registry,
      repository,
      metrics,
      get draining() {
        return drain.draining;
      },
      close: () => (closing ??= close()),
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

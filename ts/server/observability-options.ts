import { InvalidArgumentError, type Command } from 'commander';
import type { ServerConfig } from './config';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel, type Logger } from './logger';
import { SERVER_VERSION } from '../protocol/server-metadata';
import type { RunningServer } from './server';

export interface ObservabilityCliOptions {
  metricsPort?: number;
  logFormat?: LogFormat;
  logLevel?: LogLevel;
}

function oneOf<T extends string>(choices: readonly T[], upper: boolean) {
  return (value: string): T => {
    const normalized = upper ? value.toUpperCase() : value.toLowerCase();
    if (!(choices as readonly string[]).includes(normalized)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    return normalized as T;
  };
}

function portArgument(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number (0 to 65535)');
  return port;
}

/** `--metrics-port`, `--log-format`, `--log-level`: declared in one block. */
export function addObservabilityOptions(program: Command): Command {
  return program
    .option('--metrics-port <port>', 'also serve GET /metrics alone on this port (Triton uses 8002; default: off)', portArgument)
    .option('--log-format <format>', 'text | json (default: text on a terminal, json otherwise)', oneOf(LOG_FORMATS, false))
    .option('--log-level <level>', `${LOG_LEVELS.join(' | ')} (overrides the file; DEBUG logs every request)`, oneOf(LOG_LEVELS, true));
}

export function applyObservabilityOptions(config: ServerConfig, options: ObservabilityCliOptions): void {
  if (options.metricsPort !== undefined) config.metricsPort = options.metricsPort;
  if (options.logFormat !== undefined) config.logFormat = options.logFormat;
  if (options.logLevel !== undefined) config.logLevel = options.logLevel;
}

/**
 * The logger of start-up and shutdown records: at least `info` whatever the configured level, so
 * the banner and the signal notices appear even with `log_level: WARN`.
 */
export function lifecycleLogger(logger: Logger): Logger {
  return logger.isLevelEnabled('info') ? logger : logger.child({}, { level: 'info' });
}

/** The start-up banner, as log records: one per listener and per model. */
export function logBanner(logger: Logger, server: RunningServer, config: ServerConfig): void {
  const models = server.registry.list();
  logger.info({ version: SERVER_VERSION, models: models.length }, `Proton ${SERVER_VERSION} serving ${models.length} model(s)`);
  logger.info({ rest: server.httpPort }, `REST  http://${config.host}:${server.httpPort} (original: /predict /models /ready /metrics; KServe V2: /v2/...)`);
  logger.info({ grpc: server.grpcPort }, `gRPC  ${config.host}:${server.grpcPort} (predict.Predictor, inference.GRPCInferenceService)`);
  if (server.metricsPort !== undefined) logger.info({ metrics: server.metricsPort }, `metrics http://${config.host}:${server.metricsPort}/metrics`);
  const shape = (t: { name: string; type: string; shape: ReadonlyArray<number | string> }): string => `${t.name} ${t.type}[${t.shape.join(',')}]`;
  for (const served of models) {
    const { inputs, outputs } = served.model.metadata;
    logger.info({ model: served.name, version: served.version }, `model ${served.name}: ${inputs.map(shape).join(', ')} -> ${outputs.map(shape).join(', ')}`);
  }
}

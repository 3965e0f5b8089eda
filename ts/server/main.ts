import { Command, InvalidArgumentError } from 'commander';
import { DEMO_MODELS_DIR, ensureDemoModels } from '../onnx/demo-models';
import { MODEL_CONTROL_MODES, type ModelControlMode } from '../repository/model-repository';
import { ConfigError, defaultConfig, loadConfig, type ServerConfig } from './config';
import { SERVER_VERSION } from '../protocol/server-metadata';
import { createLogger } from './logger';
import { addObservabilityOptions, applyObservabilityOptions, lifecycleLogger, logBanner, type ObservabilityCliOptions } from './observability-options';
import { startServer, type RunningServer } from './server';

/** The demo models `npm start` serves without a config; squeezenet1.0 keeps the original's name. */
async function demoConfig(): Promise<ServerConfig> {
  const paths = await ensureDemoModels(DEMO_MODELS_DIR);
  const { 'squeezenet1.0': squeezenet, ...small } = paths;
  return defaultConfig({ squeezenet, ...small });
}

function portArgument(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number (0 to 65535)');
  return port;
}

function positiveIntArgument(value: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

function controlModeArgument(value: string): ModelControlMode {
  if (!(MODEL_CONTROL_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${MODEL_CONTROL_MODES.join(', ')}`);
  }
  return value as ModelControlMode;
}

const repeatable = (value: string, previous: string[] = []): string[] => [...previous, value];

interface CliOptions {
  config?: string;
  port?: number;
  grpcPort?: number;
  host?: string;
  modelRepository?: string[];
  modelStore?: string[];
  modelControlMode?: ModelControlMode;
  loadModel?: string[];
  repositoryPollSecs?: number;
  repositoryToken?: string;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('proton')
    .description('Serve ONNX models over REST (uWebSockets.js) and gRPC. Without --config, serves the demo models.')
    .version(SERVER_VERSION)
    .option('-c, --config <file>', 'YAML configuration file')
    .option('-p, --port <port>', 'REST port (overrides the file)', portArgument)
    .option('--grpc-port <port>', 'gRPC port (overrides the file)', portArgument)
    .option('--host <host>', 'address to listen on (overrides the file)')
    .option('--model-repository <dir>', 'Triton-layout model repository (repeatable)', repeatable)
    .option('--model-store <dir>', 'alias of --model-repository', repeatable)
    .option('--model-control-mode <mode>', 'none | poll | explicit (default none)', controlModeArgument)
    .option('--load-model <name>', "explicit mode: a model to load at start (repeatable; '*' for all)", repeatable)
    .option('--repository-poll-secs <n>', 'poll mode: seconds between repository scans (default 15)', positiveIntArgument)
    .option('--repository-token <token>', 'load/unload requests need Authorization: Bearer <token>');
  addObservabilityOptions(program)
    .parse(argv);
  const options = program.opts<CliOptions & ObservabilityCliOptions>();

  let config: ServerConfig;
  const roots = [...(options.modelRepository ?? []), ...(options.modelStore ?? [])];
  try {
    config = options.config ? loadConfig(options.config) : roots.length > 0 ? defaultConfig({}) : await demoConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `cannot prepare the configuration: ${(error as Error).message}`);
    process.exit(1);
  }
  if (options.port !== undefined) config.port = options.port;
  if (options.grpcPort !== undefined) config.grpcPort = options.grpcPort;
  if (options.host !== undefined) config.host = options.host;
  applyObservabilityOptions(config, options);
  if (roots.length > 0) {
    config.repository = {
      roots,
      controlMode: options.modelControlMode ?? 'none',
      loadModels: options.loadModel ?? [],
      ...(options.repositoryPollSecs !== undefined ? { pollSecs: options.repositoryPollSecs } : {}),
      ...(options.repositoryToken !== undefined ? { token: options.repositoryToken } : {}),
    };
  } else if (options.modelControlMode || options.loadModel || options.repositoryPollSecs || options.repositoryToken) {
    console.error('--model-control-mode, --load-model, --repository-poll-secs and --repository-token need --model-repository');
    process.exit(1);
  }

  const serverLogger = createLogger({ level: config.logLevel, format: config.logFormat });
  const logger = lifecycleLogger(serverLogger);
  let server: RunningServer;
  try {
    server = await startServer(config, { logger: serverLogger });
  } catch (error) {
    logger.fatal(`Proton could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  logBanner(logger, server, config);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: finishing accepted requests, then exiting`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

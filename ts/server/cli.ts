#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEMO_MODELS_DIR, ensureDemoModels } from '../onnx/demo-models';
import { ConfigError, defaultConfig, loadConfig, type ServerConfig } from './config';
import { modelDirConfig } from './model-dir';
import { MODEL_CONTROL_MODES, type ModelControlMode } from '../repository/model-repository';
import { LIMIT_SETTINGS } from '../protocol/limits';
import { SERVER_VERSION } from '../protocol/server-metadata';
import { createLogger } from './logger';
import { addObservabilityOptions, applyObservabilityOptions, lifecycleLogger, logBanner, type ObservabilityCliOptions } from './observability-options';
import { startServer, type RunningServer } from './server';

/** The demo models served without a config; squeezenet1.0 keeps the original's name. */
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

/** Whole seconds, as Triton's `--exit-timeout-secs` takes them; a day at most. */
function secondsArgument(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds > 86_400) throw new InvalidArgumentError('expected whole seconds (0 to 86400)');
  return seconds;
}

function positiveIntArgument(value: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

function limitArgument(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

const repeatable = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Signals closer together than this are one event delivered twice (see stop()). */
const REPEAT_SIGNAL_MS = 1_000;

interface CliOptions {
  config?: string;
  modelDir?: string;
  modelName?: string;
  port?: number;
  httpPort?: number;
  grpcPort?: number;
  host?: string;
  drainDelaySecs: number;
  exitTimeoutSecs: number;
  modelRepository?: string[];
  modelStore?: string[];
  modelControlMode?: ModelControlMode;
  loadModel?: string[];
  repositoryPollSecs?: number;
  repositoryToken?: string;
}

/** The command line, declared once: `--help` and the tests read the same definition. */
export function createProgram(): Command {
  const program = new Command()
    .name('proton-serve')
    .description(
      'Serve ONNX models over REST (uWebSockets.js) and gRPC: the original Proton API and the Open Inference Protocol (KServe V2).\n' +
        'Without --config or --model-dir, serves the demo models (random weights, written to models/).',
    )
    .version(SERVER_VERSION)
    .addOption(new Option('-c, --config <file>', 'YAML configuration file').conflicts(['modelDir', 'modelName']))
    .addOption(new Option('--model-dir <dir>', "serve <dir> (KServe's /mnt/models): the single .onnx file inside, or a Triton-layout repository"))
    .addOption(new Option('--model-name <name>', 'the name --model-dir serves the model under'))
    .addOption(new Option('-p, --port <port>', 'REST port (overrides the file)').argParser(portArgument))
    .addOption(new Option('--http-port <port>', 'alias of --port (KServe, Triton)').argParser(portArgument).conflicts('port'))
    .addOption(new Option('--grpc-port <port>', 'gRPC port (overrides the file)').argParser(portArgument))
    .addOption(new Option('--host <host>', 'address to listen on (overrides the file)'))
    .addOption(
      new Option('--drain-delay-secs <secs>', 'on SIGTERM/SIGINT, report not ready but keep serving this long before stopping')
        .argParser(secondsArgument)
        .default(0),
    )
    .addOption(
      new Option('--exit-timeout-secs <secs>', 'then wait this long for accepted requests before dropping them')
        .argParser(secondsArgument)
        .default(30),
    )
    .addOption(new Option('--model-repository <dir>', 'Triton-layout model repository (repeatable)').argParser(repeatable))
    .addOption(new Option('--model-store <dir>', 'alias of --model-repository').argParser(repeatable))
    .addOption(new Option('--model-control-mode <mode>', 'none | poll | explicit (default none)').choices(MODEL_CONTROL_MODES))
    .addOption(new Option('--load-model <name>', "explicit mode: a model to load at start (repeatable; '*' for all)").argParser(repeatable))
    .addOption(
      new Option('--repository-poll-secs <n>', 'poll mode: seconds between repository scans (default 15)').argParser(positiveIntArgument),
    )
    .addOption(new Option('--repository-token <token>', 'load/unload requests need Authorization: Bearer <token>'));
  // Request limits: one flag per key of ts/protocol/limits.ts (overriding the file's `limits:`).
  for (const setting of LIMIT_SETTINGS) program.addOption(new Option(`${setting.flag} <n>`, `limit: ${setting.bounds}`).argParser(limitArgument));
  addObservabilityOptions(program);
  return program;
}

async function configFrom(options: CliOptions, program: Command): Promise<ServerConfig> {
  if ((options.modelDir === undefined) !== (options.modelName === undefined)) {
    program.error('error: --model-dir and --model-name go together (KServe passes both)');
  }
  const roots = [...(options.modelRepository ?? []), ...(options.modelStore ?? [])];
  const repositoryOnly = options.modelControlMode ?? options.loadModel ?? options.repositoryPollSecs ?? options.repositoryToken;
  if (roots.length === 0 && repositoryOnly !== undefined) {
    program.error('error: --model-control-mode, --load-model, --repository-poll-secs and --repository-token need --model-repository');
  }
  const config = options.config
    ? loadConfig(options.config)
    : options.modelDir !== undefined
      ? await modelDirConfig(options.modelDir, options.modelName!)
      : roots.length > 0
        ? defaultConfig({})
        : await demoConfig();
  if (roots.length > 0) {
    config.repository = {
      ...config.repository,
      roots: [...(config.repository?.roots ?? []), ...roots],
      controlMode: options.modelControlMode ?? 'none',
      loadModels: options.loadModel ?? [],
      ...(options.repositoryPollSecs !== undefined ? { pollSecs: options.repositoryPollSecs } : {}),
      ...(options.repositoryToken !== undefined ? { token: options.repositoryToken } : {}),
    };
  }
  return config;
}

async function main(argv: string[]): Promise<void> {
  const program = createProgram().parse(argv);
  const options = program.opts<CliOptions & ObservabilityCliOptions>();

  let config: ServerConfig;
  try {
    config = await configFrom(options, program);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `cannot prepare the configuration: ${(error as Error).message}`);
    process.exit(1);
  }
  const port = options.port ?? options.httpPort;
  if (port !== undefined) config.port = port;
  if (options.grpcPort !== undefined) config.grpcPort = options.grpcPort;
  if (options.host !== undefined) config.host = options.host;
  const optionValues = options as unknown as Record<string, number | undefined>;
  for (const setting of LIMIT_SETTINGS) {
    const value = optionValues[setting.key];
    if (value !== undefined) config.limits = { ...config.limits, [setting.key]: value };
  }

  applyObservabilityOptions(config, options);

  const serverLogger = createLogger({ level: config.logLevel, format: config.logFormat });
  const logger = lifecycleLogger(serverLogger);
  const drainDelayMs = options.drainDelaySecs * 1000;
  const shutdownTimeoutMs = options.exitTimeoutSecs * 1000;
  let server: RunningServer;
  try {
    server = await startServer(config, { drainDelayMs, shutdownTimeoutMs, logger: serverLogger });
  } catch (error) {
    logger.fatal(`Proton could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (stoppingSince !== undefined) {
      // Ctrl-C on `npm start` reaches the server twice at once (from the terminal and from npm,
      // which forwards it): only a signal sent later means "stop waiting".
      if (performance.now() - stoppingSince < REPEAT_SIGNAL_MS) return;
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stoppingSince = performance.now();
    logger.info(
      `${signal}: not ready; serving for ${options.drainDelaySecs} s more, then finishing accepted requests ` +
        `(at most ${options.exitTimeoutSecs} s), then exiting`,
    );
    // Models still busy after the front-ends gave up must not keep the process alive for ever.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, drainDelayMs + shutdownTimeoutMs + 5_000).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  // Before the banner: whoever waits for it may signal at once.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  logBanner(logger, server, config);
}

if (require.main === module) {
  main(process.argv).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

import { Command, InvalidArgumentError } from 'commander';
import { DEMO_MODELS_DIR, ensureDemoModels } from '../onnx/demo-models';
import { ConfigError, defaultConfig, loadConfig, type ServerConfig } from './config';
import { SERVER_VERSION } from '../protocol/server-metadata';
import { startServer, type RunningServer } from './server';
import { LIMIT_SETTINGS } from '../protocol/limits';

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

function positiveArgument(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

interface CliOptions {
  config?: string;
  port?: number;
  grpcPort?: number;
  host?: string;
}

function describe(server: RunningServer, config: ServerConfig): string {
  const lines = [
    `Proton ${SERVER_VERSION} serving ${server.registry.list().length} model(s)`,
    `  REST  http://${config.host}:${server.httpPort}  (original: /predict /models /ready /metrics; KServe V2: /v2/...)`,
    `  gRPC  ${config.host}:${server.grpcPort}  (predict.Predictor, inference.GRPCInferenceService)`,
  ];
  for (const served of server.registry.list()) {
    const { inputs, outputs } = served.model.metadata;
    const shape = (t: { name: string; type: string; shape: ReadonlyArray<number | string> }): string =>
      `${t.name} ${t.type}[${t.shape.join(',')}]`;
    lines.push(`  - ${served.name}: ${inputs.map(shape).join(', ')} -> ${outputs.map(shape).join(', ')}`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('proton')
    .description('Serve ONNX models over REST (uWebSockets.js) and gRPC. Without --config, serves the demo models.')
    .version(SERVER_VERSION)
    .option('-c, --config <file>', 'YAML configuration file')
    .option('-p, --port <port>', 'REST port (overrides the file)', portArgument)
    .option('--grpc-port <port>', 'gRPC port (overrides the file)', portArgument)
    .option('--host <host>', 'address to listen on (overrides the file)');
  // Request limits: one flag per key of ts/protocol/limits.ts (overriding the file's `limits:`).
  for (const setting of LIMIT_SETTINGS) program.option(`${setting.flag} <n>`, `limit: ${setting.bounds}`, positiveArgument);
  program.parse(argv);
  const options = program.opts<CliOptions>();

  let config: ServerConfig;
  try {
    config = options.config ? loadConfig(options.config) : await demoConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `cannot prepare the configuration: ${(error as Error).message}`);
    process.exit(1);
  }
  if (options.port !== undefined) config.port = options.port;
  if (options.grpcPort !== undefined) config.grpcPort = options.grpcPort;
  if (options.host !== undefined) config.host = options.host;
  const optionValues = options as unknown as Record<string, number | undefined>;
  for (const setting of LIMIT_SETTINGS) {
    const value = optionValues[setting.key];
    if (value !== undefined) config.limits = { ...config.limits, [setting.key]: value };
  }

  let server: RunningServer;
  try {
    server = await startServer(config);
  } catch (error) {
    console.error(`Proton could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(describe(server, config));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: finishing accepted requests, then exiting`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown failed: ${(error as Error).message}`);
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

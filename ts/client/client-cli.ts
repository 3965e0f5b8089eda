import { Command, InvalidArgumentError, Option } from 'commander';
import { renderReport, reportToJson } from './client-report';
import { runClient } from './client-run';
import { createProgress } from './progress';
import type { InferTransport } from './transport';

/**
 * The command line both load clients share: the same flag names, so scripts drive the REST
 * and gRPC clients alike; each client adds one protocol option (`--encoding` or `--grpc-api`).
 */

/** The model the clients load when no --model is given: a demo model `npm start` serves. */
export const DEFAULT_MODEL = 'squeezenet';

const DEFAULT_REQUESTS = 1000;
const DEFAULT_CONCURRENCY = 10;
const DEFAULT_SEED = 1;

/** What differs between the REST and the gRPC client. */
export interface ClientCliSpec {
  name: string;
  description: string;
  defaultUrl: string;
  /** The protocol's own option; its value is passed to createTransport. */
  protocolOption: Option;
  createTransport(url: string, protocolValue: string, concurrency: number): InferTransport;
}

/** The parsed flags every client shares. */
interface CommonOptions {
  url: string;
  model?: string[];
  requests?: number;
  concurrency: number;
  duration?: number;
  seed: number;
  json?: boolean;
}

/**
 * Parses `argv`, runs the load and prints the report. Resolves with the exit code: 0 when every
 * request succeeded, 1 when some failed or the run could not start (the reason goes to stderr).
 */
export async function runClientCli(spec: ClientCliSpec, argv: readonly string[] = process.argv): Promise<number> {
  const program = new Command(spec.name)
    .description(spec.description)
    .option('--url <url>', 'server address', spec.defaultUrl)
    .option('--model <name>', `model to load; repeat to mix several at random (default: ${DEFAULT_MODEL})`, collect)
    .option('--requests <count>', `requests to send (default: ${DEFAULT_REQUESTS}, or unlimited with --duration)`, integer(0))
    .option('--concurrency <count>', 'requests in flight at once', integer(1), DEFAULT_CONCURRENCY)
    .option('--duration <seconds>', 'send requests for this long instead of a count', positiveNumber)
    .option('--seed <n>', 'seed of the generated inputs and the model mix', integer(0), DEFAULT_SEED)
    .option('--json', 'print the raw results as JSON instead of the table')
    .addOption(spec.protocolOption)
    .addHelpText('after', '\nExit status: 0 when every request succeeded, 1 when any failed or the run could not start.')
    .showHelpAfterError();
  program.parse(argv);
  const options = program.opts<CommonOptions & Record<string, string>>();
  const protocolValue = options[spec.protocolOption.attributeName()] as string;
  const requests = options.requests ?? (options.duration === undefined ? DEFAULT_REQUESTS : undefined);

  let transport: InferTransport;
  try {
    transport = spec.createTransport(options.url, protocolValue, options.concurrency);
  } catch (error) {
    process.stderr.write(`${spec.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const progress = createProgress({ requests, durationSec: options.duration });
  const abort = new AbortController();
  // First Ctrl-C: stop sending and report what ran; a second one exits at once.
  const onInterrupt = (): void => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    const report = await runClient({
      transport,
      models: options.model ?? [DEFAULT_MODEL],
      requests,
      durationSec: options.duration,
      concurrency: options.concurrency,
      seed: options.seed,
      onProgress: progress.update,
      signal: abort.signal,
    });
    progress.stop();
    process.stdout.write(options.json ? `${JSON.stringify(reportToJson(report), null, 2)}\n` : renderReport(report));
    return report.load.failed === 0 ? 0 : 1;
  } catch (error) {
    progress.stop();
    process.stderr.write(`${spec.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    transport.close();
  }
}

/** The entry point of a client program: runs the CLI on process.argv and sets the exit code. */
export function clientMain(spec: ClientCliSpec): void {
  // A reader that stops early (`| head`) is not an error of the run.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  runClientCli(spec).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function integer(min: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    return parsed;
  };
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0 && Number.isFinite(parsed))) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}

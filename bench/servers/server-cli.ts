import { Command, InvalidArgumentError } from 'commander';
import { positiveInteger } from '../common/cli-options';

/**
 * The command line every benchmark child server takes, so the suite starts them all alike:
 * `--model name=path` (repeatable), `--threads`, `--host`, `--port` and (where served) `--grpc-port`.
 */

export interface ModelArg {
  name: string;
  path: string;
}

export interface BenchServerArgs {
  models: ModelArg[];
  /** ONNX Runtime intra-op threads per session. */
  threads: number;
  host: string;
  port: number;
  grpcPort: number | undefined;
  /** Where the JS baselines run onnxruntime-node (js-worker-server only). */
  inference: 'worker' | 'event-loop';
}

/** Parses `process.argv` for the child server called `name`; exits with a usage message on a mistake. */
export function parseServerArgs(name: string, description: string): BenchServerArgs {
  const options = new Command(name)
    .description(description)
    .requiredOption('--model <name=path>', 'a model to serve (repeatable)', collectModel, [] as ModelArg[])
    .option('--threads <n>', 'ONNX Runtime intra-op threads per session', positiveInteger, 1)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('--port <port>', 'REST port', port)
    .option('--grpc-port <port>', 'gRPC port', port)
    .option('--inference <where>', "JS baselines: 'worker' (a worker_thread per model) or 'event-loop'", inferenceChoice, 'worker')
    .parse()
    .opts<{ model: ModelArg[]; threads: number; host: string; port: number; grpcPort?: number; inference: BenchServerArgs['inference'] }>();
  const { model: models, threads, host, grpcPort, inference } = options;
  return { models, threads, host, port: options.port, grpcPort, inference };
}

/** `name=path` → a model argument; repeated flags accumulate. */
export function collectModel(value: string, previous: ModelArg[]): ModelArg[] {
  const split = value.indexOf('=');
  if (split <= 0 || split === value.length - 1) throw new InvalidArgumentError('expected name=path');
  return [...previous, { name: value.slice(0, split), path: value.slice(split + 1) }];
}

function inferenceChoice(value: string): BenchServerArgs['inference'] {
  if (value !== 'worker' && value !== 'event-loop') throw new InvalidArgumentError("expected 'worker' or 'event-loop'");
  return value;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('expected a port number');
  return parsed;
}

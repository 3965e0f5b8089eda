import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { countList, nameList, nonNegativeNumber, positiveInteger, positiveNumber } from '../common/cli-options';
import { BENCH_MODEL_NAMES, type BenchModelName } from '../common/models';
import { RESULTS_DIR } from '../common/paths';
import type { PlanSettings } from './cell-plan';
import type { LoadChoice } from './measure-server';
import { SERVER_IDS, type ServerId } from './variants';

/** Everything the command line decides. */
export interface SuiteOptions extends PlanSettings {
  models: BenchModelName[];
  servers: ServerId[];
  /** ONNX Runtime intra-op threads per model instance, for every server and the ceiling. */
  threads: number;
  quick: boolean;
  /** Extra node arguments for the Proton child. */
  protonNodeArgs: string[];
  /** Profile the Proton child with --cpu-prof and summarize its top self-time functions. */
  profile: boolean;
  /** The load generators of the time-boxed cells of the small models and SqueezeNet. */
  load: LoadChoice;
  /** HTTP/2 connections h2load spreads a gRPC cell's calls over. */
  h2loadConnections: number;
  outDir: string;
}

interface Cli {
  models: BenchModelName[];
  servers: ServerId[];
  concurrency: number[];
  duration?: number;
  warmup?: number;
  threads: number;
  quick: boolean;
  maskrcnnConcurrency?: number[];
  maskrcnnRequests?: number;
  maskrcnnAll: boolean;
  protonNodeArgs: string;
  profile: boolean;
  load: LoadChoice;
  h2loadConnections: number;
  out?: string;
}

/** Parses the suite's command line (`npm run bench -- [options]`). */
export function parseSuiteOptions(argv: readonly string[]): SuiteOptions {
  const cli = new Command('bench')
    .description(
      'Starts each server in turn as a child process and measures it with the same load: Proton (REST binary, REST JSON, gRPC), ' +
        'the JS worker path, onnxruntime-node on the event loop, node:http + onnxruntime-node, and the ceilings ' +
        '(raw ONNX Runtime, HTTP and gRPC without inference), with the server CPU time per request of every cell.',
    )
    .option('--models <list>', `comma-separated, from ${BENCH_MODEL_NAMES.join(',')}`, nameList(BENCH_MODEL_NAMES), ['add', 'squeezenet', 'maskrcnn'])
    .option('--servers <list>', `comma-separated, from ${SERVER_IDS.join(',')}`, serverList, [...SERVER_IDS])
    .option('--concurrency <list>', 'requests in flight, comma-separated', countList, [1, 10, 64])
    .option('--duration <seconds>', 'measured time per cell (default 2.5; 0.5 with --quick)', positiveNumber)
    .option('--warmup <seconds>', 'unmeasured load before each cell (default 0.5; 0.2 with --quick)', nonNegativeNumber)
    .option('--threads <n>', 'ONNX Runtime intra-op threads per model instance, for every server', positiveInteger, 1)
    .option('--quick', 'a fast smoke run: add only, c=64, 1 s cells; results go to bench/results/quick/', false)
    .option('--maskrcnn-concurrency <list>', 'concurrency levels for Mask R-CNN (default 1,10; 1 with --quick)', countList)
    .option('--maskrcnn-requests <n>', 'requests per Mask R-CNN cell at concurrency 1; max(n, c) at c (default 2; 1 with --quick)', positiveInteger)
    .option('--maskrcnn-all', 'measure Mask R-CNN with every server and client (slow: seconds per inference)', false)
    .option('--proton-node-args <args>', 'extra node arguments for the Proton child, space-separated', '')
    .option('--profile', 'run the Proton child under --cpu-prof and print its top self-time functions; results go to bench/results/profile/', false)
    .option(
      '--load <generators>',
      "load of the time-boxed cells of the small models and SqueezeNet: 'native' (wrk for REST, h2load for gRPC; cells are refused, with a note, " +
        "where the tool is missing) or 'clients' (the clients' node:http / grpc-js loop, like every other cell; results go to bench/results/clients/)",
      loadChoice,
      'native',
    )
    .option('--h2load-connections <n>', 'HTTP/2 connections h2load spreads the calls in flight over', positiveInteger, 4)
    .option('--out <dir>', 'where to write suite.json, suite.md and suite.svg (default bench/results/)')
    .parse(argv as string[])
    .opts<Cli>();
  const quick = cli.quick;
  const defaultDir = cli.profile ? 'profile' : quick ? 'quick' : cli.load === 'clients' ? 'clients' : '.';
  const outDir = cli.out ?? path.join(RESULTS_DIR, defaultDir);
  const protonNodeArgs = cli.protonNodeArgs.split(/\s+/).filter((arg) => arg !== '');
  if (cli.profile) protonNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.join(outDir, 'profiles')}`);
  // --quick: the tiny model at issue 13's 64 in flight, every server, 1 s cells (wrk and h2load count whole seconds).
  const explicit = (name: string): boolean => argv.some((arg) => arg === name || arg.startsWith(`${name}=`));
  return {
    models: quick && !explicit('--models') ? ['add'] : cli.models,
    servers: cli.servers,
    concurrency: quick && !explicit('--concurrency') ? [64] : cli.concurrency,
    durationSec: cli.duration ?? (quick ? 1 : 2.5),
    warmupSec: cli.warmup ?? (quick ? 0.2 : 0.5),
    threads: cli.threads,
    quick,
    maskrcnnConcurrency: cli.maskrcnnConcurrency ?? (quick ? [1] : [1, 10]),
    maskrcnnRequests: cli.maskrcnnRequests ?? (quick ? 1 : 2),
    maskrcnnAll: cli.maskrcnnAll,
    protonNodeArgs,
    profile: cli.profile,
    load: cli.load,
    h2loadConnections: cli.h2loadConnections,
    outDir: path.resolve(outDir),
  };
}

function loadChoice(value: string): LoadChoice {
  if (value !== 'native' && value !== 'clients') throw new InvalidArgumentError("expected 'native' or 'clients'");
  return value;
}

function serverList(value: string): ServerId[] {
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(SERVER_IDS as readonly string[]).includes(name));
  if (unknown !== undefined) throw new InvalidArgumentError(`unknown server '${unknown}'; choose from ${SERVER_IDS.join(', ')}`);
  return names as ServerId[];
}

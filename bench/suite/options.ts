import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BENCH_MODEL_NAMES, type BenchModelName } from './bench-models';
import type { PlanSettings } from './cell-plan';
import type { HttpLoad } from './measure-server';
import { RESULTS_DIR } from './paths';
import { SERVER_IDS, type ServerId } from './variants';
import { countList, nameList, nonNegativeNumber, positiveInteger, positiveNumber } from '../cli-options';

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
  /** The load generator of the time-boxed REST cells. */
  httpLoad: HttpLoad;
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
  httpLoad: HttpLoad;
  out?: string;
}

/** Parses the suite's command line (`npm run bench -- [options]`). */
export function parseSuiteOptions(argv: readonly string[]): SuiteOptions {
  const cli = new Command('bench')
    .description(
      'Starts each server in turn as a child process and measures it with the same load: Proton (REST binary, REST JSON, gRPC), ' +
        'the JS worker path, node:http + onnxruntime-node, and the ceilings (raw ONNX Runtime, HTTP without inference).',
    )
    .option('--models <list>', `comma-separated, from ${BENCH_MODEL_NAMES.join(',')}`, nameList(BENCH_MODEL_NAMES), ['add', 'squeezenet', 'maskrcnn'])
    .option('--servers <list>', `comma-separated, from ${SERVER_IDS.join(',')}`, serverList, [...SERVER_IDS])
    .option('--concurrency <list>', 'requests in flight, comma-separated', countList, [1, 10, 64])
    .option('--duration <seconds>', 'measured time per cell (default 2.5; 0.5 with --quick)', positiveNumber)
    .option('--warmup <seconds>', 'unmeasured load before each cell (default 0.5; 0.2 with --quick)', nonNegativeNumber)
    .option('--threads <n>', 'ONNX Runtime intra-op threads per model instance, for every server', positiveInteger, 1)
    .option('--quick', 'a fast smoke run: short cells, Mask R-CNN once per selected client; results go to bench/results/quick/', false)
    .option('--maskrcnn-concurrency <list>', 'concurrency levels for Mask R-CNN (default 1,10; 1 with --quick)', countList)
    .option('--maskrcnn-requests <n>', 'requests per Mask R-CNN cell at concurrency 1; max(n, c) at c (default 2; 1 with --quick)', positiveInteger)
    .option('--maskrcnn-all', 'measure Mask R-CNN with every server and client (slow: seconds per inference)', false)
    .option('--proton-node-args <args>', 'extra node arguments for the Proton child, space-separated', '')
    .option('--profile', 'run the Proton child under --cpu-prof and print its top self-time functions; results go to bench/results/profile/', false)
    .option(
      '--http-load <generator>',
      "load generator of the small models' REST cells: 'clients' (the clients' node:http loop, like every other cell) or 'wrk' " +
        "(Debian's wrk, 1 thread: the server, not the client, becomes the bottleneck); results of 'wrk' go to bench/results/wrk/",
      httpLoadChoice,
      'clients',
    )
    .option('--out <dir>', 'where to write suite.json, suite.md and suite.svg (default bench/results/)')
    .parse(argv as string[])
    .opts<Cli>();
  const quick = cli.quick;
  const defaultDir = cli.profile ? 'profile' : quick ? 'quick' : cli.httpLoad === 'wrk' ? 'wrk' : '.';
  const outDir = cli.out ?? path.join(RESULTS_DIR, defaultDir);
  const protonNodeArgs = cli.protonNodeArgs.split(/\s+/).filter((arg) => arg !== '');
  if (cli.profile) protonNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.join(outDir, 'profiles')}`);
  return {
    models: cli.models,
    servers: cli.servers,
    concurrency: cli.concurrency,
    durationSec: cli.duration ?? (quick ? 0.5 : 2.5),
    warmupSec: cli.warmup ?? (quick ? 0.2 : 0.5),
    threads: cli.threads,
    quick,
    maskrcnnConcurrency: cli.maskrcnnConcurrency ?? (quick ? [1] : [1, 10]),
    maskrcnnRequests: cli.maskrcnnRequests ?? (quick ? 1 : 2),
    maskrcnnAll: cli.maskrcnnAll,
    protonNodeArgs,
    profile: cli.profile,
    httpLoad: cli.httpLoad,
    outDir: path.resolve(outDir),
  };
}






function httpLoadChoice(value: string): HttpLoad {
  if (value !== 'clients' && value !== 'wrk') throw new InvalidArgumentError("expected 'clients' or 'wrk'");
  return value;
}

function serverList(value: string): ServerId[] {
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(SERVER_IDS as readonly string[]).includes(name));
  if (unknown !== undefined) throw new InvalidArgumentError(`unknown server '${unknown}'; choose from ${SERVER_IDS.join(', ')}`);
  return names as ServerId[];
}

/**
 * Microbenchmark of issue 2: Proton against onnxruntime-node in the main thread and against the
 * JS worker path, on Add and the MLP (batch 1), with 1, 16 and 64 calls in flight.
 * Usage: npm run bench:micro -- [--duration 2] [--models add,mlp] [--in-flight 1,16,64] [--rounds 4]
 */
import path from 'node:path';
import { Command } from 'commander';

import { DEMO_MODELS_DIR, ensureDemoModels } from '../ts/onnx/demo-models';
import { benchModel, BENCH_MODEL_NAMES, type BenchModel, type BenchModelName } from './micro/bench-models';
import type { InferPath } from './micro/infer-path';
import { openOrtMainPath } from './micro/ort-path';
import { openProtonPath } from './micro/proton-path';
import { describeMachine, writeReport } from './micro/report';
import { configResult, type ConfigResult } from './micro/results';
import { runConfig, type RunOptions } from './micro/run-config';
import { formatRatios, formatTable } from './micro/table';
import { verifyPaths } from './micro/verify';
import { openWorkerPath } from './micro/worker-path';
import { countList, nameList, positiveInteger, positiveNumber } from './cli-options';

const REPORT_FILE = path.join(__dirname, '..', '..', 'bench', 'results', 'micro.json');

interface CliOptions {
  duration: number;
  models: BenchModelName[];
  inFlight: number[];
  rounds: number;
  out: string;
}

function parseCli(): CliOptions {
  return new Command('bench:micro')
    .description('Per-call latency and throughput: Proton vs onnxruntime-node (main thread) vs onnxruntime-node in a worker')
    .option('--duration <seconds>', 'measured time per path and configuration', positiveNumber, 2)
    .option('--models <list>', `comma-separated, from ${BENCH_MODEL_NAMES.join(',')}`, nameList(BENCH_MODEL_NAMES), ['add', 'mlp'])
    .option('--in-flight <list>', 'comma-separated numbers of calls kept in flight', countList, [1, 16, 64])
    .option('--rounds <n>', 'rounds the measured time is split into, paths interleaved', positiveInteger, 4)
    .option('--out <file>', 'where to write the JSON results', REPORT_FILE)
    .parse()
    .opts<CliOptions>();
}

async function main(): Promise<void> {
  const cli = parseCli();
  // A quarter of the measured time, at least 0.25 s: enough for the JIT and ORT's first-run allocations.
  const options: RunOptions = { durationMs: cli.duration * 1000, warmupMs: Math.max(250, cli.duration * 250), rounds: cli.rounds };
  const machine = describeMachine();
  if (machine.loadAverage[0] > machine.cores / 2) {
    console.warn(`warning: load average ${machine.loadAverage[0].toFixed(2)} on ${machine.cores} cores; figures will be noisy`);
  }
  const files = await ensureDemoModels(DEMO_MODELS_DIR);
  const results: ConfigResult[] = [];
  for (const name of cli.models) {
    results.push(...(await benchmarkModel(benchModel(name, files[name]), cli.inFlight, options)));
  }
  console.log(`\n${formatTable(results)}\n\n${formatRatios(results)}\n`);
  console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, onnxruntime-node ${machine.onnxruntimeNode}`);
  await writeReport(cli.out, {
    machine,
    settings: { durationS: cli.duration, warmupS: options.warmupMs / 1000, rounds: cli.rounds, intraOpNumThreads: 1 },
    results,
  });
  console.log(`results written to ${path.relative(process.cwd(), cli.out)}`);
}

async function benchmarkModel(spec: BenchModel, inFlightCounts: readonly number[], options: RunOptions): Promise<ConfigResult[]> {
  const paths: InferPath[] = [];
  try {
    paths.push(await openProtonPath(spec), await openOrtMainPath(spec), await openWorkerPath(spec));
    await verifyPaths(spec, paths);
    const results: ConfigResult[] = [];
    for (const inFlight of inFlightCounts) {
      process.stderr.write(`${spec.name}, ${inFlight} in flight ...\n`);
      const method = inFlight === 1 ? 'tinybench' : 'fixed-concurrency loop';
      results.push(configResult(spec.name, inFlight, method, await runConfig(paths, inFlight, options)));
    }
    return results;
  } finally {
    await Promise.all(paths.map((p) => p.close()));
  }
}





main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

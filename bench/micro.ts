/**
 * Microbenchmark (issues 2 and 13): Proton against onnxruntime-node in the main thread (tensors
 * reused) and against the lean JS worker path (session reused, buffers transferred), in process,
 * with 1, 16 and 64 calls in flight; issue 13's targets checked on the tiny model.
 * Usage: npm run bench:micro -- [--quick] [--duration 2] [--models add,mlp] [--in-flight 1,16,64] [--rounds 4]
 */
import path from 'node:path';
import { Command } from 'commander';
import { countList, nameList, positiveInteger, positiveNumber } from './common/cli-options';
import { describeMachine, machineLine, type Machine } from './common/machine';
import { inProcessModel, IN_PROCESS_MODEL_NAMES, type InProcessModel, type InProcessModelName } from './common/models';
import { RESULTS_DIR } from './common/paths';
import { targetsTable, type TargetResult } from './common/targets';
import { writeJson } from './common/write-json';
import type { InferPath } from './in-process/infer-path';
import { openOrtMainPath } from './in-process/ort-main-path';
import { openProtonPath } from './in-process/proton-path';
import { runConfig, type RunOptions } from './in-process/rounds';
import { verifyPaths } from './in-process/verify';
import { openWorkerPath } from './in-process/worker-path';
import { configResult, type ConfigResult } from './micro/results';
import { formatRatios, formatTable } from './micro/table';
import { microTargets } from './micro/targets';

interface CliOptions {
  duration?: number;
  models?: InProcessModelName[];
  inFlight?: number[];
  rounds?: number;
  quick: boolean;
  out?: string;
}

export interface MicroReport {
  machine: Machine;
  settings: { durationS: number; warmupS: number; rounds: number; intraOpNumThreads: 1; quick: boolean };
  results: ConfigResult[];
  targets: TargetResult[];
}

function parseCli(): CliOptions {
  return new Command('bench:micro')
    .description('Per-call latency and throughput: Proton vs onnxruntime-node (main thread) vs onnxruntime-node in a worker')
    .option('--duration <seconds>', 'measured time per path and configuration (default 2; 0.4 with --quick)', positiveNumber)
    .option('--models <list>', `comma-separated, from ${IN_PROCESS_MODEL_NAMES.join(',')} (default add,mlp; add with --quick)`, nameList(IN_PROCESS_MODEL_NAMES))
    .option('--in-flight <list>', 'comma-separated numbers of calls kept in flight (default 1,16,64; 1,16 with --quick)', countList)
    .option('--rounds <n>', 'rounds the measured time is split into, paths interleaved (default 4; 1 with --quick)', positiveInteger)
    .option('--quick', 'a smoke run of a few seconds; results go to bench/results/quick/micro.json', false)
    .option('--out <file>', 'where to write the JSON results (default bench/results/micro.json)')
    .parse()
    .opts<CliOptions>();
}

async function main(): Promise<void> {
  const cli = parseCli();
  const quick = cli.quick;
  const duration = cli.duration ?? (quick ? 0.4 : 2);
  const rounds = cli.rounds ?? (quick ? 1 : 4);
  const out = cli.out ?? path.join(RESULTS_DIR, quick ? 'quick' : '.', 'micro.json');
  // A quarter of the measured time, at least 0.25 s: enough for the JIT and ORT's first-run allocations.
  const options: RunOptions = { durationMs: duration * 1000, warmupMs: Math.max(250, duration * 250), rounds };
  const machine = describeMachine();
  if (machine.loadAverageAtStart[0] > machine.cores / 2) {
    console.warn(`warning: load average ${machine.loadAverageAtStart[0].toFixed(2)} on ${machine.cores} cores; figures will be noisy`);
  }
  const results: ConfigResult[] = [];
  for (const name of cli.models ?? (quick ? ['add'] : ['add', 'mlp'])) {
    results.push(...(await benchmarkModel(await inProcessModel(name), cli.inFlight ?? (quick ? [1, 16] : [1, 16, 64]), options)));
  }
  const targets = microTargets(results);
  console.log(`\n${formatTable(results)}\n\n${formatRatios(results)}\n\n## Targets\n\n${targetsTable(targets)}`);
  console.log(machineLine(machine));
  const report: MicroReport = { machine, settings: { durationS: duration, warmupS: options.warmupMs / 1000, rounds, intraOpNumThreads: 1, quick }, results, targets };
  await writeJson(out, report);
  console.log(`results written to ${path.relative(process.cwd(), out)}`);
}

async function benchmarkModel(spec: InProcessModel, inFlightCounts: readonly number[], options: RunOptions): Promise<ConfigResult[]> {
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

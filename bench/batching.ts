/**
 * Benchmark of issue 5: dynamic batching. MLP and SqueezeNet, batch-1 requests, 64 in flight:
 * Proton with batching on (several settings) and off, onnxruntime-node in the main thread, and
 * onnxruntime-node in a worker thread, in one run, with issue 5's targets checked.
 * Usage: npm run bench:batching -- [--quick] [--duration 5] [--rounds 4] [--in-flight 64] [--models mlp,squeezenet]
 *        [--batch-configs 32:0,32:500,64:0,64:500,64:2000]
 * `runBatchingBench` is exported for the main suite (bench/suite.ts).
 */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';

import { formatBatchingText, writeBatchingReport } from './batching/report';
import {
  BATCHING_MODEL_NAMES,
  DEFAULT_BATCHING_OPTIONS,
  parseBatchConfig,
  type BatchingBenchOptions,
  type BatchingConfig,
  type BatchingModelName,
} from './batching/options';
import { runBatchingBench } from './batching/run';
import { nameList, positiveInteger, positiveNumber } from './common/cli-options';
import { RESULTS_DIR } from './common/paths';

export { runBatchingBench } from './batching/run';
export { formatBatchingMarkdown, formatBatchingText, writeBatchingReport } from './batching/report';
export type { BatchingBenchOptions, BatchingConfig } from './batching/options';
export type { BatchingReport } from './batching/results';

export const BATCHING_JSON_FILE = path.join(RESULTS_DIR, 'batching.json');
export const BATCHING_MARKDOWN_FILE = path.join(RESULTS_DIR, 'batching.md');

interface CliOptions {
  duration: number;
  rounds: number;
  inFlight: number;
  models: BatchingModelName[];
  batchConfigs: BatchingConfig[];
  out?: string;
  markdown?: string;
  quick: boolean;
}

/** --quick: the MLP only, one batching setting, a fraction of a second per path. */
const QUICK: Partial<BatchingBenchOptions> = { durationS: 0.4, rounds: 1, models: ['mlp'], batchConfigs: [{ maxBatchSize: 64, maxQueueDelayUs: 500 }] };

function parseCli(): CliOptions {
  const d = DEFAULT_BATCHING_OPTIONS;
  return new Command('bench:batching')
    .description('Dynamic batching: Proton batching on/off vs onnxruntime-node (main thread) vs onnxruntime-node in a worker')
    .option('--duration <seconds>', 'measured time per path and model', positiveNumber, d.durationS)
    .option('--rounds <n>', 'rounds the measured time is split into, paths interleaved', positiveInteger, d.rounds)
    .option('--in-flight <n>', 'batch-1 calls kept outstanding', positiveInteger, d.inFlight)
    .option('--models <list>', `comma-separated, from ${BATCHING_MODEL_NAMES.join(',')}`, nameList(BATCHING_MODEL_NAMES), [...d.models])
    .option('--batch-configs <list>', 'comma-separated MAX_BATCH_SIZE:MAX_QUEUE_DELAY_US', batchConfigList, [...d.batchConfigs])
    .option('--quick', 'a smoke run of a few seconds (MLP, 64:500); results go to bench/results/quick/', false)
    .option('--out <file>', `where to write the JSON results (default ${path.relative(process.cwd(), BATCHING_JSON_FILE)})`)
    .option('--markdown <file>', `where to write the Markdown table (default ${path.relative(process.cwd(), BATCHING_MARKDOWN_FILE)})`)
    .parse()
    .opts<CliOptions>();
}

async function main(): Promise<void> {
  const cli = parseCli();
  const given = (name: string): boolean => process.argv.some((arg) => arg === name || arg.startsWith(`${name}=`));
  const options: Partial<BatchingBenchOptions> = {
    durationS: cli.duration,
    rounds: cli.rounds,
    inFlight: cli.inFlight,
    models: cli.models,
    batchConfigs: cli.batchConfigs,
  };
  // --quick replaces the defaults, not what the command line gave.
  if (cli.quick) {
    for (const [key, flag] of [['durationS', '--duration'], ['rounds', '--rounds'], ['models', '--models'], ['batchConfigs', '--batch-configs']] as const) {
      if (!given(flag)) Object.assign(options, { [key]: QUICK[key] });
    }
  }
  const out = cli.out ?? (cli.quick ? path.join(RESULTS_DIR, 'quick', 'batching.json') : BATCHING_JSON_FILE);
  const markdown = cli.markdown ?? (cli.quick ? path.join(RESULTS_DIR, 'quick', 'batching.md') : BATCHING_MARKDOWN_FILE);
  const report = await runBatchingBench(options);
  console.log(`\n${formatBatchingText(report)}\n`);
  await writeBatchingReport(report, out, markdown);
  console.log(`results written to ${path.relative(process.cwd(), out)} and ${path.relative(process.cwd(), markdown)}`);
}

function batchConfigList(value: string): BatchingConfig[] {
  try {
    return value.split(',').map(parseBatchConfig);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

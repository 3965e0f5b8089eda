/**
 * Instances benchmark (issue 13): SqueezeNet loaded with `instances: 1` and `instances: 2`, one
 * ONNX Runtime intra-op thread per instance, 8 calls in flight at the API, in interleaved rounds;
 * the target: instances 2 at least 1.6x the throughput of instances 1. Each instance's share of
 * the executions is printed when Model.stats() reports it.
 * Usage: npm run bench:instances -- [--quick] [--duration 8] [--rounds 4] [--in-flight 8]
 */
import path from 'node:path';
import { Command } from 'commander';
import { positiveInteger, positiveNumber } from './common/cli-options';
import { formatMicros } from './common/format';
import { describeMachine, machineLine, type Machine } from './common/machine';
import { markdownTable } from './common/markdown';
import { inProcessModel } from './common/models';
import { RESULTS_DIR } from './common/paths';
import type { CallMeasurement } from './common/stats';
import { checkTarget, targetsTable, type TargetResult } from './common/targets';
import { writeJson } from './common/write-json';
import { openOrtMainPath } from './in-process/ort-main-path';
import { openProtonPath, type ProtonPath } from './in-process/proton-path';
import { runConfig } from './in-process/rounds';
import { verifyPaths } from './in-process/verify';

const INSTANCE_COUNTS = [1, 2] as const;
const TARGET = 1.6;

interface InstancesReport {
  machine: Machine;
  settings: { model: string; inFlight: number; durationS: number; rounds: number; intraOpNumThreadsPerInstance: 1; quick: boolean };
  results: Array<{ instances: number; measurement: CallMeasurement; stats: unknown }>;
  targets: TargetResult[];
}

async function main(): Promise<void> {
  const cli = new Command('bench:instances')
    .description('SqueezeNet with instances: 1 and instances: 2 (1 intra-op thread each), N calls in flight at the API')
    .option('--duration <seconds>', 'measured time per setting (default 8; 1 with --quick)', positiveNumber)
    .option('--rounds <n>', 'rounds the measured time is split into, settings interleaved (default 4; 1 with --quick)', positiveInteger)
    .option('--in-flight <n>', 'calls kept in flight', positiveInteger, 8)
    .option('--quick', 'a smoke run of a few seconds; results go to bench/results/quick/instances.json', false)
    .option('--out <file>', 'where to write the JSON results (default bench/results/instances.json)')
    .parse()
    .opts<{ duration?: number; rounds?: number; inFlight: number; quick: boolean; out?: string }>();
  const durationS = cli.duration ?? (cli.quick ? 1 : 8);
  const rounds = cli.rounds ?? (cli.quick ? 1 : 4);
  const out = cli.out ?? path.join(RESULTS_DIR, cli.quick ? 'quick' : '.', 'instances.json');
  const machine = describeMachine();
  const spec = await inProcessModel('squeezenet');

  const paths: ProtonPath[] = [];
  try {
    for (const instances of INSTANCE_COUNTS) paths.push(await openProtonPath(spec, { intraOpNumThreads: 1, instances }, `instances ${instances}`));
    // Both settings must agree with onnxruntime-node before anything is timed.
    const reference = await openOrtMainPath(spec);
    try {
      await verifyPaths(spec, [reference, ...paths]);
    } finally {
      await reference.close();
    }
    const before = paths.map((p) => p.model.stats());
    process.stderr.write(`squeezenet, ${cli.inFlight} in flight, instances ${INSTANCE_COUNTS.join(' vs ')} ...\n`);
    const measured = await runConfig(paths, cli.inFlight, { durationMs: durationS * 1000, warmupMs: Math.max(500, durationS * 125), rounds });
    const results = paths.map((p, index) => ({
      instances: INSTANCE_COUNTS[index]!,
      measurement: measured.get(p.name)!,
      stats: { before: before[index], after: p.model.stats() },
    }));
    const [one, two] = results;
    const ratio = two!.measurement.callsPerSecond / one!.measurement.callsPerSecond;
    const targets = [
      checkTarget(
        `SqueezeNet, ${cli.inFlight} in flight: instances 2 ≥ ${TARGET}x instances 1`,
        ratio,
        TARGET,
        'at-least',
        `${Math.round(two!.measurement.callsPerSecond)} vs ${Math.round(one!.measurement.callsPerSecond)} calls/s`,
      ),
    ];
    const rows = results.map((r) => [
      String(r.instances),
      r.measurement.callsPerSecond.toFixed(1),
      formatMicros(r.measurement.p50Us),
      formatMicros(r.measurement.p99Us),
      formatMicros(r.measurement.cpuUsPerCall),
      JSON.stringify(r.stats.after),
    ]);
    console.log(`\n${markdownTable(['instances', 'calls/s', 'p50 µs', 'p99 µs', 'cpu µs/call', 'Model.stats() at the end'], rows, ['right', 'right', 'right', 'right', 'right', 'left'])}`);
    console.log(`## Targets\n\n${targetsTable(targets)}${machineLine(machine)}`);
    const report: InstancesReport = {
      machine,
      settings: { model: 'squeezenet', inFlight: cli.inFlight, durationS, rounds, intraOpNumThreadsPerInstance: 1, quick: cli.quick },
      results,
      targets,
    };
    await writeJson(out, report);
    console.log(`results written to ${path.relative(process.cwd(), out)}`);
  } finally {
    await Promise.all(paths.map((p) => p.close()));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * Issue 13's whole target table, gathered from the latest results of each program (every target is
 * computed inside one program's run, from figures of that run): the suite (REST, gRPC, SqueezeNet
 * served), the microbenchmark, the instances benchmark and the batching benchmark.
 * Usage: npm run bench:targets -- [--dir bench/results]   (after running the programs)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { markdownTable } from './common/markdown';
import { RESULTS_DIR } from './common/paths';
import { TARGET_ALIGN, TARGET_HEADINGS, targetCells, type TargetResult } from './common/targets';

/** Each program's results file, and the command that writes it. */
const SOURCES = [
  { file: 'suite.json', command: 'npm run bench' },
  { file: 'micro.json', command: 'npm run bench:micro' },
  { file: 'instances.json', command: 'npm run bench:instances' },
  { file: 'batching.json', command: 'npm run bench:batching' },
] as const;

interface Results {
  machine?: { date?: string; loadAverageAtStart?: number[] };
  targets?: TargetResult[];
}

function main(): void {
  const { dir } = new Command('bench:targets')
    .description("Prints issue 13's targets from the latest results of every benchmark program")
    .option('--dir <dir>', 'the results folder', RESULTS_DIR)
    .parse()
    .opts<{ dir: string }>();
  const rows: string[][] = [];
  const missing: string[] = [];
  for (const source of SOURCES) {
    const file = path.join(dir, source.file);
    const results = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Results) : undefined;
    if (results?.targets === undefined || !results.targets.every((t) => 'direction' in t)) {
      missing.push(`${source.file}: missing or written before the shared targets; run \`${source.command}\``);
      continue;
    }
    const run = `${source.file} (${results.machine?.date ?? 'undated'})`;
    for (const t of results.targets) rows.push([...targetCells(t), run]);
  }
  console.log(markdownTable([...TARGET_HEADINGS, 'Run'], rows, [...TARGET_ALIGN, 'left']));
  for (const line of missing) console.log(`- ${line}`);
}

main();

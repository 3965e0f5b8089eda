/**
 * The benchmark suite of issue 4: Proton against the JavaScript ways of serving ONNX and against
 * the ceilings, every server a child process measured with the same load from this one.
 * Usage: npm run bench -- [--quick] [--models add,squeezenet,maskrcnn] [--concurrency 1,10,64] [--duration 2.5] [--load native|clients] ...
 * (`npm run bench -- --help` lists every option.)
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { stopAllChildren } from './common/child-process';
import { machineLine } from './common/machine';
import { targetsTable } from './common/targets';
import { comparisonTable, refusedTable } from './suite/comparison-table';
import { parseSuiteOptions } from './suite/options';
import { ORIGINAL_CONCURRENCY, originalTable } from './suite/original-table';
import { summarizeProfiles } from './suite/profile-summary';
import { runSuite } from './suite/run-suite';
import { loadDescription, SERVER_CPU_NOTE, writeReport } from './suite/suite-report';

const PROFILE_TOP = 25;

async function main(): Promise<void> {
  const options = parseSuiteOptions(process.argv);
  // Interrupted: stop the children (SIGTERM, then wait) before exiting.
  const interrupt = (signal: NodeJS.Signals): void => {
    console.error(`${signal}: stopping the servers`);
    void stopAllChildren().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const log = (line: string): void => console.error(line);
  const report = await runSuite(options, log);
  const files = await writeReport(options.outDir, report);

  console.log(`\n## Comparison (${machineLine(report.machine)})\n`);
  console.log(comparisonTable(report.rows));
  console.log(`Thread budget: ${report.settings.threadBudget}\nLoad: ${loadDescription(report.settings.load, report.settings.h2loadConnections)}\n${SERVER_CPU_NOTE}\n`);
  if (report.refused.length > 0) console.log(`## Refused cells (load generator missing)\n\n${refusedTable(report.refused)}`);
  console.log(`## Reproduced original table (Proton, REST vs gRPC, concurrency ${ORIGINAL_CONCURRENCY})\n`);
  console.log(originalTable(report.cells));
  console.log('## Targets\n');
  console.log(targetsTable(report.targets));
  if (report.notes.length > 0) console.log(`## Notes\n\n${report.notes.map((note) => `- ${note}`).join('\n')}\n`);
  if (options.profile) {
    const summary = await summarizeProfiles(path.join(options.outDir, 'profiles'), PROFILE_TOP);
    const file = path.join(options.outDir, 'profile.md');
    await writeFile(file, `# Proton server child: top self-time functions\n\n${summary}`);
    console.log(`## Proton child CPU profile (top ${PROFILE_TOP} self time)\n\n${summary || '(no profile was written)'}`);
    files.push(file);
  }
  console.log(`Results: ${files.map((file) => path.relative(process.cwd(), file)).join(', ')} (${(report.wallSec / 60).toFixed(1)} min)`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAllChildren();
  process.exit(1);
});

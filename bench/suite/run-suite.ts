import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatCpuUs, formatLatency, formatThroughput } from '../common/format';
import { toolAvailable } from '../common/load-tools';
import { describeMachine } from '../common/machine';
import { resolveBenchModels } from '../common/models';
import { plannedLevels } from './cell-plan';
import type { CellResult, RefusedCell } from './cell-result';
import { compareCells } from './comparison';
import { measureServer, type LoadSettings } from './measure-server';
import type { SuiteOptions } from './options';
import { measureOrtCeiling } from './ort-ceiling-runner';
import { startServerChild, type ServerLaunch } from './server-children';
import { threadBudget, type SuiteReport } from './suite-report';
import { evaluateTargets, loadGeneratorNotes } from './targets';
import { SERVER_IDS, VARIANTS, variantLabel } from './variants';

/**
 * One suite run: each selected server in turn, as a child process, measured by the same load from
 * this process; the ORT ceiling in a child of its own per model. Failures of one server or model
 * become notes; the run goes on.
 */
export async function runSuite(options: SuiteOptions, log: (line: string) => void): Promise<SuiteReport> {
  const load: LoadSettings = {
    load: options.load,
    available: { wrk: await toolAvailable('wrk'), h2load: await toolAvailable('h2load') },
    h2loadConnections: options.h2loadConnections,
  };
  const started = Date.now();
  const machine = describeMachine();
  const { models, notes } = await resolveBenchModels(options.models);
  notes.forEach((note) => log(note));
  if (machine.loadAverageAtStart[0] > machine.cores / 2) {
    notes.push(`the machine was busy when the run started (load average ${machine.loadAverageAtStart[0].toFixed(2)} on ${machine.cores} cores): expect noise`);
  }
  const logDir = path.join(options.outDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const launch: ServerLaunch = { models, threads: options.threads, protonNodeArgs: options.protonNodeArgs, logDir };
  const cells: CellResult[] = [];
  const refused: RefusedCell[] = [];
  const report = (cell: CellResult): void => {
    cells.push(cell);
    if (cell.requests === cell.errors) notes.push(`${variantLabel(cell)} on ${cell.model} at c=${cell.concurrency}: no request succeeded`);
    const errors = cell.errors > 0 ? `  errors ${cell.errors} (${cell.errorKinds[0]?.key ?? ''})` : '';
    log(
      `  ${variantLabel(cell).padEnd(30)} ${cell.model.padEnd(10)} c=${String(cell.concurrency).padEnd(3)} ` +
        `${formatThroughput(cell.throughput).padStart(7)} req/s  p50 ${formatLatency(cell.latency.median)}  p99 ${formatLatency(cell.latency.p99)}  ` +
        `server CPU ${formatCpuUs(cell.serverCpuUsPerRequest)} µs/req (${cell.generator})${errors}`,
    );
  };

  for (const server of SERVER_IDS.filter((id) => options.servers.includes(id))) {
    const variants = VARIANTS.filter((variant) => variant.server === server);
    const planned = models.filter((model) => variants.some((variant) => plannedLevels(options, variant, model.name).length > 0));
    if (planned.length === 0) continue;
    log(`${server}: ${planned.map((model) => model.name).join(', ')}`);
    if (server === 'ort-ceiling') {
      for (const model of planned) {
        try {
          (await measureOrtCeiling(model, options, options.threads, logDir)).forEach(report);
        } catch (error) {
          notes.push(`ORT ceiling on ${model.name} failed: ${(error as Error).message}`);
          log(notes[notes.length - 1]!);
        }
      }
      continue;
    }
    let child;
    try {
      child = await startServerChild(server, { ...launch, models: planned });
    } catch (error) {
      notes.push(`${server} did not start: ${(error as Error).message}`);
      log(notes[notes.length - 1]!);
      continue;
    }
    try {
      const run = await measureServer(child, variants, planned, options, load, report);
      run.failures.forEach((failure) => log(`  FAILED ${failure}`));
      for (const cell of run.refused) log(`  REFUSED ${variantLabel(cell)} ${cell.model} c=${cell.concurrency}: ${cell.reason}`);
      refused.push(...run.refused);
      const reasons = [...new Set(run.refused.map((cell) => cell.reason))];
      notes.push(...reasons.filter((reason) => !notes.includes(reason)));
      notes.push(...run.failures);
    } finally {
      const code = await child.process.stop();
      if (code !== 0) notes.push(`${server} did not exit cleanly on SIGTERM (exit code ${code}); see ${path.relative(process.cwd(), logDir)}`);
    }
  }

  const rows = compareCells(cells);
  notes.push(...loadGeneratorNotes(rows));
  return {
    machine,
    loadAverageAtEnd: os.loadavg() as [number, number, number],
    settings: {
      threadBudget: threadBudget(options.threads),
      models: models.map((model) => model.name),
      servers: options.servers,
      concurrency: [...options.concurrency],
      durationSec: options.durationSec,
      warmupSec: options.warmupSec,
      maskrcnnConcurrency: [...options.maskrcnnConcurrency],
      maskrcnnRequests: options.maskrcnnRequests,
      maskrcnnAll: options.maskrcnnAll,
      protonNodeArgs: options.protonNodeArgs,
      load: options.load,
      h2loadConnections: options.h2loadConnections,
    },
    notes,
    wallSec: (Date.now() - started) / 1000,
    cells,
    refused,
    rows,
    targets: evaluateTargets(rows),
  };
}

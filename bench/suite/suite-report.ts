import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { machineLine, type Machine } from '../common/machine';
import { targetsTable, type TargetResult } from '../common/targets';
import type { CellResult, RefusedCell } from './cell-result';
import { renderChartSvg } from './chart';
import type { ComparisonRow } from './comparison';
import { comparisonTable, refusedTable } from './comparison-table';
import type { LoadChoice } from './measure-server';
import { ORIGINAL_CONCURRENCY, originalTable } from './original-table';
import { SERVER_DESCRIPTIONS, SERVER_LABELS, type ServerId } from './variants';

/** Everything a suite run found, as written to suite.json. */
export interface SuiteReport {
  machine: Machine;
  loadAverageAtEnd: [number, number, number];
  settings: {
    threadBudget: string;
    models: string[];
    servers: ServerId[];
    concurrency: number[];
    durationSec: number;
    warmupSec: number;
    maskrcnnConcurrency: number[];
    maskrcnnRequests: number;
    maskrcnnAll: boolean;
    protonNodeArgs: string[];
    load: LoadChoice;
    h2loadConnections: number;
  };
  /** What was left out or failed, in words. */
  notes: string[];
  wallSec: number;
  cells: CellResult[];
  /** Cells not measured because their load generator is missing here. */
  refused: RefusedCell[];
  rows: ComparisonRow[];
  targets: TargetResult[];
}

/** The thread budget sentence every report states. */
export function threadBudget(threads: number): string {
  return (
    `every server and the ORT ceiling run each model as one instance with ${threads} ONNX Runtime intra-op ` +
    `thread${threads === 1 ? '' : 's'} and 1 inter-op thread (Proton: one native thread per model; JS worker path: one ` +
    'worker_thread per model; node:http: the main thread). No dynamic batching.'
  );
}

/** How the load was generated, in words. */
export function loadDescription(load: LoadChoice, h2loadConnections: number): string {
  const clients =
    "the clients' own load loop (ts/client/load-runner.ts) and transports in the parent process, " +
    'one keep-alive node:http socket per request in flight (REST), one grpc-js channel (gRPC), the same inputs for every server';
  if (load === 'clients') return `${clients[0]!.toUpperCase()}${clients.slice(1)}.`;
  return (
    "Time-boxed cells of the small models and SqueezeNet: REST by wrk (1 thread, keep-alive, one request in flight per connection) posting the clients' " +
    `encoded request; gRPC by h2load (1 thread, up to ${h2loadConnections} HTTP/2 connections, the calls in flight split between them as streams) ` +
    `posting a prepared ModelInferRequest (5-byte gRPC frame prefix + the serialized message); every other cell: ${clients}.`
  );
}

/** What the server CPU column means, for the reports. */
export const SERVER_CPU_NOTE =
  'Server CPU µs/req: user + system CPU time of the server process (every thread), read from /proc/PID/stat before and after ' +
  'the measured run, over the requests that succeeded; for the ORT ceiling, its own process. Clock ticks are 10 ms: read it over runs of seconds.';

/** The Markdown document: settings, targets, the original table, then the comparison per model. */
export function renderMarkdown(report: SuiteReport): string {
  const { settings } = report;
  const servers = settings.servers.map((id) => `- **${SERVER_LABELS[id]}**: ${SERVER_DESCRIPTIONS[id]}`).join('\n');
  const notes = report.notes.length === 0 ? '' : `\n## Notes\n\n${report.notes.map((note) => `- ${note}`).join('\n')}\n`;
  const models = [...new Set(report.rows.map((row) => row.model))];
  const perModel = models.map((model) => `### ${model}\n\n${comparisonTable(report.rows.filter((row) => row.model === model))}`).join('\n');
  return `# Proton benchmark suite

Machine: ${machineLine(report.machine)}; load average at end ${report.loadAverageAtEnd.map((v) => v.toFixed(2)).join(' / ')}.

Thread budget: ${settings.threadBudget}

Load: ${loadDescription(settings.load, settings.h2loadConnections)} Each server runs in its own child process. ${cellsDescription(report)}

${SERVER_CPU_NOTE}

Servers:
${servers}
${notes}${report.refused.length === 0 ? '' : `\n## Refused cells (load generator missing)\n\n${refusedTable(report.refused)}`}
## Targets

${targetsTable(report.targets)}
## Reproduced original table (Proton, REST vs gRPC, concurrency ${ORIGINAL_CONCURRENCY})

${originalTable(report.cells)}
## Comparison

Ratios are throughput ratios against the JS worker path (same client and concurrency), the ORT ceiling (same concurrency,
or the level in parentheses) and the protocol ceiling (the HTTP ceiling with the same REST encoding, or the grpc-js ceiling;
same concurrency). Latencies are per request, as the load generator saw them.

${perModel}`;
}

function cellsDescription(report: SuiteReport): string {
  const { settings } = report;
  const maskrcnnClients = settings.maskrcnnAll ? 'every client' : 'a selection of clients (--maskrcnn-all for every one)';
  return (
    `Cells of ${settings.durationSec} s after ${settings.warmupSec} s of warm-up at concurrency ${settings.concurrency.join(', ')}; ` +
    `Mask R-CNN: ${settings.maskrcnnRequests} request(s) per cell (at least one per slot) at concurrency ` +
    `${settings.maskrcnnConcurrency.join(', ')}, ${maskrcnnClients}. The run took ${(report.wallSec / 60).toFixed(1)} min.`
  );
}

/** Writes suite.json, suite.md and suite.svg into `dir`; returns their paths. */
export async function writeReport(dir: string, report: SuiteReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = { json: path.join(dir, 'suite.json'), md: path.join(dir, 'suite.md'), svg: path.join(dir, 'suite.svg') };
  await writeFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(files.md, renderMarkdown(report));
  await writeFile(files.svg, await renderChartSvg(report.rows, machineLine(report.machine)));
  return Object.values(files);
}

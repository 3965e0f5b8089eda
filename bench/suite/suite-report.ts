import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CellResult } from './cell-result';
import { renderChartSvg } from './chart';
import type { ComparisonRow } from './comparison';
import { machineLine, type Machine } from './machine';
import type { HttpLoad } from './measure-server';
import { comparisonTable, targetsTable } from './markdown';
import { ORIGINAL_CONCURRENCY, originalTable } from './original-table';
import type { TargetResult } from './targets';
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
    httpLoad: HttpLoad;
  };
  /** What was left out or failed, in words. */
  notes: string[];
  wallSec: number;
  cells: CellResult[];
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
export function loadDescription(httpLoad: HttpLoad): string {
  const clients =
    "the clients' own load loop (ts/client/load-runner.ts) and transports in the parent process, " +
    'one keep-alive node:http socket per request in flight (REST), one grpc-js channel (gRPC), the same inputs for every server';
  if (httpLoad === 'clients') return `${clients[0]!.toUpperCase()}${clients.slice(1)}.`;
  return (
    'REST cells of the small models: wrk (1 thread, keep-alive, one request in flight per connection) ' +
    `posting the clients' encoded request; every other cell: ${clients}.`
  );
}

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

Load: ${loadDescription(settings.httpLoad)} Each server runs in its own child process. ${cellsDescription(report)}

Servers:
${servers}
${notes}
## Targets

${targetsTable(report.targets)}
## Reproduced original table (Proton, REST vs gRPC, concurrency ${ORIGINAL_CONCURRENCY})

${originalTable(report.cells)}
## Comparison

Ratios are throughput ratios against the JS worker path (same client and concurrency), the ORT ceiling (same concurrency,
or the level in parentheses) and the HTTP ceiling (same REST encoding and concurrency). Latencies are per request, as the
client saw them.

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

import { formatCpuUs, formatLatency, formatRatio, formatThroughput } from '../common/format';
import { markdownTable, type Alignment } from '../common/markdown';
import type { RefusedCell } from './cell-result';
import type { ComparisonRow } from './comparison';
import { CLIENT_LABELS, GENERATOR_LABELS, SERVER_LABELS } from './variants';

const COMPARISON_HEADINGS = [
  'Model',
  'Conc.',
  'Server',
  'Client',
  'Load',
  'Requests',
  'Errors',
  'Throughput (req/s)',
  'p50',
  'p95',
  'p99',
  'Server CPU µs/req',
  'vs JS worker',
  'vs ORT ceiling',
  'vs protocol ceiling',
];
const COMPARISON_ALIGN: Alignment[] = ['left', 'right', 'left', 'left', 'left', ...Array<Alignment>(COMPARISON_HEADINGS.length - 5).fill('right')];

/**
 * The comparison table, one row per cell: throughput and latency as the load generator saw them,
 * the server process's CPU time per request, and throughput ratios against the baselines. A ceiling ratio taken against another concurrency
 * (see ComparisonRow.ortCeilingConcurrency) is marked "(c=N)".
 */
export function comparisonTable(rows: readonly ComparisonRow[]): string {
  const cells = rows.map((row) => {
    const ceilingNote =
      row.vsOrtCeiling !== undefined && row.ortCeilingConcurrency !== row.concurrency ? ` (c=${row.ortCeilingConcurrency})` : '';
    return [
      row.model,
      String(row.concurrency),
      SERVER_LABELS[row.server],
      CLIENT_LABELS[row.client],
      GENERATOR_LABELS[row.generator],
      String(row.requests),
      String(row.errors),
      formatThroughput(row.throughput),
      formatLatency(row.latency.median),
      formatLatency(row.latency.p95),
      formatLatency(row.latency.p99),
      formatCpuUs(row.serverCpuUsPerRequest),
      formatRatio(row.vsJsWorker),
      formatRatio(row.vsOrtCeiling) + ceilingNote,
      formatRatio(row.vsProtocolCeiling),
    ];
  });
  return markdownTable(COMPARISON_HEADINGS, cells, COMPARISON_ALIGN);
}


/** The cells refused for want of a load generator, one line each. */
export function refusedTable(refused: readonly RefusedCell[]): string {
  if (refused.length === 0) return '';
  const rows = refused.map((cell) => [cell.model, String(cell.concurrency), SERVER_LABELS[cell.server], CLIENT_LABELS[cell.client], cell.reason]);
  return markdownTable(['Model', 'Conc.', 'Server', 'Client', 'Why not measured'], rows, ['left', 'right', 'left', 'left', 'left']);
}

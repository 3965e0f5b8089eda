import type { ComparisonRow } from './comparison';
import { formatLatency, formatRatio, formatThroughput } from './format';
import type { TargetResult } from './targets';
import { CLIENT_LABELS, SERVER_LABELS } from './variants';

/** Markdown tables of the suite's results, aligned so they also read well in a terminal. */

export type Alignment = 'left' | 'right';

/** A Markdown table with padded columns, ending with a newline. */
export function markdownTable(headings: readonly string[], rows: readonly (readonly string[])[], align: readonly Alignment[]): string {
  const widths = headings.map((heading, column) => Math.max(heading.length, ...rows.map((row) => (row[column] ?? '').length)));
  const pad = (text: string, column: number): string =>
    align[column] === 'right' ? text.padStart(widths[column]!) : text.padEnd(widths[column]!);
  const line = (cells: readonly string[]): string => `| ${headings.map((_, column) => pad(cells[column] ?? '', column)).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (align[column] === 'right' ? `${'-'.repeat(width + 1)}:` : `${'-'.repeat(width + 2)}`)).join('|')}|`;
  return [line(headings), rule, ...rows.map(line)].join('\n') + '\n';
}

const COMPARISON_HEADINGS = [
  'Model',
  'Conc.',
  'Server',
  'Client',
  'Requests',
  'Errors',
  'Throughput (req/s)',
  'p50',
  'p95',
  'p99',
  'vs JS worker',
  'vs ORT ceiling',
  'vs HTTP ceiling',
];
const COMPARISON_ALIGN: Alignment[] = ['left', 'right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'];

/**
 * The comparison table, one row per cell. A ceiling ratio taken against another concurrency
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
      String(row.requests),
      String(row.errors),
      formatThroughput(row.throughput),
      formatLatency(row.latency.median),
      formatLatency(row.latency.p95),
      formatLatency(row.latency.p99),
      formatRatio(row.vsJsWorker),
      formatRatio(row.vsOrtCeiling) + ceilingNote,
      formatRatio(row.vsHttpCeiling),
    ];
  });
  return markdownTable(COMPARISON_HEADINGS, cells, COMPARISON_ALIGN);
}

/** The targets with what was measured and whether each was met. */
export function targetsTable(targets: readonly TargetResult[]): string {
  const rows = targets.map((target) => [
    target.target,
    target.measured,
    formatRatio(target.ratio),
    `≥ ${target.threshold}x`,
    target.status === 'met' ? 'met' : target.status === 'missed' ? '**missed**' : 'not measured',
  ]);
  return markdownTable(['Target', 'Measured', 'Ratio', 'Needed', 'Result'], rows, ['left', 'left', 'right', 'right', 'left']);
}

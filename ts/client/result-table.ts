import { summarizeLatencies, type LatencySummary } from './latency-stats';
import { successfulLatencies, type ErrorTally, type LoadResult, type RequestSample } from './load-runner';

/**
 * The original Proton results table (Client Type | Model | Total Time | Average Time | Median Time |
 * p95 Time | p99 Time), extended with request, error and throughput columns, as Markdown that
 * also reads well in a terminal.
 */

/** One line of the table: one client type and model (or "all" models of a mixed run). */
export interface ResultRow {
  clientType: string;
  model: string;
  /** From the group's first send to its last answer. */
  totalMs: number;
  /** Latencies of the successful requests, in ms. */
  latency: LatencySummary;
  requests: number;
  errors: number;
  /** Successful requests per second of `totalMs`. */
  throughput: number;
}

/** The label of the row that covers every model of a mixed run. */
export const ALL_MODELS = 'all';

/** One row per group (model) of `load`, plus an "all" row when several models were mixed. */
export function resultRows(clientType: string, load: LoadResult): ResultRow[] {
  const byGroup = new Map<string, RequestSample[]>();
  for (const sample of load.samples) {
    const list = byGroup.get(sample.group);
    if (list) list.push(sample);
    else byGroup.set(sample.group, [sample]);
  }
  const rows = [...byGroup.keys()].sort().map((group) => groupRow(clientType, group, byGroup.get(group) as RequestSample[]));
  if (byGroup.size <= 1) return rows;
  rows.push({
    clientType,
    model: ALL_MODELS,
    totalMs: load.elapsedMs,
    latency: summarizeLatencies(successfulLatencies(load)),
    requests: load.requests,
    errors: load.failed,
    throughput: load.throughput,
  });
  return rows;
}

function groupRow(clientType: string, model: string, samples: readonly RequestSample[]): ResultRow {
  // Loops, not Math.min(...spread): a long run has more samples than the call stack takes arguments.
  let firstStart = Infinity;
  let lastEnd = -Infinity;
  const latencies: number[] = [];
  for (const sample of samples) {
    firstStart = Math.min(firstStart, sample.startMs);
    lastEnd = Math.max(lastEnd, sample.startMs + sample.latencyMs);
    if (sample.ok) latencies.push(sample.latencyMs);
  }
  const totalMs = lastEnd - firstStart;
  return {
    clientType,
    model,
    totalMs,
    latency: summarizeLatencies(latencies),
    requests: samples.length,
    errors: samples.length - latencies.length,
    throughput: totalMs > 0 ? (latencies.length * 1000) / totalMs : 0,
  };
}

const HEADINGS = [
  'Client Type',
  'Model',
  'Total Time',
  'Average Time',
  'Median Time',
  'p95 Time',
  'p99 Time',
  'Requests',
  'Errors',
  'Throughput',
] as const;

/** The first two columns are text (left-aligned); the rest are numbers (right-aligned). */
const TEXT_COLUMNS = 2;

/** The rows as an aligned Markdown table, one line per row, ending with a newline. */
export function formatResultTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((row) => [
    row.clientType,
    row.model,
    formatSeconds(row.totalMs),
    formatMs(row.latency.mean),
    formatMs(row.latency.median),
    formatMs(row.latency.p95),
    formatMs(row.latency.p99),
    String(row.requests),
    String(row.errors),
    Number.isFinite(row.throughput) ? `${row.throughput.toFixed(1)} req/s` : '-',
  ]);
  const widths = HEADINGS.map((heading, column) =>
    Math.max(heading.length, ...cells.map((line) => (line[column] as string).length)),
  );
  const pad = (text: string, column: number): string =>
    column < TEXT_COLUMNS ? text.padEnd(widths[column] as number) : text.padStart(widths[column] as number);
  const line = (texts: readonly string[]): string => `| ${texts.map(pad).join(' | ')} |`;
  // Markdown alignment: a trailing ':' right-aligns a column.
  const rule = `|${widths.map((width, column) => `${'-'.repeat(width + 1)}${column < TEXT_COLUMNS ? '-' : ':'}`).join('|')}|`;
  return [line(HEADINGS), rule, ...cells.map(line)].join('\n') + '\n';
}

/** The failures of a run, one line each, most frequent first; empty when there were none. */
export function formatErrors(errors: readonly ErrorTally[]): string {
  return errors.map((tally) => `${tally.count} × ${tally.key}: ${tally.message}\n`).join('');
}

/** Milliseconds with two decimals; "-" when there is no value (no successful request). */
export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${ms.toFixed(2)} ms` : '-';
}

/** Milliseconds shown as seconds with three decimals. */
export function formatSeconds(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : '-';
}

import type { ClientReport } from './client-run';
import type { ErrorTally, RequestSample } from './load-runner';
import { formatErrors, formatResultTable, resultRows, type ResultRow } from './result-table';

/** How a client run is printed: the results table for people, or JSON for scripts. */

/** The table, the overall throughput and every error group, as printed by the clients. */
export function renderReport(report: ClientReport): string {
  const { load } = report;
  const lines = [
    formatResultTable(resultRows(report.clientType, load)),
    `Throughput: ${load.throughput.toFixed(1)} requests/s (${load.succeeded} succeeded, ${load.failed} failed, ` +
      `concurrency ${report.concurrency}, ${(load.elapsedMs / 1000).toFixed(3)} s)\n`,
  ];
  if (load.errors.length > 0) lines.push(`Errors:\n${formatErrors(load.errors)}`);
  return lines.join('\n');
}

/** The raw results printed by `--json`. */
export interface ReportJson {
  clientType: string;
  models: string[];
  concurrency: number;
  requests?: number;
  durationSec?: number;
  seed: number;
  elapsedMs: number;
  succeeded: number;
  failed: number;
  throughput: number;
  rows: ResultRow[];
  errors: ErrorTally[];
  /** Every measured request, in completion order; `group` is the model. */
  samples: RequestSample[];
}

/** The report as plain data: settings, summary rows, errors and every request's timing. */
export function reportToJson(report: ClientReport): ReportJson {
  const { load } = report;
  return {
    clientType: report.clientType,
    models: report.models,
    concurrency: report.concurrency,
    ...(report.requests !== undefined ? { requests: report.requests } : {}),
    ...(report.durationSec !== undefined ? { durationSec: report.durationSec } : {}),
    seed: report.seed,
    elapsedMs: load.elapsedMs,
    succeeded: load.succeeded,
    failed: load.failed,
    throughput: load.throughput,
    rows: resultRows(report.clientType, load),
    errors: load.errors,
    samples: load.samples,
  };
}

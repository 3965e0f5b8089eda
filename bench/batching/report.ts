import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { formatMicros } from '../common/format';
import { machineLine } from '../common/machine';
import { targetsTable } from '../common/targets';
import { writeJson } from '../common/write-json';
import { describeBatchConfig } from './options';
import type { BatchStats } from './proton-variant';
import type { BatchingReport, ModelResult, PathResult } from './results';

const HEADERS = [
  'model',
  'path',
  'calls/s',
  'mean µs',
  'p50 µs',
  'p99 µs',
  '× ort main',
  '× ort worker',
  'mean batch',
  'largest batch',
  'cpu µs/call',
  'cores used',
  'waiting for a core',
];
/** A path whose threads waited this long for a core (share of wall time) was starved by other processes. */
const STARVED = 0.1;
const LEFT_ALIGNED = new Set([0, 1]);

/** The table, batch statistics and targets as plain text for a terminal. */
export function formatBatchingText(report: BatchingReport): string {
  const rows = tableRows(report);
  const widths = HEADERS.map((_, c) => Math.max(...[HEADERS, ...rows].map((row) => (row[c] ?? '').length)));
  const table = [HEADERS, ...rows]
    .map((row) => row.map((cell, c) => (LEFT_ALIGNED.has(c) ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ').trimEnd())
    .join('\n');
  return [table, '', ...detailLines(report), '', ...targetLines(report), '', machineLine(report.machine)].join('\n');
}

/** The same as a Markdown document, machine description first. */
export function formatBatchingMarkdown(report: BatchingReport): string {
  const { settings: s } = report;
  const lines = [
    '# Dynamic batching benchmark (issue 5)',
    '',
    `Machine: ${machineLine(report.machine)}.`,
    '',
    `Settings: batch-1 requests, ${s.inFlight} in flight; ${s.durationS} s measured per path (${s.rounds} interleaved rounds) after ${s.warmupS} s of warm-up; ` +
      `ONNX Runtime intraOpNumThreads ${s.intraOpNumThreads} and interOpNumThreads ${s.interOpNumThreads} for every path ` +
      '(Proton: one model thread plus the JS thread; worker path: the worker thread plus the JS thread; main thread: the JS thread only).',
    '',
    `| ${HEADERS.join(' | ')} |`,
    `| ${HEADERS.map((_, c) => (LEFT_ALIGNED.has(c) ? '---' : '---:')).join(' | ')} |`,
    ...tableRows(report).map((row) => `| ${row.join(' | ')} |`),
    '',
    '`proton bN dD`: Proton with maxBatchSize N and maxQueueDelayUs D; `× ort main` / `× ort worker`: this row\'s throughput over ' +
      'onnxruntime-node in the main thread / in one worker_threads worker; `cpu µs/call`: CPU time of the whole process (all threads) per call; ' +
      '`cores used`: that CPU time over wall time; `waiting for a core`: time the process\'s threads were runnable but not running, over wall time ' +
      '(Linux schedstat): high values mean other processes took the cores.',
    '',
    '## Batches and checks',
    '',
    ...detailLines(report).map((line) => `- ${line}`),
    '',
    '## Targets',
    '',
    ...targetLines(report),
    '',
  ];
  return lines.join('\n');
}

export async function writeBatchingReport(report: BatchingReport, jsonFile: string, markdownFile: string): Promise<void> {
  await writeJson(jsonFile, report);
  await mkdir(path.dirname(markdownFile), { recursive: true });
  await writeFile(markdownFile, formatBatchingMarkdown(report));
}

function tableRows(report: BatchingReport): string[][] {
  return report.models.flatMap((model) => model.paths.map((p) => tableRow(model, p)));
}

function tableRow(model: ModelResult, p: PathResult): string[] {
  const m = p.measurement;
  if (m === undefined) return [model.model, p.key, 'rejected at load (no batch dimension)', ...HEADERS.slice(3).map(() => '')];
  return [
    model.model,
    p.key,
    Math.round(m.callsPerSecond).toLocaleString('en-US'),
    formatMicros(m.meanUs),
    formatMicros(m.p50Us),
    formatMicros(m.p99Us),
    p.ratios ? `${p.ratios.vsOrtMain.toFixed(2)}x` : '',
    p.ratios ? `${p.ratios.vsOrtWorker.toFixed(2)}x` : '',
    p.batchStats && p.kind === 'proton-batching' ? p.batchStats.meanBatchSize.toFixed(1) : '',
    p.batchStats && p.kind === 'proton-batching' ? String(p.batchStats.largestBatch) : '',
    formatMicros(m.cpuUsPerCall),
    p.coresUsed === undefined ? '' : p.coresUsed.toFixed(2),
    p.runqueueWait === undefined || Number.isNaN(p.runqueueWait) ? 'n/a' : `${(100 * p.runqueueWait).toFixed(0)}%`,
  ];
}

function detailLines(report: BatchingReport): string[] {
  const lines: string[] = [];
  const starved = report.models.flatMap((model) =>
    model.paths.filter((p) => (p.runqueueWait ?? 0) > STARVED).map((p) => `${model.model} ${p.key} (${Math.round(100 * (p.runqueueWait ?? 0))}%)`),
  );
  if (starved.length > 0) {
    lines.push(
      `warning: other processes kept this run's threads waiting for a core (more than ${100 * STARVED}% of the time) on: ${starved.join(', ')}; ` +
        'Proton needs two cores (JS thread and model thread), onnxruntime-node in the main thread one, so contention hurts Proton first. Rerun on a quiet machine.',
    );
  }
  for (const model of report.models) {
    if (model.note !== undefined) lines.push(`${model.model}: ${model.note}`);
    if (model.verification !== undefined) {
      lines.push(
        `${model.model}: verified before timing: ${model.verification.batchRows} different requests held into one batch each equal ` +
          `onnxruntime-node run alone (max |difference| ${model.verification.maxDifference.toExponential(2)}); every path's output equals onnxruntime-node's.`,
      );
    }
    for (const p of model.paths) {
      if (p.rejected !== undefined) lines.push(`${model.model} ${p.key} (${p.batching ? describeBatchConfig(p.batching) : ''}): Model.load rejects it: "${p.rejected}"`);
      if (p.kind === 'proton-batching' && p.batchStats !== undefined) lines.push(`${model.model} ${p.key}: ${describeStats(p.batchStats)}`);
      if (p.batchCompute !== undefined) {
        const c = p.batchCompute;
        lines.push(
          `${model.model} ${p.key}: the largest batch seen (${c.rows}) alone takes ${Math.round(c.protonP50Us)} µs through Proton ` +
            `(p50; p99 ${Math.round(c.protonP99Us)} µs), ${Math.round(c.ortRunP50Us)} µs as one onnxruntime-node session.run ` +
            `(one row: ${Math.round(c.ortRunOneRowP50Us)} µs, so batching can gain at most ${c.computeCeiling.toFixed(2)}x on compute)`,
        );
        if (p.measurement !== undefined) {
          const computeBound = (c.rows / c.ortRunP50Us) * 1e6;
          lines.push(
            `${model.model} ${p.key}: batches of ${c.rows} back to back would serve ${Math.round(computeBound)} requests/s on one thread; ` +
              `measured ${Math.round(p.measurement.callsPerSecond)} (${Math.round((100 * p.measurement.callsPerSecond) / computeBound)}%)`,
          );
        }
      }
    }
  }
  return lines;
}

/** Executions and the share of requests per power-of-two batch-size bucket. */
function describeStats(stats: BatchStats): string {
  const buckets = new Map<string, { executions: number; requests: number }>();
  for (const [sizeText, executions] of Object.entries(stats.histogram)) {
    const size = Number(sizeText);
    const low = 2 ** Math.floor(Math.log2(size));
    const label = low === 1 ? '1' : `${low}-${2 * low - 1}`;
    const bucket = buckets.get(label) ?? { executions: 0, requests: 0 };
    bucket.executions += executions;
    bucket.requests += executions * size;
    buckets.set(label, bucket);
  }
  const parts = [...buckets].map(
    ([label, b]) => `${label}: ${b.executions} (${((100 * b.requests) / Math.max(stats.inferences, 1)).toFixed(0)}% of requests)`,
  );
  return `${stats.executions} executions, ${stats.inferences} requests, mean batch ${stats.meanBatchSize.toFixed(1)}; executions by batch size: ${parts.join(', ')}`;
}

/** The targets table, then which settings met both. */
function targetLines(report: BatchingReport): string[] {
  if (report.targets.length === 0) return ['no target applies (no model that batches was measured)'];
  const byPath = new Map<string, boolean[]>();
  for (const t of report.targets) byPath.set(`${t.model} ${t.path}`, [...(byPath.get(`${t.model} ${t.path}`) ?? []), t.status === 'met']);
  const both = [...byPath].filter(([, met]) => met.length === 2 && met.every(Boolean)).map(([path]) => path);
  return [targetsTable(report.targets), `Both targets met by: ${both.length > 0 ? both.join(', ') : 'no setting'}.`];
}

import { formatMicros } from '../common/format';
import { PATH_NAMES, type ConfigResult } from './results';

const HEADERS = ['model', 'in flight', 'path', 'mean µs', 'p50 µs', 'p99 µs', 'wall µs/call', 'cpu µs/call', 'calls/s', 'proton ×'];
/** Text columns align left, numbers right. */
const LEFT_ALIGNED = new Set([0, 2]);

/** One row per path and configuration; "proton ×" is Proton's throughput over that row's. */
export function formatTable(results: readonly ConfigResult[]): string {
  const rows: string[][] = [];
  for (const result of results) {
    const proton = result.paths.proton.callsPerSecond;
    for (const name of PATH_NAMES) {
      const m = result.paths[name];
      rows.push([
        result.model,
        String(result.inFlight),
        name,
        formatMicros(m.meanUs),
        formatMicros(m.p50Us),
        formatMicros(m.p99Us),
        formatMicros(1e6 / m.callsPerSecond),
        formatMicros(m.cpuUsPerCall),
        Math.round(m.callsPerSecond).toLocaleString('en-US'),
        name === 'proton' ? '' : `${(proton / m.callsPerSecond).toFixed(2)}x`,
      ]);
    }
  }
  return align([HEADERS, ...rows]);
}

/** One line per configuration: Proton against each baseline. */
export function formatRatios(results: readonly ConfigResult[]): string {
  return results
    .map(
      (r) =>
        `${r.model.padEnd(4)} ${String(r.inFlight).padStart(2)} in flight: Proton ${r.ratios.vsOrtMain.toFixed(2)}x onnxruntime-node (main thread), ` +
        `${r.ratios.vsOrtWorker.toFixed(2)}x the JS worker path`,
    )
    .join('\n');
}

function align(rows: readonly string[][]): string {
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (LEFT_ALIGNED.has(column) ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

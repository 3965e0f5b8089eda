import { formatResultTable, type ResultRow } from '../../ts/client/result-table';
import type { CellResult } from './cell-result';
import type { ClientId } from './variants';

/**
 * The original Proton's results table (REST vs gRPC on SqueezeNet and Mask R-CNN at about ten
 * concurrent requests), reproduced from Proton's cells with the clients' table renderer.
 */

export const ORIGINAL_MODELS = ['squeezenet', 'maskrcnn'] as const;
export const ORIGINAL_CONCURRENCY = 10;

/** The client types as the clients name them (ts/client/rest-transport.ts, grpc-transport.ts). */
const CLIENT_TYPES: Readonly<Partial<Record<ClientId, string>>> = {
  'rest-binary': 'REST (V2 binary)',
  'rest-json': 'REST (V2 JSON)',
  grpc: 'gRPC (V2 raw)',
};

/** Proton's cells of the original table's models at its concurrency, REST first, as table rows. */
export function originalTableRows(cells: readonly CellResult[]): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const model of ORIGINAL_MODELS) {
    for (const client of ['rest-binary', 'rest-json', 'grpc'] as const) {
      const cell = cells.find((c) => c.server === 'proton' && c.client === client && c.model === model && c.concurrency === ORIGINAL_CONCURRENCY);
      if (cell === undefined) continue;
      rows.push({
        clientType: CLIENT_TYPES[client]!,
        model,
        totalMs: cell.elapsedMs,
        latency: cell.latency,
        requests: cell.requests,
        errors: cell.errors,
        throughput: cell.throughput,
      });
    }
  }
  return rows;
}

/** The table as text; says so when none of its cells were measured. */
export function originalTable(cells: readonly CellResult[]): string {
  const rows = originalTableRows(cells);
  if (rows.length === 0) return `(not measured: needs Proton at concurrency ${ORIGINAL_CONCURRENCY})\n`;
  return formatResultTable(rows);
}

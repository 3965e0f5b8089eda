import { BENCH_MODEL_NAMES } from '../common/models';
import type { CellResult } from './cell-result';
import { VARIANTS, type ServerId } from './variants';

/** A measured cell with its throughput ratios against the baselines of the same model. */
export interface ComparisonRow extends CellResult {
  /** Against the JS worker path with the same client and concurrency. */
  vsJsWorker: number | undefined;
  /** Against the ORT ceiling (no server); see ortCeilingConcurrency. */
  vsOrtCeiling: number | undefined;
  /**
   * The concurrency of the ceiling cell used: the row's own when measured, else the ceiling's best
   * level (Mask R-CNN's ceiling runs at concurrency 1 only; one instance serializes anyway).
   */
  ortCeilingConcurrency: number | undefined;
  /** Against the protocol's ceiling at the same concurrency: the HTTP ceiling with the same REST encoding, or the gRPC ceiling. */
  vsProtocolCeiling: number | undefined;
}

/** The servers that answer with inference: the ones the ratios describe. */
const SERVING: ReadonlySet<ServerId> = new Set(['proton', 'js-worker', 'ort-event-loop', 'node-http']);

/** Adds the ratios to every cell and orders the rows by model, concurrency and variant. */
export function compareCells(cells: readonly CellResult[]): ComparisonRow[] {
  const find = (server: ServerId, client: string, model: string, concurrency: number): CellResult | undefined =>
    cells.find((cell) => cell.server === server && cell.client === client && cell.model === model && cell.concurrency === concurrency);
  return sortRows(
    cells.map((cell): ComparisonRow => {
      if (!SERVING.has(cell.server)) {
        return { ...cell, vsJsWorker: undefined, vsOrtCeiling: undefined, ortCeilingConcurrency: undefined, vsProtocolCeiling: undefined };
      }
      const ceiling = find('ort-ceiling', 'in-process', cell.model, cell.concurrency) ?? bestCell(cells, 'ort-ceiling', cell.model);
      const protocolCeiling = cell.client === 'grpc' ? find('grpc-ceiling', 'grpc', cell.model, cell.concurrency) : find('http-ceiling', cell.client, cell.model, cell.concurrency);
      return {
        ...cell,
        vsJsWorker: ratio(cell, find('js-worker', cell.client, cell.model, cell.concurrency)),
        vsOrtCeiling: ratio(cell, ceiling),
        ortCeilingConcurrency: ceiling?.concurrency,
        vsProtocolCeiling: ratio(cell, protocolCeiling),
      };
    }),
  );
}

/** Throughput of `cell` over the baseline's; undefined without a baseline that answered anything. */
export function ratio(cell: CellResult, baseline: CellResult | undefined): number | undefined {
  if (baseline === undefined || !(baseline.throughput > 0)) return undefined;
  return cell.throughput / baseline.throughput;
}

function bestCell(cells: readonly CellResult[], server: ServerId, model: string): CellResult | undefined {
  let best: CellResult | undefined;
  for (const cell of cells) {
    if (cell.server === server && cell.model === model && (best === undefined || cell.throughput > best.throughput)) best = cell;
  }
  return best;
}

function sortRows(rows: ComparisonRow[]): ComparisonRow[] {
  const modelRank = (model: string): number => {
    const index = (BENCH_MODEL_NAMES as readonly string[]).indexOf(model);
    return index < 0 ? BENCH_MODEL_NAMES.length : index;
  };
  const variantRank = (row: ComparisonRow): number => VARIANTS.findIndex((v) => v.server === row.server && v.client === row.client);
  return rows.sort((a, b) => modelRank(a.model) - modelRank(b.model) || a.concurrency - b.concurrency || variantRank(a) - variantRank(b));
}

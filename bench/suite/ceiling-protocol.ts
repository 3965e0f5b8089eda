import type { CellPlan } from './cell-plan';

/** What the suite asks of the ORT ceiling child (bench/servers/ort-ceiling.ts), and how it answers. */

/** One cell the child measures, in order. */
export interface CeilingCell {
  concurrency: number;
  plan: CellPlan;
}

/** The child's one answer line: this prefix, then a JSON array of Measurement, one per cell. */
export const RESULT_PREFIX = 'RESULT ';

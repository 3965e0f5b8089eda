import type { CellPlan } from './cell-plan';
import type { Measurement } from './cell-result';

/** What the suite asks of the ORT ceiling child (bench/servers/ort-ceiling.ts), and how it answers. */

/** One cell the child measures, in order. */
export interface CeilingCell {
  concurrency: number;
  plan: CellPlan;
}

/** What the child measured in one cell, and the CPU time its process spent on the measured run. */
export interface CeilingResult {
  measurement: Measurement;
  cpuMs: number;
}

/** The child's one answer line: this prefix, then a JSON array of CeilingResult, one per cell. */
export const RESULT_PREFIX = 'RESULT ';

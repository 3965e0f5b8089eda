import { markdownTable } from './markdown';

/**
 * Targets (issue 13's and earlier ones) checked against figures of one run: each compares a
 * measured value (a ratio, mostly) with a threshold it must reach or stay under.
 */
export interface TargetResult {
  target: string;
  /** The figures compared, in words with units. */
  measured: string;
  /** The compared value; undefined when a side was not measured. */
  value: number | undefined;
  threshold: number;
  /** 'at-least': value ≥ threshold meets the target; 'at-most': value ≤ threshold. */
  direction: 'at-least' | 'at-most';
  status: 'met' | 'missed' | 'not measured';
}

/** A target result from its value; `measured` says what was compared (or why nothing was). */
export function checkTarget(
  target: string,
  value: number | undefined,
  threshold: number,
  direction: TargetResult['direction'],
  measured: string,
): TargetResult {
  const known = value !== undefined && Number.isFinite(value);
  const met = known && (direction === 'at-least' ? value >= threshold : value <= threshold);
  return { target, measured, value: known ? value : undefined, threshold, direction, status: !known ? 'not measured' : met ? 'met' : 'missed' };
}

/** The targets as a Markdown table, "**missed**" in bold. */
export function targetsTable(targets: readonly TargetResult[]): string {
  const rows = targets.map((t) => [
    t.target,
    t.measured,
    t.value === undefined ? '-' : `${t.value.toFixed(2)}x`,
    `${t.direction === 'at-least' ? '≥' : '≤'} ${Number(t.threshold.toFixed(2))}x`,
    t.status === 'missed' ? '**missed**' : t.status,
  ]);
  return markdownTable(['Target', 'Measured', 'Ratio', 'Needed', 'Result'], rows, ['left', 'left', 'right', 'right', 'left']);
}

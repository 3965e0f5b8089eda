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

/** One target's cells: target, measured, ratio, needed, result ("**missed**" in bold). */
export function targetCells(t: TargetResult): string[] {
  return [
    t.target,
    t.measured,
    t.value === undefined ? '-' : `${t.value.toFixed(2)}x`,
    `${t.direction === 'at-least' ? '≥' : '≤'} ${Number(t.threshold.toFixed(2))}x`,
    t.status === 'missed' ? '**missed**' : t.status,
  ];
}

export const TARGET_HEADINGS = ['Target', 'Measured', 'Ratio', 'Needed', 'Result'] as const;
export const TARGET_ALIGN = ['left', 'left', 'right', 'right', 'left'] as const;

/** The targets as a Markdown table. */
export function targetsTable(targets: readonly TargetResult[]): string {
  return markdownTable(TARGET_HEADINGS, targets.map(targetCells), TARGET_ALIGN);
}

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The committed list: test id -> why onnxruntime-node fails it. */
export const EXPECTED_FAILURES_PATH = path.join(__dirname, 'expected-failures.json');

export type ExpectedFailures = Record<string, string>;

/** Reads the committed list. */
export function readExpectedFailures(): ExpectedFailures {
  return JSON.parse(readFileSync(EXPECTED_FAILURES_PATH, 'utf8')) as ExpectedFailures;
}

/** Writes the list sorted by test id, so regenerating it gives small diffs. */
export function writeExpectedFailures(failures: ExpectedFailures): void {
  const sorted = Object.fromEntries(Object.entries(failures).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(EXPECTED_FAILURES_PATH, `${JSON.stringify(sorted, null, 2)}\n`);
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caseFailure, prepareCase } from './case-outcome';
import { readExpectedFailures } from './expected-failures';
import { ortRuntime } from './ort-runtime';
import { protonRuntime } from './proton-runtime';
import { listCases, SUITE_FOLDERS, SUITE_MISSING_MESSAGE, SUITE_ROOT } from './suite';

/**
 * The ONNX backend test suite (Debian's libonnx-testdata), run through onnxruntime-node and Proton.
 * Proton must pass every test onnxruntime-node passes; the expected-failures list must name exactly
 * the tests onnxruntime-node fails. Regenerate it with `npx tsx test/conformance/update-expected-failures.ts`.
 */
const expectedFailures = readExpectedFailures();
const REGENERATE = 'regenerate the list with `npx tsx test/conformance/update-expected-failures.ts`';

const tally = { total: 0, passed: 0, expectedFailures: 0 };
const stale: string[] = [];

describe('ONNX backend conformance', () => {
  it.each(SUITE_FOLDERS)(
    '%s: Proton passes every test onnxruntime-node passes',
    async (folder) => {
      const problems: string[] = [];
      for (const testCase of listCases(folder)) {
        const prepared = prepareCase(testCase);
        const ortFailure = await caseFailure(testCase, prepared, ortRuntime);
        const protonFailure = await caseFailure(testCase, prepared, protonRuntime);
        const listed = testCase.id in expectedFailures;
        tally.total++;
        if (!protonFailure) tally.passed++;
        if (listed) tally.expectedFailures++;

        if (!listed && protonFailure) {
          const ortVerdict = ortFailure ? `onnxruntime-node fails too (${ortFailure}): ${REGENERATE}` : 'onnxruntime-node passes';
          problems.push(`${testCase.id}: Proton fails: ${protonFailure}; ${ortVerdict}`);
        } else if (!listed && ortFailure) {
          problems.push(`${testCase.id}: onnxruntime-node fails (${ortFailure}) but the test is not listed: ${REGENERATE}`);
        } else if (listed && !ortFailure && protonFailure) {
          problems.push(`${testCase.id}: Proton fails (${protonFailure}) where onnxruntime-node passes`);
        } else if (listed && !ortFailure) {
          // Some entries depend on the machine (the StringNormalizer tests need the en_US.UTF-8
          // locale): both runtimes pass here, so the entry is stale, not a Proton defect.
          stale.push(testCase.id);
        }
      }
      expect(problems).toEqual([]);
    },
    600_000,
  );

  it('lists only tests the suite has', () => {
    if (!existsSync(SUITE_ROOT)) throw new Error(SUITE_MISSING_MESSAGE);
    const unknown = Object.keys(expectedFailures).filter((id) => !existsSync(path.join(SUITE_ROOT, id, 'model.onnx')));
    expect(unknown).toEqual([]);
  });

  afterAll(() => {
    console.log(`conformance: ${tally.passed} passed, ${tally.expectedFailures} expected failures of ${tally.total}`);
    if (stale.length > 0) {
      console.warn(`conformance: ${stale.length} listed tests pass with both runtimes on this machine (${stale.join(", ")}): ${REGENERATE}`);
    }
  });
});

/**
 * Regenerates test/conformance/expected-failures.json from onnxruntime-node's behaviour:
 * every suite test it cannot load, cannot run, cannot be fed, or answers wrongly.
 * Run with `npx tsx test/conformance/update-expected-failures.ts`.
 */
import { caseFailure, prepareCase } from './case-outcome';
import { writeExpectedFailures, type ExpectedFailures, EXPECTED_FAILURES_PATH } from './expected-failures';
import { ortRuntime } from './ort-runtime';
import { listCases, SUITE_FOLDERS } from './suite';

async function main(): Promise<void> {
  const failures: ExpectedFailures = {};
  let total = 0;
  for (const folder of SUITE_FOLDERS) {
    for (const testCase of listCases(folder)) {
      total++;
      const failure = await caseFailure(testCase, prepareCase(testCase), ortRuntime);
      if (failure) failures[testCase.id] = failure;
    }
  }
  writeExpectedFailures(failures);
  console.log(`${Object.keys(failures).length} of ${total} tests fail with onnxruntime-node; written to ${EXPECTED_FAILURES_PATH}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { checkCase } from './check-case';
import type { Runtime } from './runtime';
import { loadDataSets, UnsupportedCaseError, type ConformanceCase, type DataSet } from './suite';

/** Reads a case's data sets once for every runtime; an unsupported case yields its reason instead. */
export function prepareCase(testCase: ConformanceCase): DataSet[] | string {
  try {
    const dataSets = loadDataSets(testCase);
    return dataSets.length > 0 ? dataSets : 'broken test: no test_data_set folder';
  } catch (error) {
    if (error instanceof UnsupportedCaseError) return `unsupported value: ${error.message}`;
    throw error;
  }
}

/** Undefined when the runtime passes the case, else the reason it fails. */
export async function caseFailure(testCase: ConformanceCase, prepared: DataSet[] | string, runtime: Runtime): Promise<string | undefined> {
  return typeof prepared === 'string' ? prepared : checkCase(testCase, prepared, runtime);
}

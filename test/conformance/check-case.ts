import { describeMismatch } from './compare';
import type { Runtime } from './runtime';
import type { ConformanceCase, DataSet } from './suite';

/**
 * Runs every data set of a case through a runtime and compares each expected output.
 * Returns undefined when all agree, else a short reason for the expected-failures list.
 */
export async function checkCase(testCase: ConformanceCase, dataSets: DataSet[], runtime: Runtime): Promise<string | undefined> {
  let model;
  try {
    model = await runtime.load(testCase.modelPath);
  } catch (error) {
    return `cannot load: ${summarize(error)}`;
  }
  try {
    for (const dataSet of dataSets) {
      let outputs;
      try {
        outputs = await model.run(dataSet.inputs);
      } catch (error) {
        return `cannot run: ${summarize(error)}`;
      }
      for (const [name, expected] of Object.entries(dataSet.expected)) {
        const actual = outputs[name];
        if (!actual) return `wrong output: '${name}' is missing`;
        const mismatch = describeMismatch(actual, expected);
        if (mismatch) return `wrong output '${name}': ${mismatch}`;
      }
    }
    return undefined;
  } finally {
    await model.close();
  }
}

/** Source locations and C++ signatures ONNX Runtime puts before its messages: `/onnxruntime_src/x.cc:12 ns::F(args) `. */
const ORT_SOURCE_PREFIX = /\/onnxruntime_src\/\S+:\d+ onnxruntime::.*?[)\]>] (?=[A-Za-z])/g;

/** The first line of an error message, without the model path and ONNX Runtime's source locations. */
function summarize(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message
    .split('\n', 1)[0]!
    .replace(/\/usr\/share\/libonnx-testdata\/data\/\S*/g, 'model')
    .replace(ORT_SOURCE_PREFIX, '')
    .trim();
  return firstLine.length > 200 ? `${firstLine.slice(0, 197)}...` : firstLine;
}

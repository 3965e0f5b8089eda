import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { decodeTensorProto } from '../../ts/onnx/tensor-proto';
import type { Tensor } from '../../ts/protocol/tensor';

/** Where Debian's libonnx-testdata installs the ONNX backend test suite. */
export const SUITE_ROOT = '/usr/share/libonnx-testdata/data';

/** The folders that hold runnable tests (`real/` only names models to download). */
export const SUITE_FOLDERS = ['node', 'simple', 'pytorch-converted', 'pytorch-operator'] as const;

export type SuiteFolder = (typeof SUITE_FOLDERS)[number];

export const SUITE_MISSING_MESSAGE = `The ONNX backend test suite is missing from ${SUITE_ROOT}: install it with \`apt-get install -y libonnx-testdata\``;

/** One test of the suite: a model and its data sets. */
export interface ConformanceCase {
  /** `<folder>/<test name>`, the key of the expected-failures list. */
  id: string;
  dir: string;
  modelPath: string;
}

/** The feeds and expected outputs of one `test_data_set_N` folder, by graph value name. */
export interface DataSet {
  inputs: Record<string, Tensor>;
  expected: Record<string, Tensor>;
}

/** Thrown when a case cannot be fed to a runtime at all; its message is the reason recorded for the case. */
export class UnsupportedCaseError extends Error {}

/** The tests of one folder, sorted by name. Throws with the install command when the suite is missing. */
export function listCases(folder: SuiteFolder): ConformanceCase[] {
  const folderPath = path.join(SUITE_ROOT, folder);
  if (!existsSync(folderPath)) throw new Error(SUITE_MISSING_MESSAGE);
  return readdirSync(folderPath)
    .filter((name) => existsSync(path.join(folderPath, name, 'model.onnx')))
    .sort()
    .map((name) => ({ id: `${folder}/${name}`, dir: path.join(folderPath, name), modelPath: path.join(folderPath, name, 'model.onnx') }));
}

/**
 * Reads every data set of a case. Inputs and outputs are matched to the model's graph by position,
 * as the ONNX backend test runner does (graph inputs that are initializers are not fed).
 * Throws UnsupportedCaseError for values that are not tensors (sequences, maps, optionals)
 * or tensors of element types Proton has no type for.
 */
export function loadDataSets(testCase: ConformanceCase): DataSet[] {
  const graph = onnx.ModelProto.decode(readFileSync(testCase.modelPath)).graph;
  if (!graph) throw new UnsupportedCaseError('the model has no graph');
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const inputs = (graph.input ?? []).filter((value) => !initializers.has(value.name));
  const outputs = graph.output ?? [];
  return readdirSync(testCase.dir)
    .filter((name) => name.startsWith('test_data_set_'))
    .sort()
    .map((name) => {
      const dir = path.join(testCase.dir, name);
      return { inputs: readValues(dir, 'input', inputs), expected: readValues(dir, 'output', outputs) };
    });
}

function readValues(dir: string, prefix: 'input' | 'output', declared: onnx.IValueInfoProto[]): Record<string, Tensor> {
  const values: Record<string, Tensor> = {};
  for (let index = 0; existsSync(path.join(dir, `${prefix}_${index}.pb`)); index++) {
    const info = declared[index];
    if (!info?.name) throw new UnsupportedCaseError(`${prefix}_${index}.pb has no matching graph ${prefix}`);
    const kind = valueKind(info.type);
    if (kind !== 'tensor') throw new UnsupportedCaseError(`${prefix} '${info.name}' is a ${kind}, not a tensor`);
    try {
      values[info.name] = decodeTensorProto(readFileSync(path.join(dir, `${prefix}_${index}.pb`)));
    } catch (error) {
      throw new UnsupportedCaseError(`${prefix} '${info.name}': ${(error as Error).message}`);
    }
  }
  return values;
}

/** The kind of value a graph input or output declares; the test data stores non-tensors in other protos. */
function valueKind(type: onnx.ITypeProto | null | undefined): string {
  if (!type || type.tensorType) return 'tensor';
  if (type.sequenceType) return 'sequence';
  if (type.mapType) return 'map';
  if (type.optionalType) return 'optional';
  if (type.sparseTensorType) return 'sparse tensor';
  return 'value of unknown type';
}

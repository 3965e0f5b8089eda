import { ProtonError } from './errors';
import type { InferInputs, ModelMetadata, TensorInfo } from './model-types';
import { TYPED_ARRAY_OF } from './protocol/datatypes';
import { elementCount, type Tensor } from './protocol/tensor';

function describeShape(shape: ReadonlyArray<number | string>): string {
  return `[${shape.map((dim) => (dim === -1 ? '?' : String(dim))).join(',')}]`;
}

function describeReceived(tensor: Tensor): string {
  const dims = Array.isArray(tensor.dims) ? `[${tensor.dims.join(',')}]` : String(tensor.dims);
  return `${String(tensor.type)} ${dims}`;
}

function fail(info: TensorInfo, tensor: Tensor, why?: string): never {
  const expected = `${info.type} ${describeShape(info.shape)}`;
  const suffix = why ? ` (${why})` : '';
  throw new ProtonError(
    'INVALID_ARGUMENT',
    `input '${info.name}': expected ${expected}, received ${describeReceived(tensor)}${suffix}`,
  );
}

/** A single-element `[1]` tensor feeds a declared scalar (as onnxruntime-node allows): ORT gets `[]`. */
function isScalarAsOne(info: TensorInfo, dims: readonly unknown[]): boolean {
  return info.shape.length === 0 && dims.length === 1 && dims[0] === 1;
}

/** Checks one tensor and returns the dims to give ONNX Runtime. */
function validateTensor(info: TensorInfo, tensor: Tensor, maxBatchSize: number): readonly number[] {
  if (typeof tensor !== 'object' || tensor === null) {
    throw new ProtonError('INVALID_ARGUMENT', `input '${info.name}': expected a tensor {type, dims, data}`);
  }
  if (tensor.type !== info.type) fail(info, tensor, 'wrong element type');
  if (!Array.isArray(tensor.dims)) fail(info, tensor, 'dims must be an array');
  const dims: readonly number[] = isScalarAsOne(info, tensor.dims) ? [] : tensor.dims;
  if (dims.length !== info.shape.length) fail(info, tensor, `rank ${dims.length}, expected ${info.shape.length}`);
  for (let d = 0; d < dims.length; d++) {
    const dim = dims[d] as number;
    if (!Number.isSafeInteger(dim) || dim < 0) fail(info, tensor, `dimension ${d} is not a non-negative integer`);
    const expected = info.shape[d];
    if (typeof expected === 'number' && expected >= 0 && expected !== dim) {
      fail(info, tensor, `dimension ${d} must be ${expected}`);
    }
  }
  if (maxBatchSize > 0) {
    const batch = dims[0] as number;
    if (batch < 1 || batch > maxBatchSize) {
      fail(info, tensor, `batch size ${batch} is outside 1..${maxBatchSize}`);
    }
  }
  const count = elementCount(dims);
  if (info.type === 'string') {
    const data = tensor.data as unknown;
    if (!Array.isArray(data) || !data.every(isBytesElement)) {
      fail(info, tensor, 'data must be an array of strings or Uint8Arrays');
    }
    if (data.length !== count) fail(info, tensor, `${data.length} elements for ${count}`);
    return dims;
  }
  const ArrayType = TYPED_ARRAY_OF[info.type];
  if (!(tensor.data instanceof ArrayType)) {
    fail(info, tensor, `data must be a ${ArrayType.name}`);
  }
  const length = (tensor.data as { length: number }).length;
  if (length !== count) {
    fail(info, tensor, `data has ${length} elements (${length * ArrayType.BYTES_PER_ELEMENT} bytes), the shape needs ${count}`);
  }
  return dims;
}

function isBytesElement(value: unknown): boolean {
  return typeof value === 'string' || value instanceof Uint8Array;
}

/** Input data and dims in the model's input order, as the addon takes them. */
export interface OrderedInputs {
  datas: Array<Tensor['data']>;
  dims: Array<readonly number[]>;
}

/**
 * Checks the inputs against the model's metadata and returns their data and dims in the model's
 * input order. Every problem is an INVALID_ARGUMENT naming the input and what was expected.
 */
export function orderInputs(metadata: ModelMetadata, inputs: InferInputs, maxBatchSize: number): OrderedInputs {
  if (typeof inputs !== 'object' || inputs === null) {
    throw new ProtonError('INVALID_ARGUMENT', 'inputs must be an object of tensors by input name');
  }
  const ordered: OrderedInputs = { datas: [], dims: [] };
  let batch = -1;
  for (const info of metadata.inputs) {
    const tensor = inputs[info.name];
    if (tensor === undefined) {
      const expected = metadata.inputs.map((i) => `'${i.name}'`).join(', ');
      throw new ProtonError('INVALID_ARGUMENT', `missing input '${info.name}' (the model takes ${expected})`);
    }
    const dims = validateTensor(info, tensor, maxBatchSize);
    if (maxBatchSize > 0) {
      const rows = dims[0] as number;
      if (batch >= 0 && rows !== batch) fail(info, tensor, `batch size ${rows} differs from the other inputs' ${batch}`);
      batch = rows;
    }
    ordered.datas.push(tensor.data);
    ordered.dims.push(dims);
  }
  if (Object.keys(inputs).length !== ordered.datas.length) {
    const known = new Set(metadata.inputs.map((i) => i.name));
    const unknown = Object.keys(inputs).find((name) => !known.has(name));
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `unknown input '${unknown}' (the model takes ${metadata.inputs.map((i) => `'${i.name}'`).join(', ')})`,
    );
  }
  return ordered;
}

/** Output names to the indices the addon expects; null selects every output. */
export function outputIndices(metadata: ModelMetadata, names: readonly string[] | undefined): number[] | null {
  if (names === undefined) return null;
  if (!Array.isArray(names)) throw new ProtonError('INVALID_ARGUMENT', 'outputs must be an array of output names');
  const seen = new Set<string>();
  return names.map((name) => {
    const index = metadata.outputs.findIndex((o) => o.name === name);
    if (index < 0) {
      const known = metadata.outputs.map((o) => `'${o.name}'`).join(', ');
      throw new ProtonError('INVALID_ARGUMENT', `unknown output '${name}' (the model has ${known})`);
    }
    if (seen.has(name)) throw new ProtonError('INVALID_ARGUMENT', `output '${name}' is requested twice`);
    seen.add(name);
    return index;
  });
}

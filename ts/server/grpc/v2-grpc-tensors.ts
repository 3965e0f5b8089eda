import { ProtonError } from '../../errors';
import type { InferInputs, InferOutputs } from '../../model-types';
import { elementCount, type Tensor, type TensorData, type TensorType } from '../../tensor';
import { fromV2Datatype, toV2Datatype } from '../datatype';
import { decodeRawTensor, encodeRawTensor } from '../raw-tensor';
import type { InferInputTensor, InferOutputTensor, InferTensorContents, Int64 } from './messages';

/**
 * Tensors of ModelInfer: request inputs from typed `contents` or `raw_input_contents`, response
 * outputs always as `raw_output_contents` (what tritonclient reads; typed contents would be
 * ignored by it). Only protocol-level checks live here; Model.infer checks against the model.
 */

type ContentsField = keyof InferTensorContents;

const CONTENTS_FIELDS: readonly ContentsField[] = [
  'bool_contents',
  'int_contents',
  'int64_contents',
  'uint_contents',
  'uint64_contents',
  'fp32_contents',
  'fp64_contents',
  'bytes_contents',
];

/** The typed contents field of each type; FP16 has none (it travels raw only). */
const FIELD_OF: Readonly<Record<Exclude<TensorType, 'float16'>, ContentsField>> = {
  bool: 'bool_contents',
  int8: 'int_contents',
  int16: 'int_contents',
  int32: 'int_contents',
  int64: 'int64_contents',
  uint8: 'uint_contents',
  uint16: 'uint_contents',
  uint32: 'uint_contents',
  uint64: 'uint64_contents',
  float32: 'fp32_contents',
  float64: 'fp64_contents',
  string: 'bytes_contents',
};

/** Value ranges of the types that share a wider contents field. */
const NARROW_RANGE: Partial<Record<TensorType, readonly [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint8: [0, 255],
  uint16: [0, 65535],
};

/** Decodes the inputs of a ModelInferRequest into tensors keyed by input name. */
export function decodeInferInputs(inputs: readonly InferInputTensor[], raw: readonly Buffer[]): InferInputs {
  const useRaw = raw.length > 0;
  if (useRaw && raw.length !== inputs.length) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `raw_input_contents has ${raw.length} entries but the request has ${inputs.length} inputs; send one per input, in order`,
    );
  }
  // No prototype: an input named "__proto__" must not replace it.
  const decoded: InferInputs = Object.create(null) as InferInputs;
  inputs.forEach((input, index) => {
    const what = `input '${input.name}'`;
    if (Object.hasOwn(decoded, input.name)) throw new ProtonError('INVALID_ARGUMENT', `${what} appears more than once`);
    const type = fromV2Datatype(input.datatype);
    if (type === undefined) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: unsupported datatype '${input.datatype}'`);
    }
    const dims = decodeShape(input.shape, what);
    let data: TensorData;
    if (useRaw) {
      if (input.contents && setContentsField(input.contents) !== undefined) {
        throw new ProtonError(
          'INVALID_ARGUMENT',
          `${what}: contents must be empty when raw_input_contents is used; send every input one way`,
        );
      }
      const bytes = raw[index] as Buffer;
      // A plain Uint8Array view: decodeRawTensor copies misaligned data with slice(), which on a Buffer is a view.
      data = decodeRawTensor(type, dims, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), what);
    } else {
      data = decodeContents(type, input.datatype, dims, input.contents, what);
    }
    decoded[input.name] = { type, dims, data } as Tensor;
  });
  return decoded;
}

/** Encodes output tensors, in `names` order, as response outputs plus their raw contents. */
export function encodeInferOutputs(
  outputs: InferOutputs,
  names: readonly string[],
): { outputs: InferOutputTensor[]; raw_output_contents: Buffer[] } {
  const described: InferOutputTensor[] = [];
  const raw: Buffer[] = [];
  for (const name of names) {
    const tensor = outputs[name];
    if (!tensor) throw new ProtonError('INTERNAL', `the model returned no output '${name}'`);
    described.push({ name, datatype: toV2Datatype(tensor.type), shape: [...tensor.dims] });
    const bytes = encodeRawTensor(tensor);
    // A Buffer view of the output (no copy), as the message type declares.
    raw.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  return { outputs: described, raw_output_contents: raw };
}

function decodeShape(shape: readonly Int64[], what: string): number[] {
  return shape.map((dim) => {
    const value = Number(dim);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: invalid shape [${shape.join(',')}]; dimensions must be non-negative integers`);
    }
    return value;
  });
}

function setContentsField(contents: InferTensorContents): ContentsField | undefined {
  return CONTENTS_FIELDS.find((field) => contents[field].length > 0);
}

function decodeContents(
  type: TensorType,
  datatype: string,
  dims: readonly number[],
  contents: InferTensorContents | null,
  what: string,
): TensorData {
  if (type === 'float16') {
    throw new ProtonError('INVALID_ARGUMENT', `${what}: ${datatype} has no typed contents field; send it in raw_input_contents`);
  }
  const field = FIELD_OF[type];
  const values = contents?.[field] ?? [];
  const count = elementCount(dims);
  if (values.length !== count) {
    const other = contents && values.length === 0 ? setContentsField(contents) : undefined;
    if (other !== undefined) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: ${datatype} elements belong in contents.${field}, not contents.${other}`);
    }
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `${what}: shape [${dims.join(',')}] has ${count} elements but contents.${field} has ${values.length}`,
    );
  }
  return convertContents(type, values, what);
}

function convertContents(type: Exclude<TensorType, 'float16'>, values: InferTensorContents[ContentsField], what: string): TensorData {
  switch (type) {
    case 'float32':
      return Float32Array.from(values as number[]);
    case 'float64':
      return Float64Array.from(values as number[]);
    case 'int32':
      return Int32Array.from(values as number[]);
    case 'uint32':
      return Uint32Array.from(values as number[]);
    case 'int8':
    case 'int16':
    case 'uint8':
    case 'uint16':
      return convertNarrow(type, values as number[], what);
    case 'int64':
      return BigInt64Array.from(values as Int64[], (value) => BigInt(value));
    case 'uint64':
      return BigUint64Array.from(values as Int64[], (value) => BigInt(value));
    case 'bool':
      return Uint8Array.from(values as boolean[], (value) => (value ? 1 : 0));
    case 'string':
      return (values as Buffer[]).map((value) => value.toString('utf8'));
  }
}

function convertNarrow(type: 'int8' | 'int16' | 'uint8' | 'uint16', values: number[], what: string): TensorData {
  const [min, max] = NARROW_RANGE[type] as readonly [number, number];
  const index = values.findIndex((value) => value < min || value > max);
  if (index >= 0) {
    throw new ProtonError('INVALID_ARGUMENT', `${what}: element ${index} (${values[index]}) is out of range for ${type}`);
  }
  switch (type) {
    case 'int8':
      return Int8Array.from(values);
    case 'int16':
      return Int16Array.from(values);
    case 'uint8':
      return Uint8Array.from(values);
    case 'uint16':
      return Uint16Array.from(values);
  }
}

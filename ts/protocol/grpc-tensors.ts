import { ProtonError } from '../errors';
import type { InferInputs, InferOutputs } from '../model-types';
import {
  TENSOR_TYPES,
  TYPED_ARRAY_OF,
  contentsFieldOf,
  fromV2Datatype,
  integerRangeOf,
  toV2Datatype,
  type ContentsField,
  type TensorType,
} from './datatypes';
import type { InferInputTensor, InferOutputTensor, InferTensorContents, Int64 } from './grpc-messages';
import { decodeRawTensor, encodeRawTensor } from './raw-codec';
import { bytesOf, elementCount, type Tensor, type TensorData } from './tensor';

/**
 * Tensors of ModelInfer: request inputs from typed `contents` or `raw_input_contents`, response
 * outputs always as `raw_output_contents` (what tritonclient reads; typed contents would be
 * ignored by it). Only protocol-level checks live here; Model.infer checks against the model.
 */

const CONTENTS_FIELDS: readonly ContentsField[] = [
  ...new Set(TENSOR_TYPES.map(contentsFieldOf).filter((field): field is ContentsField => field !== null)),
];

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
      data = decodeContents(type, dims, input.contents, what);
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

/** A tensor's elements in its typed contents field (what a client sends without raw contents). */
export function encodeContents(tensor: Tensor): Partial<InferTensorContents> {
  const field = contentsFieldOf(tensor.type);
  if (field === null) throw new ProtonError('INVALID_ARGUMENT', `${toV2Datatype(tensor.type)} has no typed contents field`);
  switch (tensor.type) {
    case 'string':
      return { bytes_contents: tensor.data.map((element) => Buffer.from(bytesOf(element))) };
    case 'bool':
      return { bool_contents: Array.from(tensor.data, (value) => value !== 0) };
    case 'int64':
    case 'uint64':
      return { [field]: Array.from(tensor.data, String) };
    default:
      return { [field]: Array.from(tensor.data as ArrayLike<number>) };
  }
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
  return CONTENTS_FIELDS.find((field) => (contents[field]?.length ?? 0) > 0);
}

/**
 * Typed contents of `type` with `dims` into tensor data.
 * @throws ProtonError INVALID_ARGUMENT for FP16, a count that does not match, or a value out of range
 */
export function decodeContents(
  type: TensorType,
  dims: readonly number[],
  contents: Partial<InferTensorContents> | null,
  what: string,
): TensorData {
  const datatype = toV2Datatype(type);
  const field = contentsFieldOf(type);
  if (field === null) {
    throw new ProtonError('INVALID_ARGUMENT', `${what}: ${datatype} has no typed contents field; send it in raw_input_contents`);
  }
  const values: ReadonlyArray<unknown> = contents?.[field] ?? [];
  const count = elementCount(dims);
  if (values.length !== count) {
    const other = contents && values.length === 0 ? setContentsField(contents as InferTensorContents) : undefined;
    if (other !== undefined) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: ${datatype} elements belong in contents.${field}, not contents.${other}`);
    }
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `${what}: shape [${dims.join(',')}] has ${count} elements but contents.${field} has ${values.length}`,
    );
  }
  switch (type) {
    case 'string':
      // Views of the received message: the bytes exactly as sent.
      return (values as Buffer[]).map((value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    case 'bool':
      return Uint8Array.from(values as boolean[], (value) => (value ? 1 : 0));
    case 'int64':
      return BigInt64Array.from(values as Int64[], (value) => BigInt(value));
    case 'uint64':
      return BigUint64Array.from(values as Int64[], (value) => BigInt(value));
    case 'float32':
    case 'float64':
      return TYPED_ARRAY_OF[type].from(values as number[]);
    default: {
      const [min, max] = integerRangeOf(type) as readonly [number, number];
      const numbers = values as number[];
      const index = numbers.findIndex((value) => value < min || value > max);
      if (index >= 0) {
        throw new ProtonError('INVALID_ARGUMENT', `${what}: element ${index} (${numbers[index]}) is out of range for ${type}`);
      }
      return (TYPED_ARRAY_OF[type as 'int32'] as Int32ArrayConstructor).from(numbers);
    }
  }
}

import { onnx } from 'onnx-proto';
import { ProtonError } from '../errors';
import {
  TYPED_ARRAY_OF,
  onnxDataTypeOf,
  tensorTypeOfOnnx,
  type NumericTensorType,
  type TensorType,
} from '../protocol/datatypes';
import { bytesOf, elementCount, type Tensor } from '../protocol/tensor';

/** Names of the ONNX element types Proton does not support, for error messages. */
const UNSUPPORTED_CODE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'undefined'],
  [14, 'complex64'],
  [15, 'complex128'],
  [16, 'bfloat16'],
  [17, 'float8e4m3fn'],
  [18, 'float8e4m3fnuz'],
  [19, 'float8e5m2'],
  [20, 'float8e5m2fnuz'],
  [21, 'uint4'],
  [22, 'int4'],
  [23, 'float4e2m1'],
]);

/** Types whose typed-field values travel in `int32_data` (ONNX stores them widened, float16 as its bits). */
const INT32_DATA_TYPES: ReadonlySet<TensorType> = new Set(['int8', 'int16', 'int32', 'uint8', 'uint16', 'bool', 'float16']);

/** Types whose typed-field values travel in `uint64_data`. */
const UINT64_DATA_TYPES: ReadonlySet<TensorType> = new Set(['uint32', 'uint64']);

/** protobufjs decodes 64-bit integers to `Long` objects when the `long` package is present. */
type ProtoInt64 = number | { low: number; high: number };

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A readable name for any ONNX `DataType` code. */
export function onnxDataTypeName(code: number): string {
  return tensorTypeOfOnnx(code) ?? UNSUPPORTED_CODE_NAMES.get(code) ?? `data type ${code}`;
}

/**
 * Encodes a tensor as a TensorProto message object, numbers as little-endian `raw_data`
 * and strings as `string_data`.
 */
export function tensorToProto(name: string, tensor: Tensor): onnx.ITensorProto {
  const proto: onnx.ITensorProto = { name, dims: [...tensor.dims], dataType: onnxDataTypeOf(tensor.type) };
  if (tensor.type === 'string') {
    proto.stringData = tensor.data.map(bytesOf);
  } else {
    const data = tensor.data;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    if (!LITTLE_ENDIAN_HOST) swapBytes(bytes, data.BYTES_PER_ELEMENT);
    proto.rawData = bytes;
  }
  return proto;
}

/** Serializes a tensor to TensorProto bytes (the format of ONNX test data `.pb` files). */
export function encodeTensorProto(tensor: Tensor, name = ''): Uint8Array {
  return onnx.TensorProto.encode(tensorToProto(name, tensor)).finish();
}

/**
 * Decodes serialized TensorProto bytes into a Proton tensor.
 * Throws a ProtonError (INVALID_ARGUMENT) naming the problem for element types Proton does not
 * support (bfloat16, complex, float8, int4, ...), external or segmented data, and bytes that are
 * not a TensorProto, such as the SequenceProto, MapProto and OptionalProto files of the ONNX test data.
 */
export function decodeTensorProto(bytes: Uint8Array): Tensor {
  let proto: onnx.TensorProto;
  try {
    proto = onnx.TensorProto.decode(bytes);
  } catch (error) {
    throw notATensor(`cannot be parsed (${(error as Error).message})`);
  }
  return tensorFromProto(proto);
}

/** Converts a decoded TensorProto message (a model initializer, say) into a Proton tensor; throws like `decodeTensorProto`. */
export function tensorFromProto(proto: onnx.ITensorProto): Tensor {
  // A SequenceProto or OptionalProto holding tensors puts them in field 3, TensorProto's segment.
  if (proto.segment) throw notATensor('has field 3 set (a segment, or the values of a sequence or optional)');
  if (proto.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new ProtonError('INVALID_ARGUMENT', 'TensorProto: external data is not supported');
  }
  const dataType = proto.dataType ?? 0;
  const type = tensorTypeOfOnnx(dataType);
  if (type === undefined) {
    throw new ProtonError('INVALID_ARGUMENT', `TensorProto: element type ${onnxDataTypeName(dataType)} is not supported`);
  }
  const dims = (proto.dims ?? []).map((dim) => Number(int64ToBigInt(dim)));
  if (dims.some((dim) => !Number.isSafeInteger(dim) || dim < 0)) throw notATensor(`has invalid dims [${dims.join(',')}]`);
  const count = elementCount(dims);
  const data = type === 'string' ? decodeStrings(proto, count) : decodeNumbers(proto, type, count);
  return { type, dims, data } as Tensor;
}

/** BYTES elements exactly as stored (ONNX strings are bytes). */
function decodeStrings(proto: onnx.ITensorProto, count: number): Uint8Array[] {
  const values = proto.stringData ?? [];
  if (values.length !== count) throw countMismatch(values.length, count);
  return values.map((bytes) => Uint8Array.from(bytes));
}

function decodeNumbers(proto: onnx.ITensorProto, type: NumericTensorType, count: number): Tensor['data'] {
  const TypedArray = TYPED_ARRAY_OF[type];
  const raw = proto.rawData ?? new Uint8Array(0);
  if (raw.length > 0) {
    const expectedBytes = count * TypedArray.BYTES_PER_ELEMENT;
    if (raw.length !== expectedBytes) {
      throw notATensor(`has ${raw.length} bytes of raw_data where ${count} ${type} elements need ${expectedBytes}`);
    }
    // Copy into a fresh buffer: raw_data may sit at an offset the typed array cannot be aligned to.
    const bytes = new Uint8Array(expectedBytes);
    bytes.set(raw);
    if (!LITTLE_ENDIAN_HOST) swapBytes(bytes, TypedArray.BYTES_PER_ELEMENT);
    return new TypedArray(bytes.buffer);
  }
  const values = typedFieldOf(proto, type);
  if (values.length !== count) throw countMismatch(values.length, count);
  if (type === 'int64') return BigInt64Array.from(values, (value) => BigInt.asIntN(64, int64ToBigInt(value)));
  if (type === 'uint64') return BigUint64Array.from(values, int64ToBigInt);
  const target = new (TypedArray as Exclude<typeof TypedArray, BigInt64ArrayConstructor | BigUint64ArrayConstructor>)(count);
  values.forEach((value, index) => {
    target[index] = typeof value === 'number' ? value : Number(int64ToBigInt(value));
  });
  return target;
}

/** The typed field ONNX uses for a type when raw_data is empty. */
function typedFieldOf(proto: onnx.ITensorProto, type: NumericTensorType): ProtoInt64[] {
  if (type === 'float32') return proto.floatData ?? [];
  if (type === 'float64') return proto.doubleData ?? [];
  if (type === 'int64') return (proto.int64Data ?? []) as ProtoInt64[];
  if (UINT64_DATA_TYPES.has(type)) return (proto.uint64Data ?? []) as ProtoInt64[];
  if (INT32_DATA_TYPES.has(type)) return proto.int32Data ?? [];
  throw new ProtonError('INVALID_ARGUMENT', `TensorProto: no typed field for ${type}`);
}

/** The 64-bit value as an unsigned BigInt (callers reinterpret it as signed where needed). */
function int64ToBigInt(value: ProtoInt64): bigint {
  if (typeof value === 'number') return BigInt.asUintN(64, BigInt(value));
  return (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let start = 0; start < bytes.length; start += width) bytes.subarray(start, start + width).reverse();
}

function countMismatch(found: number, expected: number): ProtonError {
  return notATensor(`holds ${found} values where its dims need ${expected}`);
}

function notATensor(detail: string): ProtonError {
  return new ProtonError(
    'INVALID_ARGUMENT',
    `not a valid TensorProto (it may be a SequenceProto, MapProto or OptionalProto, which are not supported): the message ${detail}`,
  );
}

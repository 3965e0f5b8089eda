/** Element types, spelled as onnxruntime-node spells them. */
export type TensorType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

/** The typed array that carries each element type (float16 as raw bits, bool as 0/1 bytes). */
export interface TensorDataByType {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
  string: string[];
}

export type TensorData = TensorDataByType[TensorType];

/** A tensor with the property names of onnxruntime-node's `Tensor`. */
export interface Tensor<T extends TensorType = TensorType> {
  type: T;
  dims: readonly number[];
  data: TensorDataByType[T];
}

export type NumericTensorType = Exclude<TensorType, 'string'>;

type TypedArrayConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Uint16ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor;

export const TYPED_ARRAY_OF: Readonly<Record<NumericTensorType, TypedArrayConstructor>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

export const TENSOR_TYPES: readonly TensorType[] = [
  'float32',
  'float64',
  'float16',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'bool',
  'string',
];

export function isTensorType(value: unknown): value is TensorType {
  return typeof value === 'string' && (TENSOR_TYPES as readonly string[]).includes(value);
}

/** Number of elements of a shape; an empty shape is a scalar (1 element). */
export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const dim of dims) count *= dim;
  return count;
}

/** Bytes per element of a numeric type. */
export function bytesPerElement(type: NumericTensorType): number {
  return TYPED_ARRAY_OF[type].BYTES_PER_ELEMENT;
}

/** Creates a tensor whose data has the typed array of its type. */
export function createTensor<T extends TensorType>(type: T, dims: readonly number[], data: TensorDataByType[T]): Tensor<T> {
  return { type, dims, data };
}

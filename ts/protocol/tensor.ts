import type { NumericTensorType, TensorType } from './datatypes';

/**
 * BYTES (`string`) elements: a `string` is sent as its UTF-8 bytes (NUL included), a
 * `Uint8Array` as is. Outputs always come back as `Uint8Array`s, so any bytes survive.
 */
export type BytesElement = string | Uint8Array;

/** The data array of each element type (float16 as raw bits, bool as 0/1 bytes); matches TYPED_ARRAY_OF. */
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
  string: BytesElement[];
}


export type TensorData = TensorDataByType[TensorType];

/** The typed arrays of the numeric types. */
export type NumericTensorData = TensorDataByType[NumericTensorType];

/**
 * A tensor with the property names of onnxruntime-node's `Tensor`: a union discriminated by
 * `type`, so `tensor.type === 'int64'` narrows `data` to a BigInt64Array.
 */
export type Tensor<T extends TensorType = TensorType> = T extends TensorType
  ? { type: T; dims: readonly number[]; data: TensorDataByType[T] }
  : never;

/** A numeric (typed-array) tensor. */
export type NumericTensor = Tensor<NumericTensorType>;

/** Number of elements of a shape; an empty shape is a scalar (1 element). */
export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const dim of dims) count *= dim;
  return count;
}

/** Creates a tensor whose data has the array of its type. */
export function createTensor<T extends TensorType>(type: T, dims: readonly number[], data: TensorDataByType[T]): Tensor<T> {
  return { type, dims, data } as Tensor<T>;
}

/** A BYTES element's bytes (strings as UTF-8). */
export function bytesOf(element: BytesElement): Uint8Array {
  return typeof element === 'string' ? Buffer.from(element, 'utf8') : element;
}

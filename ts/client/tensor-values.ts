import { bytesAsText } from '../protocol/json-codec';
import { TYPED_ARRAY_OF, type TensorType } from '../protocol/datatypes';
import { type Tensor, type TensorData } from '../protocol/tensor';

/** Tensors as plain JSON-able values, as the V2 JSON and original predict bodies carry them. */

/** A tensor's elements as JSON values: numbers, booleans for BOOL, strings for BYTES. FP16 has no JSON form. */
export function toJsonValues(tensor: Tensor, what: string): Array<number | boolean | string> {
  switch (tensor.type) {
    case 'float16':
      throw new Error(`${what} is FP16, which V2 JSON cannot carry; use --encoding binary`);
    case 'bool':
      return Array.from(tensor.data as Uint8Array, (value) => value !== 0);
    case 'string':
      return bytesAsText(tensor.data, what);
    default:
      // INT64/UINT64 elements are bigint; the generated values are small enough to be exact as numbers.
      return Array.from(tensor.data as ArrayLike<number | bigint>, Number);
  }
}

/** Builds tensor data of `type` from JSON values; throws naming `what` when a value does not fit the type. */
export function tensorDataFromValues(type: TensorType, values: readonly unknown[], what: string): TensorData {
  if (type === 'string') {
    if (!values.every((value) => typeof value === 'string')) throw new Error(`${what}: BYTES data must be strings`);
    return values as string[];
  }
  if (type === 'bool') return Uint8Array.from(values, (value) => (value === true || value === 1 ? 1 : 0));
  if (!values.every((value) => typeof value === 'number')) throw new Error(`${what}: ${type} data must be numbers`);
  const numbers = values as number[];
  if (type === 'int64') return BigInt64Array.from(numbers, (value) => BigInt(Math.trunc(value)));
  if (type === 'uint64') return BigUint64Array.from(numbers, (value) => BigInt(Math.trunc(value)));
  // Every remaining constructor takes an array of numbers.
  return new (TYPED_ARRAY_OF[type] as Float64ArrayConstructor)(numbers) as TensorData;
}

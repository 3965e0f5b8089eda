import { ProtonError } from '../../errors';
import { TYPED_ARRAY_OF, type Tensor, type TensorData, type TensorType } from '../../tensor';
import { toV2Datatype } from '../datatype';

/** Value ranges of the integer types JSON numbers can carry exactly. */
const INT_RANGE: Partial<Record<TensorType, readonly [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const INTEGER_TEXT = /^-?\d{1,20}$/;

/**
 * Converts flat JSON values to the typed data of `type`: numbers for numeric types (INT64 and
 * UINT64 also as decimal strings, so values beyond 2^53 keep every digit), booleans for BOOL,
 * strings for BYTES. FP16 is rejected: JSON cannot carry it faithfully (Triton does the same).
 * @throws ProtonError INVALID_ARGUMENT naming the element and the expected values
 */
export function jsonToTensorData(type: TensorType, values: readonly unknown[], what: string): TensorData {
  const n = values.length;
  switch (type) {
    case 'float32':
    case 'float64': {
      const out = new TYPED_ARRAY_OF[type](n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number') throw badElement(what, type, i, v, 'a number');
        out[i] = v;
      }
      return out;
    }
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint8':
    case 'uint16':
    case 'uint32': {
      const [min, max] = INT_RANGE[type] as readonly [number, number];
      const out = new TYPED_ARRAY_OF[type](n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
          throw badElement(what, type, i, v, `an integer in [${min}, ${max}]`);
        }
        out[i] = v;
      }
      return out;
    }
    case 'int64':
    case 'uint64': {
      const out = type === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n);
      const [min, max] = type === 'int64' ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
      for (let i = 0; i < n; i++) {
        const big = toBigInt(values[i]);
        if (big === undefined || big < min || big > max) {
          throw badElement(what, type, i, values[i], `an integer in [${min}, ${max}] (a number up to 2^53, else a decimal string)`);
        }
        out[i] = big;
      }
      return out;
    }
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'boolean') throw badElement(what, type, i, v, 'true or false');
        out[i] = v ? 1 : 0;
      }
      return out;
    }
    case 'string': {
      for (let i = 0; i < n; i++) {
        if (typeof values[i] !== 'string') throw badElement(what, type, i, values[i], 'a string');
      }
      return values.slice() as string[];
    }
    case 'float16':
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `${what}: FP16 data cannot be sent as JSON; send it with the binary tensor extension (binary_data_size)`,
      );
  }
}

function toBigInt(value: unknown): bigint | undefined {
  // A number past 2^53 may already have lost digits in JSON.parse: refuse rather than guess.
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) return BigInt(value);
  return undefined;
}

function badElement(what: string, type: TensorType, index: number, value: unknown, expected: string): ProtonError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return new ProtonError(
    'INVALID_ARGUMENT',
    `${what}: element ${index} of ${toV2Datatype(type)} data is ${shown}, expected ${expected}`,
  );
}

/**
 * The JSON text of a tensor's data, flat and row-major. INT64/UINT64 are written digit for digit
 * (JSON numbers have no precision limit; JavaScript's JSON.parse has, so clients may read them as
 * strings with a reviver). Non-finite floats become null, as JSON.stringify writes them.
 */
export function tensorDataJson(tensor: Tensor): string {
  const data = tensor.data;
  switch (tensor.type) {
    case 'int64':
    case 'uint64':
      return `[${(data as BigInt64Array | BigUint64Array).join(',')}]`;
    case 'bool':
      return JSON.stringify(Array.from(data as Uint8Array, (v) => v !== 0));
    case 'string':
      return JSON.stringify(data);
    case 'float16':
      throw new ProtonError('INTERNAL', 'FP16 output cannot be written as JSON');
    default:
      return JSON.stringify(Array.from(data as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>));
  }
}

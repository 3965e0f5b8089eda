import JSON5 from 'json5';
import { ProtonError } from '../errors';
import { excerpt } from './limits';
import { DATATYPES, TYPED_ARRAY_OF, integerRangeOf, jsonKindOf, toV2Datatype, type TensorType } from './datatypes';
import type { Tensor, TensorData } from './tensor';

/**
 * Tensor data as JSON, the convention of Python's `json` module (and so of tritonclient):
 * NaN and ±Inf are the bare tokens `NaN`, `Infinity`, `-Infinity`, and negative zero is `-0.0`.
 * JavaScript's JSON.parse rejects the bare tokens; a JS client that may receive them should ask
 * for binary outputs or parse with a tolerant parser (json5 reads them).
 */

const INTEGER_TEXT = /^-?\d{1,20}$/;
const NON_STANDARD_TOKEN = /NaN|Infinity/;
/** A number literal with a 3-digit exponent: the only way standard JSON text overflows to ±Infinity. */
const LARGE_EXPONENT = /\d[eE][+-]?\d{3}/;
/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON request body; the bare NaN/Infinity tokens Python's json writes are accepted too.
 * @throws ProtonError INVALID_ARGUMENT for malformed JSON
 */
export function parseJsonBody(text: string): unknown {
  try {
    if (!LARGE_EXPONENT.test(text)) return JSON.parse(text);
    // Rare: check every number so that 1e400 is refused instead of read as Infinity.
    return JSON.parse(text, (_key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new ProtonError('INVALID_ARGUMENT', 'a number in the request body is beyond the range of a 64-bit float');
      }
      return value;
    });
  } catch (error) {
    if (error instanceof ProtonError) throw error;
    if (NON_STANDARD_TOKEN.test(text)) {
      try {
        return JSON5.parse(text);
      } catch {
        // report the strict parser's message below
      }
    }
    throw new ProtonError('INVALID_ARGUMENT', `malformed JSON in request body: ${(error as Error).message}`);
  }
}

/**
 * Converts flat JSON values to the typed data of `type`: numbers for numeric types (INT64 and
 * UINT64 also as decimal strings, so values beyond 2^53 keep every digit), booleans for BOOL,
 * strings for BYTES (their UTF-8 bytes, NUL included). FP16 is rejected: JSON cannot carry it
 * faithfully (Triton does the same).
 * @throws ProtonError INVALID_ARGUMENT naming the element and the expected values
 */
export function jsonToTensorData(type: TensorType, values: readonly unknown[], what: string): TensorData {
  const n = values.length;
  switch (jsonKindOf(type)) {
    case 'float': {
      const out = new (TYPED_ARRAY_OF[type as 'float32' | 'float64'])(n);
      const max = type === 'float32' ? FLOAT32_MAX : Number.MAX_VALUE;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number') throw badElement(what, type, i, v, 'a number');
        // NaN and ±Infinity (Python's tokens) pass; a finite value must fit the type.
        if (v > max || v < -max) if (Number.isFinite(v)) throw badElement(what, type, i, v, `a number within ±${max}`);
        out[i] = v;
      }
      return out;
    }
    case 'integer': {
      const [min, max] = integerRangeOf(type) as readonly [number, number];
      const out = new (TYPED_ARRAY_OF[type as 'int32'])(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
          throw badElement(what, type, i, v, `an integer in [${min}, ${max}]`);
        }
        out[i] = v;
      }
      return out;
    }
    case 'bigint': {
      const out = type === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n);
      const [min, max] = integerRangeOf(type) as readonly [bigint, bigint];
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
    case 'bytes': {
      for (let i = 0; i < n; i++) {
        if (typeof values[i] !== 'string') throw badElement(what, type, i, values[i], 'a string');
      }
      return values.slice() as string[];
    }
    case 'none':
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `${what}: ${DATATYPES[type].v2} data cannot be sent as JSON; send it with the binary tensor extension (binary_data_size)`,
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
  // Never serialize what the client sent whole: it may be huge or nested past the stack.
  const shown =
    typeof value === 'number'
      ? floatText(value)
      : typeof value === 'string'
        ? JSON.stringify(excerpt(value))
        : Array.isArray(value)
          ? 'an array'
          : typeof value === 'object' && value !== null
            ? 'an object'
            : String(value);
  return new ProtonError('INVALID_ARGUMENT', `${what}: element ${index} of ${toV2Datatype(type)} data is ${shown}, expected ${expected}`);
}

/** One float as Python's json writes it. */
export function floatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Object.is(value, -0)) return '-0.0';
  return String(value);
}

function floatsJson(data: Float32Array | Float64Array): string {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v) || Object.is(v, -0)) return `[${Array.from(data, floatText).join(',')}]`;
  }
  return JSON.stringify(Array.from(data));
}

/**
 * The JSON text of a tensor's data, flat and row-major. INT64/UINT64 are written digit for digit
 * (JSON numbers have no precision limit; JavaScript's JSON.parse has, so clients may read them as
 * strings with a reviver). BYTES must be valid UTF-8 to be JSON strings.
 * @throws ProtonError INVALID_ARGUMENT for FP16 or non-UTF-8 BYTES (ask for binary output instead)
 */
export function tensorDataJson(tensor: Tensor, what: string): string {
  switch (tensor.type) {
    case 'float32':
    case 'float64':
      return floatsJson(tensor.data);
    case 'int64':
    case 'uint64':
      return `[${tensor.data.join(',')}]`;
    case 'bool':
      return JSON.stringify(Array.from(tensor.data, (v) => v !== 0));
    case 'string':
      return JSON.stringify(bytesAsText(tensor.data, what));
    case 'float16':
      throw new ProtonError('INVALID_ARGUMENT', `${what} is FP16, which JSON cannot carry: request it with parameters.binary_data true`);
    default:
      return JSON.stringify(Array.from(tensor.data as ArrayLike<number>));
  }
}

/**
 * BYTES elements as strings; V2 JSON has only strings, so non-UTF-8 bytes are refused rather than
 * replaced with U+FFFD.
 */
export function bytesAsText(elements: ReadonlyArray<string | Uint8Array>, what: string): string[] {
  return elements.map((element, index) => {
    if (typeof element === 'string') return element;
    try {
      return utf8.decode(element);
    } catch {
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `${what}: BYTES element ${index} is not valid UTF-8, which a JSON string cannot carry; request it with parameters.binary_data true`,
      );
    }
  });
}

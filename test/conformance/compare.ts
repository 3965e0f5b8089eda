import { bytesOf, type BytesElement, type Tensor } from '../../ts/protocol/tensor';

/** Float tolerance: |actual - expected| <= ABSOLUTE + RELATIVE * |expected|, as numpy's allclose. */
const RELATIVE_TOLERANCE = 1e-3;
const ABSOLUTE_TOLERANCE = 1e-5;

const FLOAT_TYPES: ReadonlySet<string> = new Set(['float16', 'float32', 'float64']);

/**
 * Compares one output with its expected value: exactly for integers, booleans and BYTES (as bytes),
 * within tolerance for floats (NaN equals NaN, infinities must match).
 * Returns a one-line description of the first difference, or undefined when they agree.
 */
export function describeMismatch(actual: Tensor, expected: Tensor): string | undefined {
  if (actual.type !== expected.type) return `type ${actual.type}, expected ${expected.type}`;
  if (!sameDims(actual.dims, expected.dims)) return `dims [${actual.dims.join(',')}], expected [${expected.dims.join(',')}]`;
  if (actual.data.length !== expected.data.length) return `${actual.data.length} elements, expected ${expected.data.length}`;
  const toNumber = expected.type === 'float16' ? float16ToNumber : (value: number) => value;
  const equal = FLOAT_TYPES.has(expected.type)
    ? (a: unknown, e: unknown) => floatsAgree(toNumber(a as number), toNumber(e as number))
    : expected.type === 'string'
      ? (a: unknown, e: unknown) => Buffer.from(bytesOf(a as BytesElement)).equals(bytesOf(e as BytesElement))
      : (a: unknown, e: unknown) => a === e;
  let differences = 0;
  let first = -1;
  for (let index = 0; index < expected.data.length; index++) {
    if (equal(actual.data[index], expected.data[index])) continue;
    differences++;
    if (first < 0) first = index;
  }
  if (differences === 0) return undefined;
  const show = (data: Tensor['data']): string => String(toNumber(data[first] as number));
  return `${differences} of ${expected.data.length} elements differ, first at ${first}: ${show(actual.data)}, expected ${show(expected.data)}`;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, index) => dim === b[index]);
}

function floatsAgree(actual: number, expected: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * Math.abs(expected);
}

/** The value of IEEE half-precision bits. */
function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

import { ProtonError } from '../errors';

/** Deepest nesting accepted in JSON tensor data (as Triton). */
const MAX_DEPTH = 100;

/**
 * Flattens JSON tensor data given flat or nested to any depth (row-major order).
 * @throws ProtonError INVALID_ARGUMENT when `data` is not an array or nests too deep
 */
export function flattenData(data: unknown, what: string, maxDepth = MAX_DEPTH): unknown[] {
  if (!Array.isArray(data)) throw new ProtonError('INVALID_ARGUMENT', `${what}: data must be an array`);
  if (data.length === 0 || !Array.isArray(data[0])) return data;
  // Nested data must be rectangular: ragged data has no shape.
  return flattenWithShape(data, `${what}: data`, maxDepth).values;
}

/**
 * Flattens a rectangular nested array and returns its shape (the original Proton `/predict` data,
 * whose nesting is the tensor's shape).
 * @throws ProtonError INVALID_ARGUMENT for ragged or non-array data
 */
export function flattenWithShape(data: unknown, what: string, maxDepth = MAX_DEPTH): { values: unknown[]; dims: number[] } {
  if (!Array.isArray(data)) throw new ProtonError('INVALID_ARGUMENT', `${what} must be a (nested) array of numbers`);
  const dims: number[] = [];
  for (let level: unknown = data; Array.isArray(level); level = level[0]) {
    dims.push(level.length);
    if (dims.length > maxDepth) throw new ProtonError('INVALID_ARGUMENT', `${what} nests deeper than ${maxDepth} levels`);
    if (level.length === 0) break;
  }
  const values: unknown[] = [];
  collect(data, dims, 0, values, what, '');
  return { values, dims };
}

function collect(level: unknown, dims: number[], depth: number, out: unknown[], what: string, at: string): void {
  if (depth === dims.length) {
    if (Array.isArray(level)) throw new ProtonError('INVALID_ARGUMENT', `${what}${at} is nested deeper than ${what}[0]...`);
    out.push(level);
    return;
  }
  if (!Array.isArray(level) || level.length !== dims[depth]) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `${what}${at} must be an array of ${dims[depth]} elements like its siblings (ragged data has no shape)`,
    );
  }
  for (let i = 0; i < level.length; i++) collect(level[i], dims, depth + 1, out, what, `${at}[${i}]`);
}

/** Nests flat values row-major into arrays of `dims` (a scalar when `dims` is empty). */
export function nest(values: ArrayLike<unknown>, dims: readonly number[]): unknown {
  if (dims.length === 0) return values[0];
  let offset = 0;
  const build = (depth: number): unknown[] => {
    const size = dims[depth] ?? 0;
    const level = new Array<unknown>(size);
    if (depth === dims.length - 1) {
      for (let i = 0; i < size; i++) level[i] = values[offset++];
    } else {
      for (let i = 0; i < size; i++) level[i] = build(depth + 1);
    }
    return level;
  };
  return build(0);
}

/** Nests flat values row-major into arrays of `dims` (test-side, independent of the server's code). */
export function nestValues(values: readonly unknown[], dims: readonly number[]): unknown {
  if (dims.length === 0) return values[0];
  const [first, ...rest] = dims;
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: first ?? 0 }, (_, i) => nestValues(values.slice(i * stride, (i + 1) * stride), rest));
}

import type { InProcessModel } from '../common/models';
import type { InferPath } from './infer-path';

/** Float results may differ in the last bits between sessions; anything larger is a bug. */
const TOLERANCE = 1e-5;

/**
 * Runs every path once and throws unless all agree with the reference: the sum computed here for
 * Add, onnxruntime-node in the main thread otherwise. A fast but wrong path is never timed.
 */
export async function verifyPaths(spec: InProcessModel, paths: readonly InferPath[]): Promise<void> {
  const outputs = await Promise.all(paths.map((path) => path.infer()));
  const ortMain = paths.findIndex((path) => path.name === 'ort-main');
  const reference = independentReference(spec) ?? outputs[ortMain] ?? outputs[0];
  if (reference === undefined) throw new Error('verifyPaths: no paths to compare');
  paths.forEach((path, index) => {
    const output = outputs[index];
    if (output === undefined) throw new Error(`${spec.name}/${path.name}: no output`);
    const difference = maxDifference(output, reference);
    if (!(difference <= TOLERANCE)) {
      throw new Error(`${spec.name}/${path.name}: output differs from the reference by ${difference}; not benchmarking a wrong result`);
    }
  });
}

/** a + b, computed in JS; other models have no independent reference here. */
function independentReference(spec: InProcessModel): Float32Array | undefined {
  const { a, b } = spec.inputs;
  if (spec.name !== 'add' || a === undefined || b === undefined) return undefined;
  return a.data.map((value: number, i: number) => value + (b.data[i] ?? Number.NaN));
}

/** Largest element-wise difference; Infinity when the lengths differ, NaN when any element is NaN. */
export function maxDifference(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < actual.length; i++) {
    const difference = Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? Number.NaN));
    if (!(difference <= max)) max = difference;
  }
  return max;
}

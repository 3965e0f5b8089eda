import { toV2Datatype } from '../protocol/datatypes';
import { elementCount } from '../protocol/tensor';
import type { NamedTensor } from './input-generator';
import type { TensorSpec } from './model-spec';

/**
 * Checks an answer's outputs against the model's metadata: every expected output present, with
 * its datatype, its rank, its fixed dimensions and as many elements as its shape says.
 * Throws one Error naming every mismatch, so a broken server is noticed before a load run.
 */
export function checkOutputs(model: string, expected: readonly TensorSpec[], received: readonly NamedTensor[]): void {
  const problems: string[] = [];
  for (const spec of expected) {
    const tensor = received.find((output) => output.name === spec.name);
    if (!tensor) {
      problems.push(`output '${spec.name}' is missing (received: ${received.map((output) => output.name).join(', ') || 'none'})`);
      continue;
    }
    const datatype = toV2Datatype(tensor.type);
    if (datatype !== spec.datatype) problems.push(`output '${spec.name}': expected ${spec.datatype}, received ${datatype}`);
    const shapeFits =
      tensor.dims.length === spec.shape.length && spec.shape.every((dim, axis) => dim < 0 || dim === tensor.dims[axis]);
    if (!shapeFits) {
      problems.push(`output '${spec.name}': expected shape [${spec.shape.join(',')}], received [${tensor.dims.join(',')}]`);
    }
    if (tensor.data.length !== elementCount(tensor.dims)) {
      problems.push(`output '${spec.name}': shape [${tensor.dims.join(',')}] but ${tensor.data.length} elements`);
    }
  }
  if (problems.length > 0) throw new Error(`model '${model}' answered unexpectedly: ${problems.join('; ')}`);
}

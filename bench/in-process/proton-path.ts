import { Model, type ModelLoadOptions } from '../../ts/index';
import type { Tensor } from '../../ts/protocol/tensor';
import type { InProcessModel } from '../common/models';
import type { InferPath } from './infer-path';

/** Proton on its own native thread(s); `infer` only validates and enqueues. The model is kept for its stats. */
export interface ProtonPath extends InferPath {
  readonly model: Model;
}

/** Loads `spec` with `options` (default: one intra-op thread, one instance, no batching). */
export async function openProtonPath(spec: InProcessModel, options: ModelLoadOptions = {}, name = 'proton'): Promise<ProtonPath> {
  const model = await Model.load(spec.file, { intraOpNumThreads: 1, interOpNumThreads: 1, ...options });
  // Built once: Proton reads input buffers in place, and nothing writes to them.
  const inputs: Record<string, Tensor> = {};
  for (const [inputName, input] of Object.entries(spec.inputs)) inputs[inputName] = { type: 'float32', dims: input.dims, data: input.data };
  return {
    name,
    model,
    async infer() {
      const outputs = await model.infer(inputs);
      return float32Data(outputs[spec.outputName], spec.outputName);
    },
    close: () => model.close(),
  };
}

export function float32Data(tensor: Tensor | undefined, name: string): Float32Array {
  if (!(tensor?.data instanceof Float32Array)) throw new Error(`proton: output '${name}' is not float32`);
  return tensor.data;
}

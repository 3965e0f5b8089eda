import { Model } from '../../ts/index';
import type { Tensor } from '../../ts/protocol/tensor';
import type { BenchModel } from './bench-models';
import type { InferPath } from './infer-path';

/** Proton: the model runs on its own native thread; `infer` only validates and enqueues. */
export async function openProtonPath(spec: BenchModel): Promise<InferPath> {
  const model = await Model.load(spec.file, { intraOpNumThreads: 1 });
  // Built once: Proton reads input buffers in place, and nothing writes to them.
  const inputs: Record<string, Tensor> = {};
  for (const [name, input] of Object.entries(spec.inputs)) {
    inputs[name] = { type: 'float32', dims: input.dims, data: input.data };
  }
  return {
    name: 'proton',
    async infer() {
      const outputs = await model.infer(inputs);
      return float32Data(outputs[spec.outputName], spec.outputName);
    },
    close: () => model.close(),
  };
}

function float32Data(tensor: Tensor | undefined, name: string): Float32Array {
  if (!(tensor?.data instanceof Float32Array)) throw new Error(`proton: output '${name}' is not float32`);
  return tensor.data;
}

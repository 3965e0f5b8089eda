import * as ort from 'onnxruntime-node';
import type { InProcessModel } from '../common/models';
import type { InferPath } from './infer-path';

/** The session options every onnxruntime-node baseline uses: one thread, like Proton's model. */
export const ORT_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };

/**
 * onnxruntime-node in the main thread, its input tensors built once and reused by every call.
 * Its 1.30 `run` defers with setImmediate and then runs the model synchronously on the JS thread,
 * so calls in flight never overlap.
 */
export async function openOrtMainPath(spec: InProcessModel): Promise<InferPath> {
  const session = await ort.InferenceSession.create(spec.file, ORT_SESSION_OPTIONS);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, input] of Object.entries(spec.inputs)) feeds[name] = new ort.Tensor('float32', input.data, input.dims);
  return {
    name: 'ort-main',
    async infer() {
      const results = await session.run(feeds);
      return float32Output(results[spec.outputName], spec.outputName);
    },
    close: () => session.release(),
  };
}

export function float32Output(value: ort.OnnxValue | undefined, name: string): Float32Array {
  const data = value?.data;
  if (!(data instanceof Float32Array)) throw new Error(`onnxruntime-node: output '${name}' is not float32`);
  return data;
}

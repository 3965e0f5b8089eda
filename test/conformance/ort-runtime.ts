import * as ort from 'onnxruntime-node';
import type { TensorType } from '../../ts/protocol/datatypes';
import type { Tensor } from '../../ts/protocol/tensor';
import type { LoadedModel, Runtime } from './runtime';
import { toOrtTensor } from '../helpers/ort-tensor';

/** onnxruntime-node, the reference the expected-failures list is computed from. */
export const ortRuntime: Runtime = {
  name: 'onnxruntime-node',
  async load(modelPath: string): Promise<LoadedModel> {
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      // Fatal only: old-opset models log a warning each, and load errors reach us as rejections anyway.
      logSeverityLevel: 4,
    });
    return {
      async run(inputs) {
        const feeds: Record<string, ort.Tensor> = {};
        for (const [name, tensor] of Object.entries(inputs)) {
          feeds[name] = toOrtTensor(tensor);
        }
        const results = await session.run(feeds);
        const outputs: Record<string, Tensor> = {};
        for (const [name, value] of Object.entries(results)) {
          outputs[name] = { type: value.type as TensorType, dims: [...value.dims], data: value.data } as Tensor;
        }
        return outputs;
      },
      close: () => session.release(),
    };
  },
};

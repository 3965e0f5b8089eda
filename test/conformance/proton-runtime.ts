import { Model } from '../../ts/index';
import type { LoadedModel, Runtime } from './runtime';

/** Proton's own `Model`, the runtime under test. */
export const protonRuntime: Runtime = {
  name: 'Proton',
  async load(modelPath: string): Promise<LoadedModel> {
    const model = await Model.load(modelPath, { intraOpNumThreads: 1 });
    return {
      run: (inputs) => model.infer(inputs),
      close: () => model.close(),
    };
  },
};

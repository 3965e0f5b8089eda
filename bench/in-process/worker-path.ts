import type { Tensor } from '../../ts/protocol/tensor';
import { WorkerSession } from '../baselines/worker-session';
import type { InProcessModel } from '../common/models';
import type { InferPath } from './infer-path';
import { ORT_SESSION_OPTIONS } from './ort-main-path';

/**
 * The lean JS worker path: onnxruntime-node in one worker_threads Worker (bench/baselines), the
 * session reused, input buffers moved to the worker and back with transfer lists. A call takes a
 * free input set from a pool (making one when all are in flight) and returns it when it settles,
 * so steady state neither copies nor allocates inputs.
 */
export async function openWorkerPath(spec: InProcessModel): Promise<InferPath> {
  const session = await WorkerSession.start(spec.file, Number(ORT_SESSION_OPTIONS.intraOpNumThreads));
  const free: Record<string, Tensor>[] = [];
  const inputSet = (): Record<string, Tensor> => {
    const set: Record<string, Tensor> = {};
    for (const [name, input] of Object.entries(spec.inputs)) set[name] = { type: 'float32', dims: input.dims, data: input.data.slice() };
    return set;
  };
  return {
    name: 'ort-worker',
    async infer() {
      const { outputs, inputs } = await session.run(free.pop() ?? inputSet());
      free.push(inputs);
      const data = outputs[spec.outputName]?.data;
      if (!(data instanceof Float32Array)) throw new Error(`ort-worker: output '${spec.outputName}' is not float32`);
      return data;
    },
    close: () => session.close(),
  };
}

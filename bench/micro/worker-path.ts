import path from 'node:path';
import { Worker } from 'node:worker_threads';

import type { BenchModel } from './bench-models';
import type { InferPath } from './infer-path';
import type { WireTensor, WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol';

interface Pending {
  resolve: (data: Float32Array) => void;
  reject: (error: Error) => void;
}

/**
 * The JS worker path: onnxruntime-node inside one worker_threads Worker, requests by postMessage
 * (inputs copied by structured clone), replies matched to callers by id.
 */
export async function openWorkerPath(spec: BenchModel): Promise<InferPath> {
  const worker = new Worker(path.join(__dirname, 'ort-worker.js'), { workerData: { file: spec.file } satisfies WorkerInit });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let failure: Error | undefined;

  const failAll = (error: Error): void => {
    failure = error;
    for (const caller of pending.values()) caller.reject(error);
    pending.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'ready') return resolve();
      const caller = pending.get(reply.id);
      if (caller === undefined) return;
      pending.delete(reply.id);
      if (reply.kind === 'error') caller.reject(new Error(`ort-worker: ${reply.message}`));
      else settle(caller, reply.outputs[spec.outputName], spec.outputName);
    });
    worker.on('error', (error) => {
      failAll(error);
      reject(error);
    });
  });
  await ready;

  const inputs: Record<string, WireTensor> = {};
  for (const [name, input] of Object.entries(spec.inputs)) {
    inputs[name] = { type: 'float32', dims: input.dims, data: input.data };
  }
  return {
    name: 'ort-worker',
    infer() {
      if (failure !== undefined) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<Float32Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, inputs } satisfies WorkerRequest);
      });
    },
    async close() {
      await worker.terminate();
      failAll(new Error('ort-worker: closed'));
    },
  };
}

function settle(caller: Pending, output: WireTensor | undefined, name: string): void {
  if (output === undefined) caller.reject(new Error(`ort-worker: no output '${name}'`));
  else caller.resolve(output.data);
}

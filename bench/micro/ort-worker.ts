import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

import { float32Output, ORT_SESSION_OPTIONS } from './ort-path';
import type { WireTensor, WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol';

// The JS worker path as a JS team would build it: one session, requests handled in arrival order.
const port = parentPort;
if (port === null) throw new Error('ort-worker.js must run inside a worker_threads Worker');
const { file } = workerData as WorkerInit;

async function main(): Promise<void> {
  const session = await ort.InferenceSession.create(file, ORT_SESSION_OPTIONS);
  port!.on('message', (request: WorkerRequest) => {
    void answer(session, request);
  });
  port!.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

async function answer(session: ort.InferenceSession, { id, inputs }: WorkerRequest): Promise<void> {
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const results = await session.run(feeds);
    const outputs: Record<string, WireTensor> = {};
    for (const [name, value] of Object.entries(results)) {
      outputs[name] = { type: 'float32', dims: [...value.dims], data: float32Output(value, name) };
    }
    // Copied by structured clone: ORT's output buffers are small and may not be transferable.
    port!.postMessage({ kind: 'result', id, outputs } satisfies WorkerReply);
  } catch (error) {
    port!.postMessage({ kind: 'error', id, message: String(error) } satisfies WorkerReply);
  }
}

// A failed load rejects unhandled, which ends the worker and emits 'error' on the main side.
void main();

import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../../ts/protocol/tensor';
import { metadataOfSession } from '../ort-metadata';
import type { SessionWorkerInit, WorkerReply, WorkerRequest } from './worker-messages';

// One onnxruntime-node session in a worker_threads Worker, requests answered in arrival order:
// the way a JavaScript team keeps inference off the event loop.
const port = parentPort;
if (port === null) throw new Error('session-worker.js must run inside a worker_threads Worker');
const { file, threads } = workerData as SessionWorkerInit;

async function main(): Promise<void> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  port!.on('message', (request: WorkerRequest) => {
    void answer(session, request);
  });
  port!.postMessage({ kind: 'ready', metadata: metadataOfSession(session) } satisfies WorkerReply);
}

async function answer(session: ort.InferenceSession, { id, inputs, outputs }: WorkerRequest): Promise<void> {
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(inputs)) {
      feeds[name] = new ort.Tensor(tensor.type, tensor.data as ort.Tensor.DataType, tensor.dims);
    }
    const results = outputs === undefined ? await session.run(feeds) : await session.run(feeds, outputs);
    const answered: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(results)) {
      const tensor = value as ort.Tensor;
      answered[name] = { type: tensor.type, dims: [...tensor.dims], data: tensor.data } as Tensor;
    }
    // Copied by structured clone, as a JS team would post it.
    port!.postMessage({ kind: 'result', id, outputs: answered } satisfies WorkerReply);
  } catch (error) {
    port!.postMessage({ kind: 'error', id, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  }
}

// A failed load rejects unhandled: the worker ends and the main thread sees 'error'.
void main();

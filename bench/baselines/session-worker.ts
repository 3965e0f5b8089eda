import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../ts/protocol/tensor';
import { metadataOfSession } from '../servers/ort-metadata';
import { transferList, type SessionWorkerInit, type WorkerReply, type WorkerRequest } from './worker-messages';

// The JS worker path as a JavaScript developer writes it well: one onnxruntime-node session,
// created once and reused; requests answered in arrival order; every tensor buffer moved with
// a transfer list, inputs handed back for reuse.
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
    // onnxruntime-node's output arrays own their buffers: they move to the main thread uncopied.
    const transfer = [...transferList(answered), ...transferList(inputs)];
    port!.postMessage({ kind: 'result', id, outputs: answered, inputs } satisfies WorkerReply, transfer);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    port!.postMessage({ kind: 'error', id, message, inputs } satisfies WorkerReply, transferList(inputs));
  }
}

// A failed load rejects unhandled: the worker ends and the main thread sees 'error'.
void main();

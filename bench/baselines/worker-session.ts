import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelMetadata } from '../../ts/model-types';
import type { Tensor } from '../../ts/protocol/tensor';
import { ownedTensors, transferList, type SessionWorkerInit, type WorkerReply, type WorkerRequest } from './worker-messages';

/** What a run answers: the outputs, and the input tensors handed back (their buffers moved back). */
export interface WorkerRun {
  outputs: Record<string, Tensor>;
  inputs: Record<string, Tensor>;
}

interface Pending {
  resolve: (run: WorkerRun) => void;
  reject: (error: Error) => void;
}

/**
 * onnxruntime-node in one worker_threads Worker, called from the main thread: the JS worker
 * baseline of the microbenchmark, the batching benchmark and the JS worker server. Inputs are
 * moved to the worker (transfer list), never structured-cloned; the caller must not touch them
 * until the run settles and hands them back.
 */
export class WorkerSession {
  readonly metadata: ModelMetadata;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(worker: Worker, metadata: ModelMetadata) {
    this.worker = worker;
    this.metadata = metadata;
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(error));
  }

  /** Starts a worker that loads `file` with `threads` intra-op threads. */
  static async start(file: string, threads: number): Promise<WorkerSession> {
    // Compiled, the worker is session-worker.js beside this file; from the sources (the tests), tsx loads the .ts.
    const fromSources = path.extname(__filename) === '.ts';
    const script = path.join(__dirname, fromSources ? 'session-worker.ts' : 'session-worker.js');
    const worker = new Worker(script, { workerData: { file, threads } satisfies SessionWorkerInit, execArgv: fromSources ? ['--require', 'tsx/cjs'] : [] });
    const metadata = await new Promise<ModelMetadata>((resolve, reject) => {
      worker.once('message', (reply: WorkerReply) =>
        reply.kind === 'ready' ? resolve(reply.metadata) : reject(new Error(`unexpected first message ${reply.kind}`)),
      );
      worker.once('error', reject);
    });
    return new WorkerSession(worker, metadata);
  }

  /** Calls in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Runs the model on `inputs`. Arrays that own their buffer are moved, views into larger buffers
   * copied once first (moving would take the rest of the buffer along).
   */
  run(inputs: Record<string, Tensor>, outputs?: string[]): Promise<WorkerRun> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    const owned = ownedTensors(inputs);
    return new Promise<WorkerRun>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, inputs: owned, outputs } satisfies WorkerRequest, transferList(owned));
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
    this.failAll(new Error('the worker session was closed'));
  }

  private settle(reply: WorkerReply): void {
    if (reply.kind === 'ready') return;
    const caller = this.pending.get(reply.id);
    if (caller === undefined) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'error') caller.reject(new Error(`onnxruntime-node: ${reply.message}`));
    else caller.resolve({ outputs: reply.outputs, inputs: reply.inputs });
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const caller of this.pending.values()) caller.reject(error);
    this.pending.clear();
  }
}

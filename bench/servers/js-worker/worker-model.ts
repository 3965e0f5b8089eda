import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ProtonError } from '../../../ts/errors';
import type { Model } from '../../../ts/model';
import type { InferInputs, InferOptions, InferOutputs, ModelMetadata, ModelStats } from '../../../ts/model-types';
import type { SessionWorkerInit, WorkerReply, WorkerRequest } from './worker-messages';

interface Pending {
  resolve: (outputs: InferOutputs) => void;
  reject: (error: Error) => void;
}

/**
 * A model served by onnxruntime-node in its own worker_threads Worker, with the public surface
 * of Proton's `Model` that the REST and gRPC front-ends use (metadata, infer, ready, stats, close).
 * Timeouts and cancellation are ignored, as in a typical JS implementation.
 */
export class WorkerModel {
  readonly metadata: ModelMetadata;
  readonly path: string;
  readonly maxBatchSize = 0;

  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private executions = 0;
  private closing: Promise<void> | undefined;

  private constructor(worker: Worker, file: string, metadata: ModelMetadata) {
    this.worker = worker;
    this.path = file;
    this.metadata = metadata;
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (error) => this.failAll(error));
  }

  /** Starts a worker that loads `file` with `threads` intra-op threads. */
  static async start(file: string, threads: number): Promise<WorkerModel> {
    const worker = new Worker(path.join(__dirname, 'session-worker.js'), {
      workerData: { file, threads } satisfies SessionWorkerInit,
    });
    const metadata = await new Promise<ModelMetadata>((resolve, reject) => {
      worker.once('message', (reply: WorkerReply) =>
        reply.kind === 'ready' ? resolve(reply.metadata) : reject(new Error(`unexpected first message ${reply.kind}`)),
      );
      worker.once('error', reject);
    });
    return new WorkerModel(worker, file, metadata);
  }

  /** Proton's front-ends take a `Model`; this class has its public surface (Model's private fields aside). */
  asModel(): Model {
    return this as unknown as Model;
  }

  get ready(): boolean {
    return this.closing === undefined;
  }

  infer(inputs: InferInputs, options?: InferOptions): Promise<InferOutputs> {
    if (this.closing !== undefined) return Promise.reject(new ProtonError('UNAVAILABLE', 'the model is closed'));
    const id = this.nextId++;
    return new Promise<InferOutputs>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, inputs, outputs: options?.outputs } satisfies WorkerRequest);
    });
  }

  stats(): ModelStats {
    return { executions: this.executions, inferences: this.executions, batchSizes: [], pending: this.pending.size };
  }

  close(): Promise<void> {
    this.closing ??= this.worker.terminate().then(() => this.failAll(new Error('the worker was terminated')));
    return this.closing;
  }

  private settle(reply: WorkerReply): void {
    if (reply.kind === 'ready') return;
    const caller = this.pending.get(reply.id);
    if (caller === undefined) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'error') {
      caller.reject(new ProtonError('INTERNAL', `onnxruntime-node: ${reply.message}`));
      return;
    }
    this.executions++;
    caller.resolve(reply.outputs);
  }

  private failAll(error: Error): void {
    for (const caller of this.pending.values()) caller.reject(error);
    this.pending.clear();
  }
}

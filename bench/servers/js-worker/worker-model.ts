import { ProtonError } from '../../../ts/errors';
import type { Model } from '../../../ts/model';
import type { InferInputs, InferOptions, InferOutputs, ModelMetadata, ModelStats } from '../../../ts/model-types';
import { WorkerSession } from '../../baselines/worker-session';

/**
 * A model served by onnxruntime-node in its own worker_threads Worker (bench/baselines), with the
 * public surface of Proton's `Model` that the REST and gRPC front-ends use (metadata, infer, ready,
 * stats, close). Timeouts and cancellation are ignored, as in a typical JS implementation.
 */
export class WorkerModel {
  readonly metadata: ModelMetadata;
  readonly path: string;
  readonly maxBatchSize = 0;

  private readonly session: WorkerSession;
  private executions = 0;
  private closing: Promise<void> | undefined;

  private constructor(session: WorkerSession, file: string) {
    this.session = session;
    this.path = file;
    this.metadata = session.metadata;
  }

  /** Starts a worker that loads `file` with `threads` intra-op threads. */
  static async start(file: string, threads: number): Promise<WorkerModel> {
    return new WorkerModel(await WorkerSession.start(file, threads), file);
  }

  /** Proton's front-ends take a `Model`; this class has its public surface (Model's private fields aside). */
  asModel(): Model {
    return this as unknown as Model;
  }

  get ready(): boolean {
    return this.closing === undefined;
  }

  async infer(inputs: InferInputs, options?: InferOptions): Promise<InferOutputs> {
    if (this.closing !== undefined) throw new ProtonError('UNAVAILABLE', 'the model is closed');
    try {
      const { outputs } = await this.session.run(inputs, options?.outputs);
      this.executions++;
      return outputs;
    } catch (error) {
      throw new ProtonError('INTERNAL', error instanceof Error ? error.message : String(error));
    }
  }

  stats(): ModelStats {
    return { executions: this.executions, inferences: this.executions, batchSizes: [], pending: this.session.inFlight };
  }

  close(): Promise<void> {
    this.closing ??= this.session.close();
    return this.closing;
  }
}

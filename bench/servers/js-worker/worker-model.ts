import type { InferInputs, InferOutputs } from '../../../ts/model-types';
import { WorkerSession } from '../../baselines/worker-session';
import { BaselineModel } from './baseline-model';

/** A model served by onnxruntime-node in its own worker_threads Worker (bench/baselines). */
export class WorkerModel extends BaselineModel {
  private constructor(private readonly session: WorkerSession, file: string) {
    super(session.metadata, file);
  }

  /** Starts a worker that loads `file` with `threads` intra-op threads. */
  static async start(file: string, threads: number): Promise<WorkerModel> {
    return new WorkerModel(await WorkerSession.start(file, threads), file);
  }

  protected async run(inputs: InferInputs, outputs: readonly string[] | undefined): Promise<InferOutputs> {
    return (await this.session.run(inputs, outputs === undefined ? undefined : [...outputs])).outputs;
  }

  protected release(): Promise<void> {
    return this.session.close();
  }
}

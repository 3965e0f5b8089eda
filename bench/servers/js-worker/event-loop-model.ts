import * as ort from 'onnxruntime-node';
import { ProtonError } from '../../../ts/errors';
import type { Model } from '../../../ts/model';
import type { InferInputs, InferOptions, InferOutputs, ModelMetadata, ModelStats } from '../../../ts/model-types';
import type { Tensor } from '../../../ts/protocol/tensor';
import { metadataOfSession } from '../ort-metadata';

/**
 * onnxruntime-node awaited on the event loop, behind the same front-ends: the simplest way a
 * JavaScript team serves a model (`session.run` of onnxruntime-node 1.30 runs on the JS thread).
 */
export class EventLoopModel {
  readonly metadata: ModelMetadata;
  readonly path: string;
  readonly maxBatchSize = 0;

  private readonly session: ort.InferenceSession;
  private executions = 0;
  private pending = 0;
  private closing: Promise<void> | undefined;

  private constructor(session: ort.InferenceSession, file: string) {
    this.session = session;
    this.path = file;
    this.metadata = metadataOfSession(session);
  }

  static async start(file: string, threads: number): Promise<EventLoopModel> {
    return new EventLoopModel(await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1 }), file);
  }

  asModel(): Model {
    return this as unknown as Model;
  }

  get ready(): boolean {
    return this.closing === undefined;
  }

  async infer(inputs: InferInputs, options?: InferOptions): Promise<InferOutputs> {
    if (this.closing !== undefined) throw new ProtonError('UNAVAILABLE', 'the model is closed');
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(inputs)) feeds[name] = new ort.Tensor(tensor.type, tensor.data as ort.Tensor.DataType, tensor.dims);
    this.pending++;
    try {
      const results = options?.outputs === undefined ? await this.session.run(feeds) : await this.session.run(feeds, options.outputs);
      this.executions++;
      const outputs: InferOutputs = {};
      for (const [name, value] of Object.entries(results)) {
        const tensor = value as ort.Tensor;
        outputs[name] = { type: tensor.type, dims: [...tensor.dims], data: tensor.data } as Tensor;
      }
      return outputs;
    } catch (error) {
      throw new ProtonError('INTERNAL', `onnxruntime-node: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.pending--;
    }
  }

  stats(): ModelStats {
    return { executions: this.executions, inferences: this.executions, batchSizes: [], pending: this.pending };
  }

  close(): Promise<void> {
    this.closing ??= this.session.release();
    return this.closing;
  }
}

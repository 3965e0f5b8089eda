import * as ort from 'onnxruntime-node';
import type { InferInputs, InferOutputs } from '../../../ts/model-types';
import type { Tensor } from '../../../ts/protocol/tensor';
import { metadataOfSession } from '../ort-metadata';
import { BaselineModel } from './baseline-model';

/**
 * onnxruntime-node awaited on the event loop, behind the same front-ends: the simplest way a
 * JavaScript team serves a model (`session.run` of onnxruntime-node 1.30 runs on the JS thread).
 */
export class EventLoopModel extends BaselineModel {
  private constructor(private readonly session: ort.InferenceSession, file: string) {
    super(metadataOfSession(session), file);
  }

  static async start(file: string, threads: number): Promise<EventLoopModel> {
    return new EventLoopModel(await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1 }), file);
  }

  protected async run(inputs: InferInputs, outputs: readonly string[] | undefined): Promise<InferOutputs> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(inputs)) feeds[name] = new ort.Tensor(tensor.type, tensor.data as ort.Tensor.DataType, tensor.dims);
    const results = outputs === undefined ? await this.session.run(feeds) : await this.session.run(feeds, [...outputs]);
    const answer: InferOutputs = {};
    for (const [name, value] of Object.entries(results)) {
      const tensor = value as ort.Tensor;
      answer[name] = { type: tensor.type, dims: [...tensor.dims], data: tensor.data } as Tensor;
    }
    return answer;
  }

  protected release(): Promise<void> {
    return this.session.release();
  }
}

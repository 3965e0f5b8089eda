import { ProtonError } from '../../../ts/errors';
import type { InferInputs, InferOptions, InferOutputs, ModelMetadata, ModelStatistics, TimedInferResult } from '../../../ts/model-types';
import type { ServableModel } from '../../../ts/repository/served-model';

/**
 * A baseline served behind Proton's front-ends: onnxruntime-node run the way a JavaScript team
 * would, with the surface the registry serves. Timeouts and cancellation are ignored, as in a
 * typical JS implementation; the whole run counts as compute (there is no queue to observe).
 */
export abstract class BaselineModel implements ServableModel {
  readonly maxBatchSize = 0;
  private closing: Promise<void> | undefined;
  private executions = 0;
  private pending = 0;
  private computeNs = 0;
  private lastInferenceMs = 0;

  protected constructor(
    readonly metadata: ModelMetadata,
    readonly path: string,
  ) {}

  /** One inference the baseline's way. */
  protected abstract run(inputs: InferInputs, outputs: readonly string[] | undefined): Promise<InferOutputs>;
  /** Releases the session or worker. */
  protected abstract release(): Promise<void>;

  get ready(): boolean {
    return this.closing === undefined;
  }

  async infer(inputs: InferInputs, options?: InferOptions): Promise<InferOutputs> {
    return (await this.inferWithTiming(inputs, options)).outputs;
  }

  async inferWithTiming(inputs: InferInputs, options?: InferOptions): Promise<TimedInferResult> {
    if (this.closing !== undefined) throw new ProtonError('UNAVAILABLE', 'the model is closed');
    const started = process.hrtime.bigint();
    this.pending++;
    try {
      const outputs = await this.run(inputs, options?.outputs);
      const ns = Number(process.hrtime.bigint() - started);
      this.executions++;
      this.computeNs += ns;
      this.lastInferenceMs = Date.now();
      return { outputs, timing: { queueNs: 0, computeInputNs: 0, computeInferNs: ns, computeOutputNs: 0 } };
    } catch (error) {
      throw new ProtonError('INTERNAL', `onnxruntime-node: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.pending--;
    }
  }

  stats(): ModelStatistics {
    const count = this.executions;
    const none = { count: 0, ns: 0 };
    const compute = { count, ns: this.computeNs };
    return {
      executions: count,
      inferences: count,
      batchSizes: [0, count],
      pending: this.pending,
      lastInferenceMs: this.lastInferenceMs,
      inferenceStats: { success: compute, fail: none, queue: { count, ns: 0 }, computeInput: { count, ns: 0 }, computeInfer: compute, computeOutput: { count, ns: 0 } },
      batchStats: count > 0 ? [{ batchSize: 1, computeInput: { count, ns: 0 }, computeInfer: compute, computeOutput: { count, ns: 0 } }] : [],
      instanceExecutions: [count],
      // The baseline keeps no per-request durations: its histograms stay empty.
      latencyHistograms: { queue: { counts: [], sumNs: 0 }, computeInfer: { counts: [], sumNs: 0 } },
    };
  }

  close(): Promise<void> {
    this.closing ??= this.release();
    return this.closing;
  }
}

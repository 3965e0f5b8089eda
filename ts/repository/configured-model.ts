import { ProtonError } from '../errors';
import type { Model } from '../model';
import type {
  InferInputs,
  InferOptions,
  InferOutputs,
  ModelLoadOptions,
  ModelMetadata,
  ModelStatistics,
  TimedInferResult,
} from '../model-types';
import type { ModelConfig } from '../gen/model_config_pb';
import type { LoadPlan } from './config-options';
import type { ServableModel } from './served-model';

/**
 * A loaded version with the request policy of its ModelConfig: the batch limit of
 * max_batch_size and the queue policy's default timeout. Everything else is the `Model`'s.
 */
export class ConfiguredModel implements ServableModel {
  /** The effective configuration (what `/v2/models/{m}/config` answers). */
  readonly config: ModelConfig;
  /** The `Model.load` options the configuration mapped to. */
  readonly loadOptions: Readonly<ModelLoadOptions>;
  private readonly policy: LoadPlan['requestPolicy'];

  constructor(
    private readonly model: Pick<Model, 'metadata' | 'path' | 'ready' | 'maxBatchSize' | 'infer' | 'inferWithTiming' | 'stats' | 'close'>,
    plan: LoadPlan,
    config: ModelConfig,
  ) {
    this.config = config;
    this.loadOptions = plan.options;
    this.policy = plan.requestPolicy;
  }

  get metadata(): ModelMetadata {
    return this.model.metadata;
  }

  get path(): string {
    return this.model.path;
  }

  get ready(): boolean {
    return this.model.ready;
  }

  get maxBatchSize(): number {
    return this.model.maxBatchSize;
  }

  infer(inputs: InferInputs, options?: InferOptions): Promise<InferOutputs> {
    const refusal = this.batchRefusal(inputs);
    return refusal ?? this.model.infer(inputs, this.withPolicy(options));
  }

  inferWithTiming(inputs: InferInputs, options?: InferOptions): Promise<TimedInferResult> {
    const refusal = this.batchRefusal(inputs);
    return refusal ?? this.model.inferWithTiming(inputs, this.withPolicy(options));
  }

  /** With dynamic batching off the worker does not check max_batch_size, so it is checked here. */
  private batchRefusal(inputs: InferInputs): Promise<never> | undefined {
    const { maxBatchSize } = this.policy;
    if (maxBatchSize === 0 || this.model.maxBatchSize !== 0) return undefined;
    for (const [name, tensor] of Object.entries(inputs)) {
      const batch = tensor?.dims?.[0];
      if (typeof batch === 'number' && batch > maxBatchSize) {
        return Promise.reject(new ProtonError('INVALID_ARGUMENT', `input '${name}': batch size ${batch} exceeds max_batch_size ${maxBatchSize}`));
      }
    }
    return undefined;
  }

  /** The queue policy's timeout applied to the request's options. */
  private withPolicy(options: InferOptions | undefined): InferOptions | undefined {
    const { mode, defaultTimeoutUs } = this.policy;
    if (mode === 'request') return options;
    const defaultMs = defaultTimeoutUs / 1000;
    const requested = options?.timeoutMs ?? 0;
    const timeoutMs =
      mode === 'override-shorter' && requested > 0 && (defaultMs === 0 || requested < defaultMs) ? requested : defaultMs;
    return { ...options, timeoutMs };
  }

  stats(): ModelStatistics {
    return this.model.stats();
  }

  close(): Promise<void> {
    return this.model.close();
  }
}

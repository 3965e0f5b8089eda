import {
  ModelInstanceGroup_Kind,
  ModelQueuePolicy_TimeoutAction,
  type ModelConfig,
  type ModelInput,
  type ModelOutput,
} from '../gen/model_config_pb';
import type { ModelLoadOptions } from '../model-types';
import { configIssue, type ConfigSource } from './config-source';
import { dataTypeName, tensorTypeOf } from './config-datatype';
import { checkComponent } from './path-confinement';

/** How a ModelConfig's queue policy treats each request's own timeout. */
export interface RequestPolicy {
  /**
   * Largest batch (first dimension) a request may carry; 0 when the model does not batch
   * (max_batch_size 0). Enforced even without dynamic batching, as Triton does.
   */
  readonly maxBatchSize: number;
  /** default_timeout_microseconds; 0: none. */
  readonly defaultTimeoutUs: number;
  /**
   * Without a default_queue_policy, a request's own timeout applies as given (Proton's behaviour).
   * With one: allow_timeout_override false ignores it and applies the default; true lets a
   * request shorten (never lengthen) the default.
   */
  readonly mode: 'request' | 'default-only' | 'override-shorter';
}

/** A ModelConfig turned into `Model.load` options and the per-request policy. */
export interface LoadPlan {
  readonly options: ModelLoadOptions;
  readonly requestPolicy: RequestPolicy;
}

const PLATFORMS = ['', 'onnxruntime_onnx'];
const BACKENDS = ['', 'onnxruntime'];
/** The ONNX Runtime backend's `parameters` keys Proton applies. */
const PARAMETER_KEYS = ['intra_op_thread_count', 'inter_op_thread_count', 'execution_mode'] as const;
const MAX_BATCH = 1 << 16;
const MAX_QUEUE_DELAY_US = 60_000_000n;
const MAX_TIMEOUT_US = 3_600_000_000n;

/**
 * Validates the parts of a ModelConfig that need no model metadata and maps them to
 * `Model.load` options. Every value Proton cannot apply is an INVALID_ARGUMENT naming the field.
 */
export function planLoad(config: ModelConfig, source: ConfigSource, folderName?: string): LoadPlan {
  if (folderName !== undefined && config.name !== '' && config.name !== folderName) {
    throw configIssue(source, 'name', `'${config.name}' differs from the model folder '${folderName}'`);
  }
  if (!PLATFORMS.includes(config.platform)) {
    throw configIssue(source, 'platform', `'${config.platform}' is not supported (Proton serves onnxruntime_onnx)`, config.platform);
  }
  if (!BACKENDS.includes(config.backend)) {
    throw configIssue(source, 'backend', `'${config.backend}' is not supported (Proton serves onnxruntime)`, config.backend);
  }
  if (config.defaultModelFilename !== '') {
    try {
      checkComponent(config.defaultModelFilename, 'default_model_filename');
    } catch (error) {
      throw configIssue(source, 'default_model_filename', (error as Error).message);
    }
  }
  if (config.maxBatchSize < 0 || config.maxBatchSize > MAX_BATCH) {
    throw configIssue(source, 'max_batch_size', `must be between 0 and ${MAX_BATCH}`);
  }
  config.input.forEach((tensor, index) => checkTensor(tensor, `input[${index}]`, source));
  config.output.forEach((tensor, index) => checkTensor(tensor, `output[${index}]`, source));

  const options: ModelLoadOptions = {};
  let requestPolicy: RequestPolicy = { maxBatchSize: config.maxBatchSize, defaultTimeoutUs: 0, mode: 'request' };
  if (config.schedulingChoice.case === 'dynamicBatching') {
    const batching = config.schedulingChoice.value;
    if (config.maxBatchSize === 0) throw configIssue(source, 'dynamic_batching', 'needs max_batch_size > 0');
    options.maxBatchSize = config.maxBatchSize;
    batching.preferredBatchSize.forEach((size, index) => {
      if (size < 1 || size > config.maxBatchSize) {
        throw configIssue(source, `dynamic_batching.preferred_batch_size[${index}]`, `${size} is outside 1..max_batch_size (${config.maxBatchSize})`);
      }
    });
    if (batching.preferredBatchSize.length > 0) options.preferredBatchSizes = [...batching.preferredBatchSize];
    if (batching.maxQueueDelayMicroseconds > MAX_QUEUE_DELAY_US) {
      throw configIssue(source, 'dynamic_batching.max_queue_delay_microseconds', `must be at most ${MAX_QUEUE_DELAY_US}`);
    }
    options.maxQueueDelayUs = Number(batching.maxQueueDelayMicroseconds);
    const policy = batching.defaultQueuePolicy;
    if (policy !== undefined) {
      const at = 'dynamic_batching.default_queue_policy';
      if (policy.timeoutAction !== ModelQueuePolicy_TimeoutAction.REJECT) {
        throw configIssue(source, `${at}.timeout_action`, 'DELAY is not supported (Proton rejects timed-out requests: REJECT)', 'DELAY');
      }
      if (policy.defaultTimeoutMicroseconds > MAX_TIMEOUT_US) {
        throw configIssue(source, `${at}.default_timeout_microseconds`, `must be at most ${MAX_TIMEOUT_US}`);
      }
      // Triton's 0 means unbounded; Proton's queue is always bounded, so 0 keeps the default capacity.
      if (policy.maxQueueSize > 0) options.queueCapacity = Math.min(policy.maxQueueSize, 1 << 24);
      requestPolicy = {
        maxBatchSize: config.maxBatchSize,
        defaultTimeoutUs: Number(policy.defaultTimeoutMicroseconds),
        mode: policy.allowTimeoutOverride ? 'override-shorter' : 'default-only',
      };
    }
  }

  let instances = 0;
  config.instanceGroup.forEach((group, index) => {
    const at = `instance_group[${index}]`;
    if (group.kind !== ModelInstanceGroup_Kind.CPU && group.kind !== ModelInstanceGroup_Kind.AUTO) {
      const kind = `KIND_${ModelInstanceGroup_Kind[group.kind] ?? String(group.kind)}`;
      throw configIssue(source, `${at}.kind`, `${kind} is not supported (Proton runs instances on CPU: KIND_CPU)`, kind);
    }
    if (group.count < 0) throw configIssue(source, `${at}.count`, 'must be positive');
    instances += group.count === 0 ? 1 : group.count;
  });
  if (instances > 256) throw configIssue(source, 'instance_group', `${instances} instances in all; at most 256`);
  if (instances > 0) options.instances = instances;

  for (const [key, parameter] of Object.entries(config.parameters)) {
    const at = `parameters["${key}"]`;
    const value = parameter.stringValue.trim();
    switch (key as (typeof PARAMETER_KEYS)[number]) {
      case 'intra_op_thread_count':
      case 'inter_op_thread_count': {
        const count = Number(value);
        if (!/^\d+$/.test(value) || count > 1024) throw configIssue(source, at, `expected a thread count (0 to 1024), got '${value}'`, key);
        // 0 is ONNX Runtime's "choose for me"; Proton's defaults (1) apply instead of a core count.
        if (count > 0) options[key === 'intra_op_thread_count' ? 'intraOpNumThreads' : 'interOpNumThreads'] = count;
        break;
      }
      case 'execution_mode':
        if (value !== '0' && value !== '1') throw configIssue(source, at, `expected 0 (sequential) or 1 (parallel), got '${value}'`, key);
        options.executionMode = value === '1' ? 'parallel' : 'sequential';
        break;
      default:
        throw configIssue(source, at, `unknown parameter (Proton applies ${PARAMETER_KEYS.join(', ')})`, key);
    }
  }
  return { options, requestPolicy };
}

function checkTensor(tensor: ModelInput | ModelOutput, at: string, source: ConfigSource): void {
  if (tensor.name === '') throw configIssue(source, `${at}.name`, 'is required');
  if (tensorTypeOf(tensor.dataType) === undefined) {
    const name = dataTypeName(tensor.dataType);
    throw configIssue(source, `${at}.data_type`, `${name} is not supported`, name);
  }
  tensor.dims.forEach((dim, index) => {
    if (dim < -1n || dim === 0n || dim > 1n << 31n) throw configIssue(source, `${at}.dims[${index}]`, `${dim} is not a size (positive, or -1 for dynamic)`);
  });
  if (tensor.reshape !== undefined) {
    throw configIssue(source, `${at}.reshape`, 'is not supported by Proton (the model must take the shape clients send)');
  }
}

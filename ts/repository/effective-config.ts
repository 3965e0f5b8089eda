import { create, ScalarType, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';

import {
  ModelConfigSchema,
  ModelDynamicBatchingSchema,
  ModelInstanceGroupSchema,
  ModelInstanceGroup_Kind,
  ModelParameterSchema,
  ModelQueuePolicySchema,
  ModelVersionPolicySchema,
  type ModelConfig,
} from '../gen/model_config_pb';
import type { ModelLoadOptions, ModelMetadata } from '../model-types';
import { completeConfig } from './config-metadata';
import { DEFAULT_MODEL_FILENAME } from './repository-layout';

/**
 * The configuration a loaded model runs with, as Triton's ModelConfig, whatever it came from:
 * Triton's defaults made explicit (platform, backend, version policy, one CPU instance, file name).
 */
export function effectiveConfig(name: string, config: ModelConfig, metadata: ModelMetadata, autoBatch: boolean): ModelConfig {
  const out = completeConfig(config, metadata, autoBatch);
  out.name = name;
  out.platform = 'onnxruntime_onnx';
  out.backend = 'onnxruntime';
  out.versionPolicy ??= create(ModelVersionPolicySchema, { policyChoice: { case: 'latest', value: { numVersions: 1 } } });
  if (out.instanceGroup.length === 0) out.instanceGroup = [create(ModelInstanceGroupSchema, { count: 1 })];
  out.instanceGroup.forEach((group, index) => {
    if (group.name === '') group.name = `${name}_${index}`;
    if (group.count === 0) group.count = 1;
    group.kind = ModelInstanceGroup_Kind.CPU;
  });
  if (out.defaultModelFilename === '') out.defaultModelFilename = DEFAULT_MODEL_FILENAME;
  return out;
}

/**
 * The ModelConfig of a model from the YAML configuration (or `Model.load` options): the same
 * message shape a config.pbtxt model yields.
 */
export function configFromLoadOptions(name: string, metadata: ModelMetadata, options: ModelLoadOptions, file: string): ModelConfig {
  const config = create(ModelConfigSchema, { maxBatchSize: options.maxBatchSize ?? 0 });
  if (config.maxBatchSize > 0) {
    config.schedulingChoice = {
      case: 'dynamicBatching',
      value: create(ModelDynamicBatchingSchema, {
        preferredBatchSize: options.preferredBatchSizes ?? [],
        maxQueueDelayMicroseconds: BigInt(options.maxQueueDelayUs ?? 0),
        ...(options.queueCapacity !== undefined ? { defaultQueuePolicy: create(ModelQueuePolicySchema, { maxQueueSize: options.queueCapacity }) } : {}),
      }),
    };
  }
  if (options.instances !== undefined) {
    config.instanceGroup = [create(ModelInstanceGroupSchema, { count: options.instances, kind: ModelInstanceGroup_Kind.CPU })];
  }
  const parameter = (key: string, value: string | number | undefined): void => {
    if (value !== undefined) config.parameters[key] = create(ModelParameterSchema, { stringValue: String(value) });
  };
  parameter('intra_op_thread_count', options.intraOpNumThreads);
  parameter('inter_op_thread_count', options.interOpNumThreads);
  if (options.executionMode !== undefined) parameter('execution_mode', options.executionMode === 'parallel' ? 1 : 0);
  const out = effectiveConfig(name, config, metadata, false);
  out.defaultModelFilename = file.split(/[\\/]/).pop() ?? DEFAULT_MODEL_FILENAME;
  return out;
}

/**
 * ModelConfig as JSON with proto field names (`max_batch_size`), as Triton's config endpoint
 * answers: int64 fields as JSON numbers (Triton rewrites protobuf's int64 strings, and clients
 * such as perf_analyzer read `dims` as numbers).
 */
export function configToJson(config: ModelConfig): JsonValue {
  return int64AsNumbers(ModelConfigSchema, toJson(ModelConfigSchema, config, { useProtoFieldName: true, alwaysEmitImplicit: true }));
}

const INT64_SCALARS: ReadonlySet<ScalarType> = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);

/** Numbers for protobuf-JSON's int64 strings, walking `json` along `schema` (proto field names). */
function int64AsNumbers(schema: DescMessage, json: JsonValue): JsonValue {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  const out: Record<string, JsonValue> = { ...json };
  for (const field of schema.fields) {
    const value = out[field.name];
    if (value === undefined) continue;
    const convert = (item: JsonValue): JsonValue => {
      if (field.message !== undefined) return int64AsNumbers(field.message, item);
      return field.scalar !== undefined && INT64_SCALARS.has(field.scalar) && typeof item === 'string' ? Number(item) : item;
    };
    if (field.fieldKind === 'map') {
      if (field.mapKind === 'message' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        out[field.name] = Object.fromEntries(Object.entries(value).map(([key, item]) => [key, int64AsNumbers(field.message, item)]));
      }
    } else if (Array.isArray(value)) {
      out[field.name] = value.map(convert);
    } else {
      out[field.name] = convert(value);
    }
  }
  return out;
}

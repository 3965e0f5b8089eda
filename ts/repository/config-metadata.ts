import { clone, create } from '@bufbuild/protobuf';

import {
  ModelConfigSchema,
  ModelDynamicBatchingSchema,
  ModelInputSchema,
  ModelOutputSchema,
  type ModelConfig,
  type ModelInput,
  type ModelOutput,
} from '../gen/model_config_pb';
import type { ModelMetadata, TensorInfo } from '../model-types';
import { dataTypeName, dataTypeOf, tensorTypeOf } from './config-datatype';
import { configIssue, type ConfigSource } from './config-source';

/** Triton's ONNX Runtime backend gives a batching-capable model this max_batch_size (--backend-config default-max-batch-size). */
export const AUTO_MAX_BATCH_SIZE = 4;

/** -1 for a dynamic dimension (ONNX names it or leaves it -1). */
function configDim(dim: number | string): bigint {
  return typeof dim === 'number' && dim >= 0 ? BigInt(dim) : -1n;
}

/** True when every input and output has a dynamic first dimension: the model can take batches. */
export function supportsBatching(metadata: ModelMetadata): boolean {
  return [...metadata.inputs, ...metadata.outputs].every((t) => t.shape.length > 0 && configDim(t.shape[0]!) === -1n);
}

function tensorFields(info: TensorInfo, maxBatchSize: number): { name: string; dataType: ReturnType<typeof dataTypeOf>; dims: bigint[] } {
  const dims = info.shape.map(configDim);
  return { name: info.name, dataType: dataTypeOf(info.type), dims: maxBatchSize > 0 ? dims.slice(1) : dims };
}

/**
 * Fills in what a ModelConfig leaves out from the model itself, as Triton's ONNX auto-complete
 * does: inputs and outputs when none are listed, and (only with `autoBatch`, i.e. no config file)
 * max_batch_size 4 with dynamic batching when the model has a dynamic first dimension everywhere.
 */
export function completeConfig(config: ModelConfig, metadata: ModelMetadata, autoBatch: boolean): ModelConfig {
  const out = clone(ModelConfigSchema, config);
  if (autoBatch && out.maxBatchSize === 0 && supportsBatching(metadata)) {
    out.maxBatchSize = AUTO_MAX_BATCH_SIZE;
    out.schedulingChoice = { case: 'dynamicBatching', value: create(ModelDynamicBatchingSchema) };
  }
  if (out.input.length === 0) out.input = metadata.inputs.map((info) => create(ModelInputSchema, tensorFields(info, out.maxBatchSize)));
  if (out.output.length === 0) out.output = metadata.outputs.map((info) => create(ModelOutputSchema, tensorFields(info, out.maxBatchSize)));
  return out;
}

/**
 * Checks a ModelConfig against the loaded model: every configured input and output exists with
 * the same data type and compatible dims (plus the batch dimension when max_batch_size > 0), and
 * every model input is configured.
 */
export function checkConfigAgainstModel(config: ModelConfig, metadata: ModelMetadata, source: ConfigSource): void {
  const batching = config.maxBatchSize > 0;
  const check = (tensors: Array<ModelInput | ModelOutput>, infos: TensorInfo[], kind: 'input' | 'output'): void => {
    tensors.forEach((tensor, index) => {
      const at = `${kind}[${index}]`;
      const info = infos.find((candidate) => candidate.name === tensor.name);
      if (info === undefined) {
        throw configIssue(source, `${at}.name`, `the model has no ${kind} '${tensor.name}' (it has ${infos.map((i) => `'${i.name}'`).join(', ')})`, tensor.name);
      }
      if (tensorTypeOf(tensor.dataType) !== info.type) {
        throw configIssue(source, `${at}.data_type`, `${dataTypeName(tensor.dataType)} does not match the model's ${info.type} ${kind} '${info.name}'`, dataTypeName(tensor.dataType));
      }
      const modelDims = info.shape.map(configDim);
      if (batching && (modelDims.length === 0 || modelDims[0] !== -1n)) {
        throw configIssue(source, 'max_batch_size', `${config.maxBatchSize} needs a dynamic first dimension, but ${kind} '${info.name}' has shape [${info.shape.join(',')}]`);
      }
      const expected = batching ? modelDims.slice(1) : modelDims;
      const compatible =
        expected.length === tensor.dims.length && expected.every((dim, d) => dim === -1n || tensor.dims[d] === -1n || tensor.dims[d] === dim);
      if (!compatible) {
        throw configIssue(source, `${at}.dims`, `[${tensor.dims.join(',')}] does not match the model's ${kind} '${info.name}' [${expected.join(',')}]${batching ? ' (without the batch dimension)' : ''}`);
      }
    });
  };
  check(config.input, metadata.inputs, 'input');
  check(config.output, metadata.outputs, 'output');
  const missing = metadata.inputs.find((info) => !config.input.some((tensor) => tensor.name === info.name));
  if (missing !== undefined) throw configIssue(source, 'input', `the model's input '${missing.name}' is not configured`);
}

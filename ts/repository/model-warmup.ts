import { readFileSync, statSync } from 'node:fs';

import type { ModelConfig, ModelWarmup } from '../gen/model_config_pb';
import type { InferInputs } from '../model-types';
import { seededRandom } from '../seeded-random';
import { TYPED_ARRAY_OF } from '../protocol/datatypes';
import { decodeRawTensor } from '../protocol/raw-codec';
import { elementCount, type Tensor, type TensorData } from '../protocol/tensor';
import { dataTypeName, tensorTypeOf } from './config-datatype';
import { configIssue, type ConfigSource } from './config-source';
import { confinedPath } from './path-confinement';
import type { ServableModel } from './served-model';

/** Largest warmup tensor Proton builds: a warmup sample is one request, not a data set. */
const MAX_WARMUP_BYTES = 256 * 1024 * 1024;

/** Where `input_data_file` is read from: `<model folder>/warmup/<file>`, as in Triton. */
export interface WarmupFiles {
  readonly root: string;
  readonly modelName: string;
}

/**
 * Runs every `model_warmup` sample (`count` times, at least once) on a freshly loaded version
 * before it takes traffic. Any failure rejects: the version is not published.
 */
export async function runWarmup(model: ServableModel, config: ModelConfig, source: ConfigSource, files: WarmupFiles | undefined): Promise<void> {
  for (const [index, sample] of config.modelWarmup.entries()) {
    const inputs = warmupInputs(sample, index, config, source, files);
    const runs = Math.max(1, sample.count);
    for (let run = 0; run < runs; run++) {
      try {
        await model.infer(inputs);
      } catch (error) {
        throw configIssue(source, `model_warmup[${index}]`, `sample '${sample.name}' failed: ${(error as Error).message}`, sample.name);
      }
    }
  }
}

function warmupInputs(sample: ModelWarmup, index: number, config: ModelConfig, source: ConfigSource, files: WarmupFiles | undefined): InferInputs {
  const at = `model_warmup[${index}]`;
  const batch = sample.batchSize === 0 ? 1 : sample.batchSize;
  if (config.maxBatchSize === 0 ? batch !== 1 : batch > config.maxBatchSize) {
    throw configIssue(source, `${at}.batch_size`, `${batch} is not allowed with max_batch_size ${config.maxBatchSize}`);
  }
  const inputs: InferInputs = {};
  for (const [name, input] of Object.entries(sample.inputs)) {
    const where = `${at}.inputs["${name}"]`;
    const type = tensorTypeOf(input.dataType);
    if (type === undefined) throw configIssue(source, `${where}.data_type`, `${dataTypeName(input.dataType)} is not supported`);
    const dims = input.dims.map(Number);
    if (dims.some((dim) => !Number.isSafeInteger(dim) || dim < 0)) throw configIssue(source, `${where}.dims`, 'must be non-negative sizes');
    const sampleDims = config.maxBatchSize > 0 ? [batch, ...dims] : dims;
    const count = elementCount(dims);
    const bytes = type === 'string' ? count * 8 : count * TYPED_ARRAY_OF[type].BYTES_PER_ELEMENT;
    if (bytes * batch > MAX_WARMUP_BYTES) throw configIssue(source, `${where}.dims`, `larger than ${MAX_WARMUP_BYTES} bytes`);
    let one: TensorData;
    switch (input.inputDataType.case) {
      case 'zeroData':
        one = type === 'string' ? new Array<string>(count).fill('') : new TYPED_ARRAY_OF[type](count);
        break;
      case 'randomData':
        one = randomData(type, count);
        break;
      case 'inputDataFile': {
        if (files === undefined) throw configIssue(source, `${where}.input_data_file`, 'needs a model folder');
        const file = confinedPath(files.root, [files.modelName, 'warmup', input.inputDataType.value], `${where}.input_data_file`);
        if (statSync(file).size > MAX_WARMUP_BYTES) throw configIssue(source, `${where}.input_data_file`, `larger than ${MAX_WARMUP_BYTES} bytes`);
        one = decodeRawTensor(type, dims, readFileSync(file), `${source.file}: ${where}.input_data_file`);
        break;
      }
      default:
        throw configIssue(source, where, 'needs zero_data, random_data or input_data_file');
    }
    inputs[name] = { type, dims: sampleDims, data: repeat(one, batch) } as Tensor;
  }
  return inputs;
}

function randomData(type: Tensor['type'], count: number): TensorData {
  // Strings fall back to zero data, as in Triton.
  if (type === 'string') return new Array<string>(count).fill('');
  const random = seededRandom(count);
  const data = new TYPED_ARRAY_OF[type](count);
  for (let i = 0; i < count; i++) {
    const value = random();
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(Math.floor(value * 100));
    else if (type === 'bool') data[i] = value < 0.5 ? 0 : 1;
    else if (type === 'float32' || type === 'float64') data[i] = value;
    else if (type === 'float16') data[i] = 0x3c00; // 1.0: random bit patterns could be NaN
    else data[i] = Math.floor(value * 100);
  }
  return data;
}

function repeat(one: TensorData, times: number): TensorData {
  if (times === 1) return one;
  if (Array.isArray(one)) return Array.from({ length: times }, () => one).flat();
  const typed = one as Exclude<TensorData, string[]>;
  const out = new (typed.constructor as new (length: number) => typeof typed)(typed.length * times);
  for (let i = 0; i < times; i++) (out as Float32Array).set(typed as Float32Array, i * typed.length);
  return out;
}

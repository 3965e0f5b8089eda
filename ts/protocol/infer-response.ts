import { ProtonError } from '../errors';
import type { InferOutputs, TensorInfo } from '../model-types';
import { toV2Datatype } from './datatypes';
import type { V2InferRequest } from './infer-request';
import { tensorDataJson } from './json-codec';
import { encodeRawTensor } from './raw-codec';

/** Which outputs to return, in response order, and how. */
export interface OutputPlan {
  /** The names to ask the model for; undefined = all. */
  names: string[] | undefined;
  order: string[];
  binary: (name: string) => boolean;
}

/**
 * Resolves the requested outputs against the model's: unknown names are refused here, before any
 * inference runs, and so is FP16 as JSON.
 * @throws ProtonError INVALID_ARGUMENT
 */
export function planOutputs(request: Pick<V2InferRequest, 'outputs' | 'binaryOutput'>, infos: readonly TensorInfo[]): OutputPlan {
  if (request.outputs === undefined) return planAllOutputs(request.binaryOutput, infos);
  const byName = new Map(infos.map((info) => [info.name, info]));
  const requested = request.outputs;
  const binaryOf = new Map<string, boolean>();
  for (const spec of requested ?? []) {
    if (!byName.has(spec.name)) {
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `unknown output '${spec.name}' (the model's outputs: ${infos.map((info) => info.name).join(', ')})`,
      );
    }
    if (spec.binary !== undefined) binaryOf.set(spec.name, spec.binary);
  }
  const order = requested ? requested.map((spec) => spec.name) : infos.map((info) => info.name);
  const binary = (name: string): boolean => binaryOf.get(name) ?? request.binaryOutput;
  for (const name of order) {
    if (byName.get(name)?.type === 'float16' && !binary(name)) {
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `output '${name}' is FP16, which JSON cannot carry: request it with parameters.binary_data true`,
      );
    }
  }
  return { names: requested ? order : undefined, order, binary };
}

/** What a request that names no outputs gets, per model: every output, all binary or all JSON. */
interface AllOutputs {
  order: string[];
  /** The first FP16 output, which JSON cannot carry. */
  float16: string | undefined;
  binary: OutputPlan;
  json: OutputPlan;
}

const ALL_OUTPUTS = new WeakMap<readonly TensorInfo[], AllOutputs>();

function planAllOutputs(binaryOutput: boolean, infos: readonly TensorInfo[]): OutputPlan {
  let all = ALL_OUTPUTS.get(infos);
  if (all === undefined) {
    const order = infos.map((info) => info.name);
    all = {
      order,
      float16: infos.find((info) => info.type === 'float16')?.name,
      binary: { names: undefined, order, binary: () => true },
      json: { names: undefined, order, binary: () => false },
    };
    ALL_OUTPUTS.set(infos, all);
  }
  if (binaryOutput) return all.binary;
  if (all.float16 !== undefined) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `output '${all.float16}' is FP16, which JSON cannot carry: request it with parameters.binary_data true`,
    );
  }
  return all.json;
}

/** `{"model_name":…,"model_version":…,` per served model version, built once. */
const HEADER_PREFIX = new WeakMap<object, { name: string; version: string; text: string }>();

function headerPrefix(model: { name: string; version: string }): string {
  let prefix = HEADER_PREFIX.get(model);
  if (prefix === undefined || prefix.name !== model.name || prefix.version !== model.version) {
    const text = `{"model_name":${JSON.stringify(model.name)},"model_version":${JSON.stringify(model.version)},`;
    prefix = { name: model.name, version: model.version, text };
    HEADER_PREFIX.set(model, prefix);
  }
  return prefix.text;
}

/** A V2 infer response: the JSON header and, for binary outputs, the blobs that follow it. */
export interface V2Response {
  header: string;
  blobs: Uint8Array[];
}

/** Encodes the outputs of `plan` as a V2 infer response (JSON data or binary blobs per output). */
export function encodeV2Response(
  model: { name: string; version: string },
  id: string | undefined,
  plan: OutputPlan,
  outputs: InferOutputs,
): V2Response {
  const blobs: Uint8Array[] = [];
  const parts: string[] = [];
  for (const name of plan.order) {
    const tensor = outputs[name];
    if (!tensor) throw new ProtonError('INTERNAL', `the model returned no output '${name}'`);
    const prefix = `{"name":${JSON.stringify(name)},"datatype":"${toV2Datatype(tensor.type)}","shape":[${tensor.dims.join(',')}]`;
    if (plan.binary(name)) {
      const blob = encodeRawTensor(tensor);
      blobs.push(blob);
      parts.push(`${prefix},"parameters":{"binary_data_size":${blob.byteLength}}}`);
    } else {
      parts.push(`${prefix},"data":${tensorDataJson(tensor, `output '${name}'`)}}`);
    }
  }
  const idPart = id === undefined ? '' : `"id":${JSON.stringify(id)},`;
  const header = `${headerPrefix(model)}${idPart}"outputs":[${parts.join(',')}]}`;
  return { header, blobs };
}

import { ProtonError } from '../errors';
import type { TensorInfo } from '../model-types';
import { jsonKindOf, toV2Datatype } from './datatypes';
import { floatText, jsonToTensorData } from './json-codec';
import { flattenWithShape } from './nesting';
import { elementCount, type Tensor } from './tensor';

/**
 * The original Proton predict API, shared by REST `POST /predict` and gRPC `predict.Predictor`:
 * the model's first input in, its first output out. `data` is either nested arrays (the nesting is
 * the shape) or ndarray 0.15's serde form `{"v":1,"dim":[...],"data":[...flat row-major...]}`;
 * the answer uses the form the request used.
 */

/** Input data of a predict request, flattened. */
export interface PredictData {
  values: readonly unknown[];
  dims: number[];
  /** True when the request used the ndarray serde form (the answer then does too). */
  serde: boolean;
}

/** The most dimensions a request may declare (the nested form has the same bound). */
const MAX_RANK = 100;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the `data` of a REST predict request in either form.
 * @throws ProtonError INVALID_ARGUMENT naming the problem
 */
export function parsePredictData(data: unknown): PredictData {
  if (!isObject(data)) return { ...flattenWithShape(data, 'data'), serde: false };
  const { v, dim, data: flat } = data;
  if (v !== 1) throw new ProtonError('INVALID_ARGUMENT', `data.v must be 1 (ndarray serde format version), received ${JSON.stringify(v)}`);
  if (!Array.isArray(dim) || dim.length > MAX_RANK || !dim.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ProtonError('INVALID_ARGUMENT', `data.dim must be an array of at most ${MAX_RANK} non-negative integers`);
  }
  if (!Array.isArray(flat)) throw new ProtonError('INVALID_ARGUMENT', 'data.data must be a flat array of the elements in row-major order');
  const count = elementCount(dim as number[]);
  if (flat.length !== count) {
    throw new ProtonError('INVALID_ARGUMENT', `data.dim [${dim.join(',')}] holds ${count} elements but data.data has ${flat.length}`);
  }
  return { values: flat, dims: dim as number[], serde: true };
}

/** The types predict can feed: the numeric types JSON numbers fill (and gRPC's float data converts to). */
function checkPredictable(input: TensorInfo, model: string): void {
  const kind = jsonKindOf(input.type);
  if (kind !== 'float' && kind !== 'integer' && kind !== 'bigint') {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `model '${model}': input '${input.name}' is ${toV2Datatype(input.type)}; predict feeds numeric inputs only (use /v2 infer)`,
    );
  }
}

/**
 * The first input's tensor from flat numbers: converted to the input's own numeric type, each value
 * checked to fit it (an integer input refuses 1.5). The same rule for REST and gRPC.
 * @throws ProtonError INVALID_ARGUMENT
 */
export function predictInputTensor(input: TensorInfo, model: string, values: ArrayLike<unknown>, dims: number[]): Tensor {
  checkPredictable(input, model);
  if (input.type === 'float32' && values instanceof Float32Array) return { type: 'float32', dims, data: values };
  const list = Array.isArray(values) ? values : Array.from(values);
  return { type: input.type, dims, data: jsonToTensorData(input.type, list, `input '${input.name}'`) } as Tensor;
}

/** The first output as JSON text: nested, or the ndarray serde form when `serde`. Floats as json-codec writes them. */
export function predictOutputJson(tensor: Tensor, serde: boolean, what: string): string {
  const texts = elementTexts(tensor, what);
  if (serde) return `{"v":1,"dim":[${tensor.dims.join(',')}],"data":[${texts.join(',')}]}`;
  return nestText(texts, tensor.dims);
}

function elementTexts(tensor: Tensor, what: string): string[] {
  switch (tensor.type) {
    case 'float32':
    case 'float64':
      return Array.from(tensor.data, floatText);
    case 'bool':
      return Array.from(tensor.data, (v) => (v !== 0 ? 'true' : 'false'));
    case 'int64':
    case 'uint64':
      return Array.from(tensor.data, String);
    case 'string':
    case 'float16':
      throw new ProtonError('INVALID_ARGUMENT', `${what} is ${toV2Datatype(tensor.type)}; predict answers numeric outputs only`);
    default:
      return Array.from(tensor.data as ArrayLike<number>, String);
  }
}

/** Nests element texts row-major into JSON arrays of `dims` (a bare element for a scalar). */
function nestText(texts: readonly string[], dims: readonly number[]): string {
  if (dims.length === 0) return texts[0] ?? 'null';
  let offset = 0;
  const build = (depth: number): string => {
    const size = dims[depth] ?? 0;
    const parts = new Array<string>(size);
    for (let i = 0; i < size; i++) parts[i] = depth === dims.length - 1 ? (texts[offset++] as string) : build(depth + 1);
    return `[${parts.join(',')}]`;
  };
  return build(0);
}

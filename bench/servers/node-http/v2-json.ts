import * as ort from 'onnxruntime-node';
import { fromV2Datatype, toV2Datatype } from '../../../ts/protocol/datatypes';
import { TYPED_ARRAY_OF, type NumericTensorType } from '../../../ts/protocol/datatypes';

/**
 * Open Inference Protocol JSON tensors the plain way: JSON.parse the body, copy each `data` array
 * into a typed array, and answer with JSON.stringify of plain arrays.
 */

interface JsonInput {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

/** The feeds of a V2 JSON request body. */
export function jsonFeeds(body: Buffer): Record<string, ort.Tensor> {
  const request = JSON.parse(body.toString('utf8')) as { inputs?: JsonInput[] };
  if (!Array.isArray(request.inputs)) throw new Error('request has no inputs array');
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of request.inputs) {
    const type = numericType(input.datatype, input.name);
    const values = (input.data as unknown[]).flat(Infinity) as number[];
    feeds[input.name] = new ort.Tensor(type, typedArrayOf(type, values), input.shape);
  }
  return feeds;
}

/** A V2 JSON response body for the outputs of `session.run`. */
export function jsonResponse(model: string, results: ort.InferenceSession.ReturnType): string {
  const outputs = Object.entries(results).map(([name, value]) => {
    const tensor = value as ort.Tensor;
    const data = tensor.data as ArrayLike<number | bigint>;
    return {
      name,
      datatype: toV2Datatype(tensor.type as NumericTensorType),
      shape: tensor.dims,
      // JSON has no bigint: int64 outputs become numbers.
      data: Array.from(data, Number),
    };
  });
  return JSON.stringify({ model_name: model, model_version: '1', outputs });
}

/** The tensor type of a V2 datatype the JSON path handles (numeric and bool). */
export function numericType(datatype: string, name: string): NumericTensorType {
  const type = fromV2Datatype(datatype);
  if (type === undefined || type === 'string' || type === 'float16') throw new Error(`input '${name}': datatype ${datatype} is not handled`);
  return type;
}

function typedArrayOf(type: NumericTensorType, values: number[]): ort.Tensor.DataType {
  const ArrayType = TYPED_ARRAY_OF[type];
  if (type === 'int64' || type === 'uint64') return (ArrayType as BigInt64ArrayConstructor).from(values, (v) => BigInt(v));
  return (ArrayType as Float32ArrayConstructor).from(values) as ort.Tensor.DataType;
}

import * as ort from 'onnxruntime-node';
import { toV2Datatype } from '../../../ts/protocol/datatypes';
import { decodeRawTensor } from '../../../ts/protocol/raw-codec';
import type { NumericTensorType } from '../../../ts/protocol/datatypes';
import { numericType } from './v2-json';

/**
 * The binary tensor data extension: a JSON header of `Inference-Header-Content-Length` bytes, then
 * the raw little-endian tensors in the header's order. Answers every output in binary.
 */

interface BinaryInput {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: { binary_data_size?: number };
}

/** The feeds of a binary-extension request body. */
export function binaryFeeds(body: Buffer, headerLength: number): Record<string, ort.Tensor> {
  const request = JSON.parse(body.subarray(0, headerLength).toString('utf8')) as { inputs?: BinaryInput[] };
  if (!Array.isArray(request.inputs)) throw new Error('request has no inputs array');
  const feeds: Record<string, ort.Tensor> = {};
  let offset = headerLength;
  for (const input of request.inputs) {
    const size = input.parameters?.binary_data_size;
    if (size === undefined) throw new Error(`input '${input.name}' has no binary_data_size (mixed JSON and binary inputs are not handled)`);
    const type = numericType(input.datatype, input.name);
    const bytes = new Uint8Array(body.buffer, body.byteOffset + offset, size);
    offset += size;
    feeds[input.name] = new ort.Tensor(type, decodeRawTensor(type, input.shape, bytes, `input '${input.name}'`) as ort.Tensor.DataType, input.shape);
  }
  return feeds;
}

/** The response body (JSON header + raw outputs) and the header's length. */
export function binaryResponse(model: string, results: ort.InferenceSession.ReturnType): { body: Buffer; headerLength: number } {
  const blobs: Buffer[] = [];
  const outputs = Object.entries(results).map(([name, value]) => {
    const tensor = value as ort.Tensor;
    const data = tensor.data as Exclude<ort.Tensor.DataType, string[]>;
    blobs.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return {
      name,
      datatype: toV2Datatype(tensor.type as NumericTensorType),
      shape: tensor.dims,
      parameters: { binary_data_size: data.byteLength },
    };
  });
  const header = Buffer.from(JSON.stringify({ model_name: model, model_version: '1', outputs }));
  return { body: Buffer.concat([header, ...blobs]), headerLength: header.byteLength };
}

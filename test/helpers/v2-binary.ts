import type { TensorType } from '../../ts/protocol/datatypes';
import type { NumericTensorData, Tensor } from '../../ts/protocol/tensor';
import { TYPED_ARRAY_OF } from '../../ts/protocol/datatypes';

/**
 * A client-side implementation of the V2 binary tensor extension, written from the protocol
 * text (not from the server's code), so the tests check the server against the spec.
 */

/** Little-endian bytes of a tensor (BYTES: 4-byte LE length + UTF-8 per element). */
export function rawBytes(tensor: Tensor): Buffer {
  if (tensor.type === 'string') {
    const parts = (tensor.data as string[]).flatMap((s) => {
      const bytes = Buffer.from(s, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    });
    return Buffer.concat(parts);
  }
  const data = tensor.data as NumericTensorData;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Builds a binary-extension request body and its headers from a JSON header and blobs. */
export function binaryRequest(header: object, blobs: Buffer[]): { body: Buffer; headers: Record<string, string> } {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return {
    body: Buffer.concat([json, ...blobs]),
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(json.length),
    },
  };
}

export interface DecodedResponse {
  header: any;
  /** Output tensors by name, from JSON `data` or from the binary section. */
  outputs: Record<string, Tensor>;
  binaryOutputs: string[];
}

const FROM_V2: Record<string, TensorType> = {
  BOOL: 'bool', UINT8: 'uint8', UINT16: 'uint16', UINT32: 'uint32', UINT64: 'uint64',
  INT8: 'int8', INT16: 'int16', INT32: 'int32', INT64: 'int64',
  FP16: 'float16', FP32: 'float32', FP64: 'float64', BYTES: 'string',
};

/** Decodes an infer response (JSON or binary extension) into tensors. */
export async function decodeInferResponse(response: Response): Promise<DecodedResponse> {
  const body = Buffer.from(await response.arrayBuffer());
  const headerLengthText = response.headers.get('inference-header-content-length');
  const headerLength = headerLengthText === null ? body.length : Number(headerLengthText);
  const header = JSON.parse(body.subarray(0, headerLength).toString('utf8'));
  let offset = headerLength;
  const outputs: Record<string, Tensor> = {};
  const binaryOutputs: string[] = [];
  for (const output of header.outputs) {
    const type = FROM_V2[output.datatype as string] as TensorType;
    const size = output.parameters?.binary_data_size;
    if (size !== undefined) {
      binaryOutputs.push(output.name);
      outputs[output.name] = { type, dims: output.shape, data: fromRaw(type, body.subarray(offset, offset + size)) } as Tensor;
      offset += size;
    } else {
      outputs[output.name] = { type, dims: output.shape, data: fromJson(type, output.data) } as Tensor;
    }
  }
  if (offset !== body.length) throw new Error(`response has ${body.length - offset} unexplained trailing bytes`);
  return { header, outputs, binaryOutputs };
}

function fromRaw(type: TensorType, bytes: Buffer): Tensor['data'] {
  if (type === 'string') {
    const out: string[] = [];
    for (let at = 0; at < bytes.length; ) {
      const length = bytes.readUInt32LE(at);
      out.push(bytes.subarray(at + 4, at + 4 + length).toString('utf8'));
      at += 4 + length;
    }
    return out;
  }
  const ArrayType = TYPED_ARRAY_OF[type];
  const copy = new Uint8Array(bytes); // aligned copy
  return new ArrayType(copy.buffer, 0, copy.byteLength / ArrayType.BYTES_PER_ELEMENT) as Tensor['data'];
}

function fromJson(type: TensorType, data: unknown[]): Tensor['data'] {
  switch (type) {
    case 'string':
      return data as string[];
    case 'bool':
      return Uint8Array.from(data as boolean[], (v) => (v ? 1 : 0));
    case 'int64':
      return BigInt64Array.from(data as number[], (v) => BigInt(v));
    case 'uint64':
      return BigUint64Array.from(data as number[], (v) => BigInt(v));
    default:
      return (TYPED_ARRAY_OF[type] as Float32ArrayConstructor).from(data as number[]);
  }
}

/** JSON-ready values of a tensor (bool as booleans, 64-bit integers as numbers). */
export function jsonValues(tensor: Tensor): unknown[] {
  switch (tensor.type) {
    case 'bool':
      return Array.from(tensor.data as Uint8Array, (v) => v !== 0);
    case 'int64':
    case 'uint64':
      return Array.from(tensor.data as BigInt64Array, Number);
    default:
      return Array.from(tensor.data as ArrayLike<unknown>);
  }
}

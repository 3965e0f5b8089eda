import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';

import type { ModelInferResponse } from '../ts/protocol/grpc-messages';
import { decodeWireInferInputs } from '../ts/protocol/grpc-wire-contents';
import { decodeModelInferRequest } from '../ts/protocol/infer-request-wire';
import { encodeModelInferResponse, encodeModelInferResponseInPieces } from '../ts/protocol/infer-response-wire';
import { DEFAULT_LIMITS } from '../ts/protocol/limits';
import { PROTO_DIR } from '../ts/protocol/proto-loading';
import { randomData } from './helpers/onnx-reference';

/**
 * Large gRPC tensors without long synchronous work: FP32/FP64 contents packed in one field are
 * viewed in place when aligned and copied in pieces when not, misaligned raw contents are copied
 * in pieces, and large responses are encoded in pieces, all to the bytes a protobufjs codec reads
 * (an encoder and decoder that are not ours).
 */

const MiB = 1024 * 1024;
const root = new protobuf.Root().loadSync(path.join(PROTO_DIR, 'inference.proto'), { keepCase: true });
const ModelInferRequest = root.lookupType('inference.ModelInferRequest');
const ModelInferResponseType = root.lookupType('inference.ModelInferResponse');

/** The request encoded by protobufjs, placed `shift` bytes into a larger buffer (so its fields' alignment varies). */
function wireRequest(inputs: object[], raw: Buffer[], shift: number): Buffer {
  const encoded = ModelInferRequest.encode(ModelInferRequest.fromObject({ model_name: 'm', inputs, raw_input_contents: raw })).finish();
  const storage = Buffer.alloc(encoded.length + 8);
  storage.set(encoded, shift);
  return storage.subarray(shift, shift + encoded.length);
}

async function decode(message: Buffer) {
  const request = decodeModelInferRequest(message, DEFAULT_LIMITS);
  expect(request.decodeError).toBeUndefined();
  return decodeWireInferInputs(request.inputs, request.raw_input_contents, DEFAULT_LIMITS);
}

describe('large gRPC request contents', () => {
  for (const [datatype, type, field] of [
    ['FP32', 'float32', 'fp32_contents'],
    ['FP64', 'float64', 'fp64_contents'],
  ] as const) {
    it(`${datatype} contents of 6 MiB: equal to what was sent, a view where aligned and a copy where not`, async () => {
      const count = (6 * MiB) / (type === 'float32' ? 4 : 8);
      const values = randomData(type, count, 11) as Float32Array | Float64Array;
      const input = { name: 'x', datatype, shape: [count], contents: { [field]: Array.from(values) } };
      const seen = new Set<string>();
      for (let shift = 0; shift < 8; shift++) {
        const message = wireRequest([input], [], shift);
        const decoded = (await decode(message)).x!;
        expect(decoded.type).toBe(type);
        expect(decoded.dims).toEqual([count]);
        const data = decoded.data as Float32Array | Float64Array;
        expect(data.constructor).toBe(values.constructor);
        expect(Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(Buffer.from(values.buffer))).toBe(true);
        seen.add(data.buffer === message.buffer ? 'view' : 'copy');
      }
      expect([...seen].sort()).toEqual(['copy', 'view']);
    });
  }

  it('FP32 contents split over two fields, or one element short, take the general path and its checks', async () => {
    const values = Array.from({ length: 10 }, (_, i) => i / 4);
    // ModelInferRequest{model_name 'm', inputs[{name 'x', datatype 'FP32', shape [10], contents: fp32_contents twice}]}
    const writer = protobuf.Writer.create();
    writer.uint32((1 << 3) | 2).string('m');
    writer.uint32((5 << 3) | 2).fork();
    writer.uint32((1 << 3) | 2).string('x');
    writer.uint32((2 << 3) | 2).string('FP32');
    writer.uint32((3 << 3) | 2).fork().int64(10).ldelim();
    writer.uint32((5 << 3) | 2).fork();
    for (const part of [values.slice(0, 6), values.slice(6)]) {
      writer.uint32((6 << 3) | 2).fork();
      for (const v of part) writer.float(v);
      writer.ldelim();
    }
    writer.ldelim().ldelim();
    const split = await decode(Buffer.from(writer.finish()));
    expect(Array.from(split.x!.data as Float32Array)).toEqual(values);

    const short = { name: 'x', datatype: 'FP32', shape: [11], contents: { fp32_contents: values } };
    await expect(decode(wireRequest([short], [], 0))).rejects.toThrow("input 'x': shape [11] has 11 elements but contents.fp32_contents has 10");
  });

  it('misaligned raw contents of 12 MiB are copied (in pieces) to the bytes sent', async () => {
    const count = (12 * MiB) / 4;
    const values = randomData('float32', count, 3) as Float32Array;
    const raw = Buffer.from(values.buffer);
    const seen = new Set<string>();
    for (let shift = 0; shift < 4; shift++) {
      const message = wireRequest([{ name: 'x', datatype: 'FP32', shape: [count] }], [raw], shift);
      const data = (await decode(message)).x!.data as Float32Array;
      expect(Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(raw)).toBe(true);
      seen.add(data.buffer === message.buffer ? 'view' : 'copy');
    }
    expect([...seen].sort()).toEqual(['copy', 'view']);
  });
});

describe('large gRPC responses', () => {
  it('encoded in pieces, a response is the same bytes as encoded at once, and protobufjs reads it back', async () => {
    const big = Buffer.from((randomData('float32', (9 * MiB) / 4, 8) as Float32Array).buffer);
    const response: ModelInferResponse = {
      model_name: 'identity',
      model_version: '1',
      id: 'r-1',
      outputs: [
        { name: 'small', datatype: 'INT32', shape: [2] },
        { name: 'big', datatype: 'FP32', shape: [big.length / 4] },
      ],
      raw_output_contents: [Buffer.from(new Int32Array([7, -7]).buffer), big],
    };
    const inPieces = await encodeModelInferResponseInPieces(response);
    expect(inPieces.equals(encodeModelInferResponse(response))).toBe(true);
    const decoded = ModelInferResponseType.decode(inPieces) as unknown as { id: string; raw_output_contents: Uint8Array[] };
    expect(decoded.id).toBe('r-1');
    expect(Buffer.from(decoded.raw_output_contents[1]!).equals(big)).toBe(true);
    expect(Buffer.from(decoded.raw_output_contents[0]!).equals(response.raw_output_contents[0]!)).toBe(true);
  });
});

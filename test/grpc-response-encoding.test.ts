import type { MethodDefinition } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';

import type { ModelInferResponse } from '../ts/protocol/grpc-messages';
import { encodeModelInferResponse } from '../ts/protocol/infer-response-wire';
import { loadProtonServices } from '../ts/protocol/proto-loading';

/** proto-loader's own ModelInfer codec (protobufjs from proto/inference.proto): the reference. */
const reference = loadProtonServices().inference.ModelInfer as MethodDefinition<object, ModelInferResponse>;

function decoded(bytes: Buffer): ModelInferResponse {
  return reference.responseDeserialize(bytes);
}

const CASES: Array<[string, ModelInferResponse]> = [
  [
    'one float output',
    {
      model_name: 'add',
      model_version: '1',
      id: '',
      outputs: [{ name: 'sum', datatype: 'FP32', shape: [1, 16] }],
      raw_output_contents: [Buffer.from(new Float32Array(16).map((_, i) => i * 0.5 - 3).buffer)],
    },
  ],
  [
    'several outputs, a scalar, an empty tensor, large and string dims, unicode names and id',
    {
      model_name: 'modèle/ü',
      model_version: '12',
      id: 'req-✓-'.repeat(40),
      outputs: [
        { name: 'scalar', datatype: 'INT64', shape: [] },
        { name: 'empty', datatype: 'FP32', shape: [0, 3] },
        { name: 'wide', datatype: 'UINT8', shape: [2 ** 40 + 3, '5', 300] },
        { name: 'négatif', datatype: 'BYTES', shape: [-1, '-7'] },
      ],
      raw_output_contents: [Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(0), Buffer.alloc(200_000, 7), Buffer.from('\u0000\u00ff')],
    },
  ],
  ['nothing set', { model_name: '', model_version: '', id: '', outputs: [], raw_output_contents: [] }],
];

describe('ModelInferResponse encoder', () => {
  for (const [what, response] of CASES) {
    it(`decodes with proto-loader to what proto-loader itself would send: ${what}`, () => {
      const ours = decoded(encodeModelInferResponse(response));
      const theirs = decoded(reference.responseSerialize(response));
      expect(ours).toEqual(theirs);
      expect(ours.model_name).toBe(response.model_name);
      expect(ours.id).toBe(response.id);
      expect(ours.outputs.map((output) => output.shape.map(String))).toEqual(response.outputs.map((output) => output.shape.map(String)));
      expect(ours.raw_output_contents.map((raw) => Buffer.from(raw).toString('hex'))).toEqual(
        response.raw_output_contents.map((raw) => Buffer.from(raw).toString('hex')),
      );
    });
  }

  it('writes views of a larger buffer (typed-array outputs) by their own bytes only', () => {
    const storage = new Float32Array([9, 1, 2, 3, 9]);
    const view = Buffer.from(storage.buffer, 4, 12);
    const response: ModelInferResponse = { model_name: 'm', model_version: '1', id: 'x', outputs: [{ name: 'y', datatype: 'FP32', shape: [3] }], raw_output_contents: [view] };
    const out = decoded(encodeModelInferResponse(response));
    expect(Array.from(new Float32Array(new Uint8Array(out.raw_output_contents[0]!).buffer))).toEqual([1, 2, 3]);
  });
});

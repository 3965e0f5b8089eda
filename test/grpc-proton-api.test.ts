import path from 'node:path';
import { Client, credentials, loadPackageDefinition, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTO_DIR } from '../ts/protocol/proto-loading';
import { elementCount, type Tensor } from '../ts/protocol/tensor';
import {
  createClient,
  expectSameValues,
  referenceRun,
  referenceValues,
  sampleData,
  startTestServer,
  unary,
  type TestServer,
} from './grpc-test-support';

interface PredictResponse {
  prediction_id: string;
  model_name: string;
  data: number[];
  shape: number[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: TestServer;
let client: Client;

beforeAll(async () => {
  server = await startTestServer({
    squeezenet: { demo: 'squeezenet1.0' },
    mlp: { demo: 'mlp' },
    dynamic_batch: { demo: 'dynamic_batch' },
  });
  client = createClient('predict.proto', 'predict.Predictor', server.address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

/** The model's first input filled with sample floats, as the original clients sent it. */
function firstInput(model: string, dims: number[]): { name: string; tensor: Tensor<'float32'> } {
  const info = server.registry.get(model).model.metadata.inputs[0];
  if (!info) throw new Error(`${model} has no inputs`);
  return { name: info.name, tensor: { type: 'float32', dims, data: sampleData('float32', elementCount(dims)) as Float32Array } };
}

async function expectFirstOutput(demo: Parameters<typeof referenceRun>[0], name: string, tensor: Tensor, response: PredictResponse) {
  const reference = await referenceRun(demo, { [name]: tensor });
  const first = Object.values(reference)[0] as Tensor;
  expect(response.shape).toEqual([...first.dims]);
  expectSameValues(response.data, referenceValues(first));
}

describe('predict.Predictor/Predict with a client built from proto/predict.proto', () => {
  it('runs SqueezeNet on [1,3,224,224] and answers its first output with a UUID', async () => {
    const { name, tensor } = firstInput('squeezenet', [1, 3, 224, 224]);
    const response = await unary<PredictResponse>(client, 'Predict', {
      model_name: 'squeezenet',
      data: Array.from(tensor.data),
      shape: [...tensor.dims],
    });
    expect(response.model_name).toBe('squeezenet');
    expect(response.prediction_id).toMatch(UUID);
    expect(response.shape).toEqual([1, 1000]);
    await expectFirstOutput('squeezenet1.0', name, tensor, response);
  });

  it('accepts any batch size on dynamic models', async () => {
    for (const [model, demo, dims] of [
      ['mlp', 'mlp', [3, 256]],
      ['dynamic_batch', 'dynamic_batch', [7, 4]],
    ] as const) {
      const { name, tensor } = firstInput(model, [...dims]);
      const response = await unary<PredictResponse>(client, 'Predict', { model_name: model, data: Array.from(tensor.data), shape: dims });
      await expectFirstOutput(demo, name, tensor, response);
    }
  });

  it('takes the model shape when a request for a static model sends none', async () => {
    const { name, tensor } = firstInput('squeezenet', [1, 3, 224, 224]);
    const response = await unary<PredictResponse>(client, 'Predict', { model_name: 'squeezenet', data: Array.from(tensor.data) });
    await expectFirstOutput('squeezenet1.0', name, tensor, response);
  });

  it('serves a client loaded with proto-loader defaults (camelCase fields), as typical Node clients were', async () => {
    const definition = loadSync(path.join(PROTO_DIR, 'predict.proto'));
    const Predictor = (loadPackageDefinition(definition).predict as Record<string, ServiceClientConstructor>).Predictor!;
    const camel = new Predictor(server.address, credentials.createInsecure());
    try {
      const { name, tensor } = firstInput('mlp', [2, 256]);
      const response = await unary<{ predictionId: string; modelName: string; data: number[]; shape: number[] }>(camel, 'Predict', {
        modelName: 'mlp',
        data: Array.from(tensor.data),
        shape: [2, 256],
      });
      expect(response.modelName).toBe('mlp');
      expect(response.predictionId).toMatch(UUID);
      await expectFirstOutput('mlp', name, tensor, { ...response, prediction_id: response.predictionId, model_name: response.modelName });
    } finally {
      camel.close();
    }
  });

  it('gives every prediction its own id', async () => {
    const { tensor } = firstInput('dynamic_batch', [1, 4]);
    const request = { model_name: 'dynamic_batch', data: Array.from(tensor.data), shape: [1, 4] };
    const ids = await Promise.all(Array.from({ length: 8 }, () => unary<PredictResponse>(client, 'Predict', request)));
    expect(new Set(ids.map((r) => r.prediction_id)).size).toBe(8);
  });
});

describe('predict.Predictor/Predict on the wire', () => {
  // Bytes written and read by hand from the original field numbers, independent of any .proto file.
  const varint = (value: number): number[] => {
    const bytes: number[] = [];
    for (; value > 0x7f; value = Math.floor(value / 128)) bytes.push((value & 0x7f) | 0x80);
    bytes.push(value);
    return bytes;
  };
  const key = (field: number, wireType: number): number[] => varint((field << 3) | wireType);
  const floats = (values: ArrayLike<number>): Buffer => {
    const out = Buffer.alloc(values.length * 4);
    Array.from(values).forEach((v, i) => out.writeFloatLE(v, i * 4));
    return out;
  };

  function encodeRequest(model: string, data: Float32Array, shape: number[], packed: boolean): Buffer {
    const name = Buffer.from(model, 'utf8');
    const parts: Array<Buffer | number[]> = [key(1, 2), varint(name.byteLength), name];
    if (packed) {
      const body = floats(data);
      const dims = shape.flatMap(varint);
      parts.push(key(2, 2), varint(body.byteLength), body, key(3, 2), varint(dims.length), dims);
    } else {
      for (const value of data) parts.push(key(2, 5), floats([value]));
      for (const dim of shape) parts.push(key(3, 0), varint(dim));
    }
    return Buffer.concat(parts.map((part) => (Buffer.isBuffer(part) ? part : Buffer.from(part))));
  }

  function decodeResponse(bytes: Buffer): PredictResponse {
    const response: PredictResponse = { prediction_id: '', model_name: '', data: [], shape: [] };
    let offset = 0;
    const readVarint = (): number => {
      let value = 0;
      for (let shift = 1; ; shift *= 128) {
        const byte = bytes[offset++] as number;
        value += (byte & 0x7f) * shift;
        if (byte < 0x80) return value;
      }
    };
    while (offset < bytes.byteLength) {
      const tag = readVarint();
      const field = tag >> 3;
      const wireType = tag & 7;
      if (wireType === 2) {
        const end = readVarint() + offset;
        if (field === 1) response.prediction_id = bytes.toString('utf8', offset, end);
        else if (field === 2) response.model_name = bytes.toString('utf8', offset, end);
        else if (field === 3) for (let o = offset; o < end; o += 4) response.data.push(bytes.readFloatLE(o));
        else if (field === 4) {
          while (offset < end) response.shape.push(readVarint());
        } else throw new Error(`unexpected field ${field}`);
        offset = end;
      } else if (wireType === 5 && field === 3) {
        response.data.push(bytes.readFloatLE(offset));
        offset += 4;
      } else if (wireType === 0 && field === 4) {
        response.shape.push(readVarint());
      } else {
        throw new Error(`unexpected field ${field} with wire type ${wireType}`);
      }
    }
    return response;
  }

  function rawPredict(request: Buffer): Promise<Buffer> {
    const raw = new Client(server.address, credentials.createInsecure());
    return new Promise<Buffer>((resolve, reject) => {
      raw.makeUnaryRequest(
        '/predict.Predictor/Predict',
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        (error: ServiceError | null, response?: Buffer) => (error ? reject(error) : resolve(response as Buffer)),
      );
    }).finally(() => raw.close());
  }

  it('joins data split over several packed blocks and unpacked values, and skips unknown fields', async () => {
    const { name, tensor } = firstInput('dynamic_batch', [2, 4]);
    const modelName = Buffer.from('dynamic_batch', 'utf8');
    const unknown = Buffer.from('ignored', 'utf8');
    const head = floats(tensor.data.subarray(0, 3));
    const tail = floats(tensor.data.subarray(5));
    const parts: Array<Buffer | number[]> = [
      key(9, 2), varint(unknown.byteLength), unknown,
      key(2, 2), varint(head.byteLength), head,
      key(2, 5), floats([tensor.data[3] as number]),
      key(1, 2), varint(modelName.byteLength), modelName,
      key(2, 5), floats([tensor.data[4] as number]),
      key(3, 0), varint(2),
      key(2, 2), varint(tail.byteLength), tail,
      key(3, 2), varint(1), varint(4),
    ];
    const request = Buffer.concat(parts.map((part) => (Buffer.isBuffer(part) ? part : Buffer.from(part))));
    const response = decodeResponse(await rawPredict(request));
    await expectFirstOutput('dynamic_batch', name, tensor, response);
  });

  for (const packed of [true, false]) {
    it(`answers a hand-encoded ${packed ? 'packed' : 'unpacked'} request with the original response fields`, async () => {
      const { name, tensor } = firstInput('dynamic_batch', [3, 4]);
      const response = decodeResponse(await rawPredict(encodeRequest('dynamic_batch', tensor.data, [3, 4], packed)));
      expect(response.model_name).toBe('dynamic_batch');
      expect(response.prediction_id).toMatch(UUID);
      await expectFirstOutput('dynamic_batch', name, tensor, response);
    });
  }
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Model, ProtonError, type Tensor } from '../ts/index';
import { demoModels } from './helpers/models';

let add: Model;
let mlp: Model;

beforeAll(async () => {
  const models = await demoModels();
  add = await Model.load(models.add);
  mlp = await Model.load(models.mlp, { maxBatchSize: 8 });
});
afterAll(async () => {
  await add.close();
  await mlp.close();
});

const a = (): Tensor => ({ type: 'float32', dims: [1, 16], data: new Float32Array(16) });

async function expectError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProtonError);
  expect((error as ProtonError).code).toBe(code);
  expect((error as ProtonError).message).toMatch(message);
}

describe('inputs are checked on the JS thread before enqueueing', () => {
  it('rejects a missing input, naming it and the expected inputs', async () => {
    await expectError(add.infer({ a: a() }), 'INVALID_ARGUMENT', /missing input 'b' \(the model takes 'a', 'b'\)/);
  });

  it('rejects an unknown input name', async () => {
    await expectError(add.infer({ a: a(), b: a(), c: a() }), 'INVALID_ARGUMENT', /unknown input 'c'/);
  });

  it('rejects a wrong element type', async () => {
    const wrong = { type: 'int32', dims: [1, 16], data: new Int32Array(16) } as Tensor;
    await expectError(add.infer({ a: wrong, b: a() }), 'INVALID_ARGUMENT', /input 'a': expected float32 \[1,16\], received int32 \[1,16\]/);
  });

  it('rejects a data array of the wrong class for the declared type', async () => {
    const wrong = { type: 'float32', dims: [1, 16], data: new Float64Array(16) } as unknown as Tensor;
    await expectError(add.infer({ a: wrong, b: a() }), 'INVALID_ARGUMENT', /input 'a'.*data must be a Float32Array/);
  });

  it('rejects a wrong rank', async () => {
    const wrong: Tensor = { type: 'float32', dims: [16], data: new Float32Array(16) };
    await expectError(add.infer({ a: wrong, b: a() }), 'INVALID_ARGUMENT', /input 'a'.*rank 1, expected 2/);
  });

  it('rejects a wrong fixed dimension', async () => {
    const wrong: Tensor = { type: 'float32', dims: [2, 8], data: new Float32Array(16) };
    await expectError(add.infer({ a: wrong, b: a() }), 'INVALID_ARGUMENT', /input 'a'.*dimension 0 must be 1/);
  });

  it('rejects data whose length does not match the shape', async () => {
    const wrong: Tensor = { type: 'float32', dims: [1, 16], data: new Float32Array(15) };
    await expectError(add.infer({ a: wrong, b: a() }), 'INVALID_ARGUMENT', /input 'a'.*15 elements \(60 bytes\), the shape needs 16/);
  });

  it('rejects negative or fractional dimensions', async () => {
    const wrong: Tensor = { type: 'float32', dims: [1, -16], data: new Float32Array(16) };
    await expectError(add.infer({ a: wrong, b: a() }), 'INVALID_ARGUMENT', /dimension 1 is not a non-negative integer/);
  });

  it('rejects a batch larger than maxBatchSize', async () => {
    const big: Tensor = { type: 'float32', dims: [9, 256], data: new Float32Array(9 * 256) };
    await expectError(mlp.infer({ x: big }), 'INVALID_ARGUMENT', /input 'x'.*batch size 9 is outside 1..8/);
  });

  it('rejects unknown or repeated requested outputs', async () => {
    await expectError(add.infer({ a: a(), b: a() }, { outputs: ['nope'] }), 'INVALID_ARGUMENT', /unknown output 'nope' \(the model has 'sum'\)/);
    await expectError(add.infer({ a: a(), b: a() }, { outputs: ['sum', 'sum'] }), 'INVALID_ARGUMENT', /output 'sum' is requested twice/);
  });

  it('rejects a non-object inputs argument', async () => {
    await expectError(add.infer(null as never), 'INVALID_ARGUMENT', /inputs must be an object/);
  });

  it('still serves correctly after rejected requests', async () => {
    const data = Float32Array.from({ length: 16 }, (_, i) => i);
    const outputs = await add.infer({ a: { type: 'float32', dims: [1, 16], data }, b: { type: 'float32', dims: [1, 16], data } });
    expect(Array.from(outputs.sum!.data as Float32Array)).toEqual(Array.from(data, (v) => 2 * v));
  });
});

describe('Model.load errors', () => {
  it('rejects a missing file with NOT_FOUND and the ONNX Runtime message', async () => {
    await expectError(Model.load('/nonexistent/model.onnx'), 'NOT_FOUND', /nonexistent\/model\.onnx.*(doesn't exist|No such file)/i);
  });

  it('rejects a corrupt file with ONNX Runtime message', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proton-corrupt-')), 'corrupt.onnx');
    fs.writeFileSync(file, Buffer.from('this is not an onnx model'));
    await expectError(Model.load(file), 'INVALID_ARGUMENT', /protobuf|parse|Load model/i);
  });

  it('rejects invalid options, naming the option', async () => {
    const { add: file } = await demoModels();
    await expectError(Model.load(file, { queueCapacity: 0 }), 'INVALID_ARGUMENT', /option queueCapacity/);
    await expectError(Model.load(file, { bogus: 1 } as never), 'INVALID_ARGUMENT', /bogus|Unrecognized/);
    await expectError(Model.load(file, { maxBatchSize: 4, preferredBatchSizes: [8] }), 'INVALID_ARGUMENT', /preferredBatchSizes: 8 exceeds maxBatchSize 4/);
  });

  it('rejects batching for a model without a batch dimension', async () => {
    const { add: file } = await demoModels();
    await expectError(Model.load(file, { maxBatchSize: 4 }), 'INVALID_ARGUMENT', /cannot be batched: input 'a' has no dynamic leading/);
  });
});

import { afterAll, describe, expect, it } from 'vitest';

import { Model } from '../ts/index';
import { TENSOR_TYPES } from '../ts/protocol/datatypes';
import { type Tensor } from '../ts/protocol/tensor';
import { demoModels, identityModel } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';

const opened: Model[] = [];
async function load(path: string): Promise<Model> {
  const model = await Model.load(path);
  opened.push(model);
  return model;
}
afterAll(async () => {
  await Promise.all(opened.map((m) => m.close()));
});

function tensorFor(type: Tensor['type'], dims: number[], seed: number): Tensor {
  return { type, dims, data: randomData(type, dims.reduce((a, b) => a * b, 1), seed) } as Tensor;
}

describe('every element type crosses the boundary unchanged', () => {
  for (const type of TENSOR_TYPES) {
    it(`${type}`, async () => {
      const path = identityModel(type);
      const model = await load(path);
      expect(model.metadata.inputs).toEqual([{ name: 'x', type, shape: ['n', 3] }]);
      for (const rows of [1, 4, 0]) {
        const input = tensorFor(type, [rows, 3], rows + 7);
        const outputs = await model.infer({ x: input });
        const reference = await referenceRun(path, { x: input });
        expectTensorClose(outputs.y, reference.y);
      }
    });
  }
});

describe('demo models match onnxruntime-node', () => {
  it('add', async () => {
    const { add } = await demoModels();
    const model = await load(add);
    const inputs = { a: tensorFor('float32', [1, 16], 1), b: tensorFor('float32', [1, 16], 2) };
    const [outputs, reference] = await Promise.all([model.infer(inputs), referenceRun(add, inputs)]);
    expectTensorClose(outputs.sum, reference.sum);
  });

  it('mlp with several batch sizes', async () => {
    const { mlp } = await demoModels();
    const model = await load(mlp);
    for (const batch of [1, 3, 17]) {
      const inputs = { x: tensorFor('float32', [batch, 256], batch) };
      const [outputs, reference] = await Promise.all([model.infer(inputs), referenceRun(mlp, inputs)]);
      expectTensorClose(outputs.y, reference.y, 1e-5);
    }
  });

  it('multi_io returns every output, or the requested ones', async () => {
    const { multi_io: path } = await demoModels();
    const model = await load(path);
    const inputs: Record<string, Tensor> = {};
    for (const info of model.metadata.inputs) {
      const dims = info.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 2));
      inputs[info.name] = tensorFor(info.type, dims, 3);
    }
    const reference = await referenceRun(path, inputs);
    const outputs = await model.infer(inputs);
    expect(Object.keys(outputs).sort()).toEqual(model.metadata.outputs.map((o) => o.name).sort());
    expect(new Set(model.metadata.outputs.map((o) => o.type)).size).toBe(2);
    for (const name of Object.keys(reference)) expectTensorClose(outputs[name], reference[name], 1e-6);

    const last = model.metadata.outputs[model.metadata.outputs.length - 1]!.name;
    const only = await model.infer(inputs, { outputs: [last] });
    expect(Object.keys(only)).toEqual([last]);
    expectTensorClose(only[last], reference[last], 1e-6);
  });

  it('multi_io: requests of every shape in turn each get their own answer (the native jobs are reused)', async () => {
    const { multi_io: path } = await demoModels();
    const model = await load(path);
    const names = model.metadata.outputs.map((o) => o.name);
    for (let i = 0; i < 200; i++) {
      const inputs: Record<string, Tensor> = {};
      for (const info of model.metadata.inputs) inputs[info.name] = tensorFor(info.type, [2, 3], i);
      const reference = await referenceRun(path, inputs);
      const kind = i % 4;
      if (kind === 0) {
        const outputs = await model.infer(inputs);
        expect(Object.keys(outputs).sort()).toEqual([...names].sort());
        for (const name of names) expectTensorClose(outputs[name], reference[name], 1e-6);
      } else if (kind === 1) {
        const { outputs, timing } = await model.inferWithTiming(inputs, { outputs: [names[1]!] });
        expect(Object.keys(outputs)).toEqual([names[1]]);
        expectTensorClose(outputs[names[1]!], reference[names[1]!], 1e-6);
        expect(timing.queueNs).toBeGreaterThanOrEqual(0);
      } else if (kind === 2) {
        // Expires in the queue (the model thread fails it) unless taken within a microsecond.
        const settled = await model.infer(inputs, { timeoutMs: 0.001 }).then(
          (outputs) => ({ outputs }),
          (error: unknown) => ({ error }),
        );
        if ('error' in settled) expect(settled.error).toMatchObject({ code: 'UNAVAILABLE' });
        else for (const name of names) expectTensorClose(settled.outputs[name], reference[name], 1e-6);
      } else {
        const outputs = await model.infer(inputs, { outputs: [names[0]!] });
        expect(Object.keys(outputs)).toEqual([names[0]]);
        expectTensorClose(outputs[names[0]!], reference[names[0]!], 1e-6);
      }
    }
  });

  it('squeezenet', async () => {
    const { 'squeezenet1.0': path } = await demoModels();
    const model = await load(path);
    expect(model.metadata.inputs[0]).toMatchObject({ name: 'data', type: 'float32', shape: [1, 3, 224, 224] });
    const inputs = { data: tensorFor('float32', [1, 3, 224, 224], 5) };
    const [outputs, reference] = await Promise.all([model.infer(inputs), referenceRun(path, inputs)]);
    const name = model.metadata.outputs[0]!.name;
    expectTensorClose(outputs[name], reference[name], 1e-5);
  });
});

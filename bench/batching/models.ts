import { benchModel, type BenchModel } from '../micro/bench-models';
import type { BatchingModelName } from './options';

/** A benchmarked model, and whether its first input dimension is a dynamic batch dimension. */
export interface BatchingModel {
  spec: BenchModel;
  /** The input that carries the batch dimension, for building larger requests. */
  batchInput: string;
  canBatch: boolean;
  /** Why batching is not measured, when it is not. */
  note?: string;
}

/** File names under the demo models folder (ts/onnx/demo-models.ts). */
export const MODEL_FILES: Readonly<Record<BatchingModelName, 'mlp' | 'squeezenet1.0'>> = {
  mlp: 'mlp',
  squeezenet: 'squeezenet1.0',
};

export function batchingModel(name: BatchingModelName, file: string): BatchingModel {
  switch (name) {
    case 'mlp':
      return { spec: benchModel('mlp', file), batchInput: 'x', canBatch: true };
    case 'squeezenet':
      return {
        spec: {
          name,
          file,
          inputs: { data: { dims: [1, 3, 224, 224], data: seededFloats(3 * 224 * 224, 4) } },
          outputName: 'softmaxout_1',
        },
        batchInput: 'data',
        canBatch: false,
        note:
          "SqueezeNet 1.0's input 'data' is fixed at [1,3,224,224]: the batch dimension is not dynamic, so its requests cannot share " +
          'a run and Proton rejects maxBatchSize > 0 at load. Only batching off is measured; the batching-on row shows the rejection.',
      };
  }
}

/** `rows` distinct rows of the model's batch input, stacked: row r is seeded with r. */
export function stackedInput(model: BatchingModel, rows: number): { dims: number[]; data: Float32Array } {
  const input = model.spec.inputs[model.batchInput];
  if (input === undefined) throw new Error(`${model.spec.name}: no input '${model.batchInput}'`);
  const rowLength = input.data.length / (input.dims[0] ?? 1);
  const data = new Float32Array(rows * rowLength);
  for (let r = 0; r < rows; r++) data.set(seededFloats(rowLength, 100 + r), r * rowLength);
  return { dims: [rows, ...input.dims.slice(1)], data };
}

/** Deterministic values in [-1, 1), the same on every run and every path. */
export function seededFloats(length: number, seed: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = Math.sin(seed * 1000 + i * 0.37);
  return data;
}

import { seededFloats, type FixedInput, type InProcessModel } from '../common/models';

/** `rows` distinct rows of the model's batch input, stacked: row r is seeded with 100 + r. */
export function stackedInput(model: InProcessModel, rows: number): FixedInput {
  const input = model.inputs[model.batchInput];
  if (input === undefined) throw new Error(`${model.name}: no input '${model.batchInput}'`);
  const rowLength = input.data.length / (input.dims[0] ?? 1);
  const data = new Float32Array(rows * rowLength);
  for (let r = 0; r < rows; r++) data.set(seededFloats(rowLength, 100 + r), r * rowLength);
  return { dims: [rows, ...input.dims.slice(1)], data };
}

/** Why a model's batching is not measured, when it cannot batch. */
export function cannotBatchNote(model: InProcessModel): string | undefined {
  if (model.canBatch) return undefined;
  return (
    `${model.name}'s input '${model.batchInput}' is fixed at [${model.inputs[model.batchInput]?.dims.join(',')}]: the batch dimension is not dynamic, ` +
    'so its requests cannot share a run and Proton rejects maxBatchSize > 0 at load. Only batching off is measured; the batching-on row shows the rejection.'
  );
}

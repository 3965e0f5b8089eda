/** A model's inputs and outputs as a client learns them from the server's V2 metadata. */

/** One input or output: V2 datatype name and shape, with -1 for a variable dimension. */
export interface TensorSpec {
  name: string;
  datatype: string;
  shape: number[];
}

/** What a client needs to know about a served model. */
export interface ModelSpec {
  name: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** Converts a V2 metadata object (REST JSON or the ModelMetadata RPC's response) into a spec, checking its shape. */
export function modelSpecOf(metadata: unknown, requested: string): ModelSpec {
  const value = metadata as { name?: unknown; inputs?: unknown; outputs?: unknown };
  if (typeof value !== 'object' || value === null || !Array.isArray(value.inputs) || !Array.isArray(value.outputs)) {
    throw new Error(`metadata of model '${requested}' has no inputs/outputs arrays: ${JSON.stringify(metadata)}`);
  }
  const tensors = (list: unknown[], what: string): TensorSpec[] =>
    list.map((entry, index) => {
      const tensor = entry as { name?: unknown; datatype?: unknown; shape?: unknown };
      if (typeof tensor.name !== 'string' || typeof tensor.datatype !== 'string' || !Array.isArray(tensor.shape)) {
        throw new Error(`metadata of model '${requested}': ${what}[${index}] lacks name, datatype or shape`);
      }
      // The gRPC loader gives int64 dimensions as decimal strings.
      return { name: tensor.name, datatype: tensor.datatype, shape: tensor.shape.map(Number) };
    });
  return {
    name: typeof value.name === 'string' && value.name !== '' ? value.name : requested,
    inputs: tensors(value.inputs, 'inputs'),
    outputs: tensors(value.outputs, 'outputs'),
  };
}

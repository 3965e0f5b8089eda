import * as ort from 'onnxruntime-node';
import type { ModelMetadata, TensorInfo } from '../../ts/model-types';
import { toV2Shape } from '../../ts/protocol/model-metadata';
import { toV2Datatype } from '../../ts/protocol/datatypes';
import { isTensorType } from '../../ts/protocol/datatypes';

/** A model's inputs and outputs, as Proton describes them, from an onnxruntime-node session. */
export function metadataOfSession(session: ort.InferenceSession): ModelMetadata {
  return { inputs: session.inputMetadata.map(tensorInfo), outputs: session.outputMetadata.map(tensorInfo) };
}

function tensorInfo(value: ort.InferenceSession.ValueMetadata): TensorInfo {
  if (!value.isTensor || !isTensorType(value.type)) {
    throw new Error(`'${value.name}' is not a tensor of a type the benchmark servers handle`);
  }
  return { name: value.name, type: value.type, shape: [...value.shape] };
}

/** The V2 model metadata answer (`GET /v2/models/{name}`) for `metadata`. */
export function v2ModelMetadata(name: string, metadata: ModelMetadata): object {
  const describe = (info: TensorInfo) => ({ name: info.name, datatype: toV2Datatype(info.type), shape: toV2Shape(info.shape) });
  return { name, versions: ['1'], platform: 'onnxruntime_onnx', inputs: metadata.inputs.map(describe), outputs: metadata.outputs.map(describe) };
}

/** A model file's metadata only: the session is released right away (for the ceilings, which never run a model). */
export async function readMetadata(file: string): Promise<ModelMetadata> {
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'disabled' });
  try {
    return metadataOfSession(session);
  } finally {
    await session.release();
  }
}

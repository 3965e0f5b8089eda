import { generateInputs, type NamedTensor } from '../../ts/client/input-generator';
import type { ModelSpec } from '../../ts/client/model-spec';
import type { ModelMetadata } from '../../ts/model-types';
import { toV2Shape } from '../../ts/protocol/model-metadata';
import { toV2Datatype } from '../../ts/protocol/datatypes';

/** Every variant sends the same generated inputs: one seed for the whole suite. */
export const INPUT_SEED = 1;

/** The inputs every client sends for a model. */
export function benchInputs(spec: ModelSpec): NamedTensor[] {
  return generateInputs(spec, INPUT_SEED);
}

/** The spec a client would learn from the server, built from the addon's metadata (for the ORT ceiling). */
export function specOfMetadata(name: string, metadata: ModelMetadata): ModelSpec {
  const describe = (info: ModelMetadata['inputs'][number]) => ({ name: info.name, datatype: toV2Datatype(info.type), shape: toV2Shape(info.shape) });
  return { name, inputs: metadata.inputs.map(describe), outputs: metadata.outputs.map(describe) };
}

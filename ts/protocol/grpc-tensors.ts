import { ProtonError } from '../errors';
import type { InferOutputs } from '../model-types';
import { toV2Datatype } from './datatypes';
import type { InferOutputTensor } from './grpc-messages';
import { encodeRawTensor } from './raw-codec';

/**
 * ModelInfer's response tensors: outputs always as `raw_output_contents` (what tritonclient reads;
 * typed contents would be ignored by it). Request inputs are read by the bounded wire decoder
 * (`infer-request-wire.ts`, `grpc-wire-contents.ts`).
 */

/** Encodes output tensors, in `names` order, as response outputs plus their raw contents. */
export function encodeInferOutputs(
  outputs: InferOutputs,
  names: readonly string[],
): { outputs: InferOutputTensor[]; raw_output_contents: Buffer[] } {
  const described: InferOutputTensor[] = [];
  const raw: Buffer[] = [];
  for (const name of names) {
    const tensor = outputs[name];
    if (!tensor) throw new ProtonError('INTERNAL', `the model returned no output '${name}'`);
    described.push({ name, datatype: toV2Datatype(tensor.type), shape: [...tensor.dims] });
    const bytes = encodeRawTensor(tensor);
    // A Buffer view of the output (no copy), as the message type declares.
    raw.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  return { outputs: described, raw_output_contents: raw };
}

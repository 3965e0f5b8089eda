import path from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { NamedTensor } from '../../ts/client/input-generator';
import { toV2Datatype } from '../../ts/protocol/datatypes';
import { encodeRawTensor } from '../../ts/protocol/raw-codec';
import { REPO_ROOT } from './paths';

/**
 * The Open Inference Protocol's gRPC service as the benchmarks see it: loaded straight from
 * proto/inference.proto (the message definitions nobody in bench/ re-declares), for the grpc-js
 * ceiling server and for h2load's prepared request body.
 */

export const INFERENCE_SERVICE = 'inference.GRPCInferenceService';
/** The HTTP/2 path of ModelInfer, where h2load posts. */
export const MODEL_INFER_PATH = `/${INFERENCE_SERVICE}/ModelInfer`;

let cached: ServiceDefinition | undefined;

/** The service definition (proto-loader keeps field names as written, raw contents as Buffers). */
export function inferenceService(): ServiceDefinition {
  cached ??= (() => {
    const definition = loadSync(path.join(REPO_ROOT, 'proto', 'inference.proto'), { keepCase: true, longs: String, enums: String, defaults: true });
    const service = definition[INFERENCE_SERVICE];
    if (service === undefined || 'format' in service) throw new Error(`proto/inference.proto has no service ${INFERENCE_SERVICE}`);
    return service as ServiceDefinition;
  })();
  return cached;
}

/** A ModelInferRequest with every input as raw contents, as Proton's gRPC client sends it. */
export function modelInferRequest(model: string, inputs: readonly NamedTensor[]): object {
  return {
    model_name: model,
    inputs: inputs.map((input) => ({ name: input.name, datatype: toV2Datatype(input.type), shape: [...input.dims] })),
    raw_input_contents: inputs.map((input) => {
      const bytes = encodeRawTensor(input);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }),
  };
}

/** The body of one unary gRPC call: the 5-byte frame prefix (uncompressed, big-endian length), then the message. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}

/** The serialized ModelInferRequest, framed for h2load's `-d`. */
export function modelInferBody(model: string, inputs: readonly NamedTensor[]): Buffer {
  const method = inferenceService().ModelInfer;
  if (method === undefined) throw new Error('the inference service has no ModelInfer');
  return grpcFrame(method.requestSerialize(modelInferRequest(model, inputs)));
}

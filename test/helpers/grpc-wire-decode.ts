import path from 'node:path';
import protobuf from 'protobufjs';

import type { InferInputs } from '../../ts/model-types';
import { decodeWireInferInputs } from '../../ts/protocol/grpc-wire-contents';
import { decodeModelInferRequest } from '../../ts/protocol/infer-request-wire';
import { DEFAULT_LIMITS } from '../../ts/protocol/limits';
import { PROTO_DIR } from '../../ts/protocol/proto-loading';

const root = new protobuf.Root().loadSync(path.join(PROTO_DIR, 'inference.proto'), { keepCase: true });
const ModelInferRequest = root.lookupType('inference.ModelInferRequest');

/**
 * ModelInfer inputs as the server decodes them: the request is encoded by protobufjs (an encoder
 * that is not ours) and read back by the bounded wire decoder the gRPC service installs.
 */
export function decodeThroughWire(inputs: readonly object[], raw: readonly Buffer[] = []): Promise<InferInputs> {
  const message = ModelInferRequest.fromObject({ model_name: 'm', inputs, raw_input_contents: raw });
  const bytes = Buffer.from(ModelInferRequest.encode(message).finish());
  const request = decodeModelInferRequest(bytes, DEFAULT_LIMITS);
  return decodeWireInferInputs(request.inputs, request.raw_input_contents, DEFAULT_LIMITS);
}

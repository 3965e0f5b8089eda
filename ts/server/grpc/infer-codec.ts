import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { ModelInferRequest, ModelInferResponse } from '../../protocol/grpc-messages';
import { decodeModelInferRequest } from '../../protocol/infer-request-wire';
import { encodeModelInferResponse } from '../../protocol/infer-response-wire';
import type { Limits } from '../../protocol/limits';

/**
 * inference.GRPCInferenceService with ModelInfer's requests read by the bounded wire decoder and
 * its responses written by the one-buffer encoder.
 */
export function withInferCodec(definition: ServiceDefinition, limits: Limits): ServiceDefinition {
  const infer = definition.ModelInfer as MethodDefinition<ModelInferRequest, ModelInferResponse>;
  return {
    ...definition,
    ModelInfer: {
      ...infer,
      requestDeserialize: (bytes: Buffer) => decodeModelInferRequest(bytes, limits),
      responseSerialize: encodeModelInferResponse,
    },
  };
}

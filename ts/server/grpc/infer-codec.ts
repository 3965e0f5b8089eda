import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { ModelInferRequest, ModelInferResponse } from '../../protocol/grpc-messages';
import { decodeModelInferRequest } from '../../protocol/infer-request-wire';
import { encodeModelInferResponse, encodeModelInferResponseInPieces } from '../../protocol/infer-response-wire';
import type { Limits } from '../../protocol/limits';

/** Responses with at least this many bytes of raw contents are encoded ahead, in pieces. */
const ENCODE_AHEAD_MIN_BYTES = 4 * 1024 * 1024;

/** Responses encoded ahead by `encodeLargeAhead`, which the serializer then hands over as they are. */
const ENCODED = new WeakMap<ModelInferResponse, Buffer>();

/**
 * Encodes a large response now, a few MiB per event-loop turn, so that grpc-js's synchronous call
 * of the serializer only hands its bytes over (grpc-js then still copies them once into its frame).
 */
export async function encodeLargeAhead(response: ModelInferResponse): Promise<ModelInferResponse> {
  let bytes = 0;
  for (const raw of response.raw_output_contents) bytes += raw.byteLength;
  if (bytes < ENCODE_AHEAD_MIN_BYTES) return response;
  ENCODED.set(response, await encodeModelInferResponseInPieces(response));
  // grpc-js's framing copy of the whole message gets a turn of its own.
  await yieldToLoop();
  return response;
}

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
      responseSerialize: (response: ModelInferResponse) => ENCODED.get(response) ?? encodeModelInferResponse(response),
    },
  };
}

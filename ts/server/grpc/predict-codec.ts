import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { Reader, Writer } from 'protobufjs';
import { ProtonError } from '../../errors';
import type { ServerPredictRequest, ServerPredictResponse } from '../../protocol/grpc-messages';
import { DEFAULT_LIMITS, type Limits } from '../../protocol/limits';

/**
 * The server side of predict.Predictor's wire format, without per-element conversion: packed
 * `data` is read as a Float32Array view of the received message and written from the output's
 * bytes. The generic proto-loader path turns a 150,528-float SqueezeNet request into a JS array
 * element by element (about 8 ms); this takes well under 1 ms. Field numbers are those of
 * proto/predict.proto; the tests speak both proto-loader clients and hand-encoded bytes to it.
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const tag = (field: number, wireType: number): number => (field << 3) | wireType;

const REQUEST_MODEL_NAME = tag(1, WIRE_LENGTH_DELIMITED);
const REQUEST_DATA_PACKED = tag(2, WIRE_LENGTH_DELIMITED);
const REQUEST_DATA_SINGLE = tag(2, WIRE_FIXED32);
const REQUEST_SHAPE_PACKED = tag(3, WIRE_LENGTH_DELIMITED);
const REQUEST_SHAPE_SINGLE = tag(3, WIRE_VARINT);

const RESPONSE_PREDICTION_ID = tag(1, WIRE_LENGTH_DELIMITED);
const RESPONSE_MODEL_NAME = tag(2, WIRE_LENGTH_DELIMITED);
const RESPONSE_DATA = tag(3, WIRE_LENGTH_DELIMITED);
const RESPONSE_SHAPE = tag(4, WIRE_LENGTH_DELIMITED);

/** Protobuf floats are little-endian; typed-array views are only valid on little-endian hosts. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A decoded predict request: `decodeError` is set (and the rest incomplete) when it is malformed or over a limit. */
export interface WirePredictRequest extends ServerPredictRequest {
  /** Bytes of the (decompressed) message, for the server-wide in-flight budget. */
  wireBytes: number;
  decodeError: ProtonError | undefined;
}

/** Unpacked floats cost a tag each: beyond this many, a client must send `data` packed (proto3's default). */
const MAX_UNPACKED_FLOATS = 1 << 20;
/** Packed `data` may be split across fields, but not into more pieces than this. */
const MAX_DATA_PIECES = 1024;

/**
 * Decodes an InferenceRequest within `limits`; repeated fields may come packed, unpacked or split,
 * as protobuf allows. Never throws (grpc-js would answer INTERNAL): see `decodeError`.
 */
export function decodePredictRequest(bytes: Buffer, limits: Limits = DEFAULT_LIMITS): WirePredictRequest {
  const request: WirePredictRequest = {
    model_name: '',
    data: new Float32Array(0),
    shape: [],
    wireBytes: bytes.byteLength,
    decodeError: undefined,
  };
  try {
    const reader = Reader.create(bytes);
    const chunks: Float32Array[] = [];
    let elements = 0;
    let singles: number[] = [];
    let unpacked = 0;
    const addChunk = (chunk: Float32Array): void => {
      if (chunk.length === 0) return;
      elements += chunk.length;
      if (elements > limits.maxTensorElements) {
        throw invalid(`data has more than the limit of ${limits.maxTensorElements} elements`);
      }
      if (chunks.length >= MAX_DATA_PIECES) throw invalid(`data is split into more than ${MAX_DATA_PIECES} pieces`);
      chunks.push(chunk);
    };
    const flushSingles = (): void => {
      if (singles.length > 0) addChunk(Float32Array.from(singles));
      singles = [];
    };
    const addDim = (dim: number): void => {
      if (request.shape.length >= limits.maxRank) throw invalid(`shape has more than the limit of ${limits.maxRank} dimensions`);
      request.shape.push(dim);
    };
    while (reader.pos < reader.len) {
      const key = reader.uint32();
      switch (key) {
        case REQUEST_MODEL_NAME:
          request.model_name = reader.string();
          break;
        case REQUEST_DATA_PACKED: {
          const length = reader.uint32();
          if (length > reader.len - reader.pos) throw invalid('packed data runs past the end of the message');
          flushSingles();
          addChunk(floatsAt(bytes, reader.pos, length));
          reader.skip(length);
          break;
        }
        case REQUEST_DATA_SINGLE:
          if (++unpacked > MAX_UNPACKED_FLOATS) throw invalid(`more than ${MAX_UNPACKED_FLOATS} unpacked data elements; send data packed`);
          singles.push(reader.float());
          break;
        case REQUEST_SHAPE_PACKED: {
          const end = reader.uint32() + reader.pos;
          if (end > reader.len) throw invalid('packed shape runs past the end of the message');
          while (reader.pos < end) addDim(reader.int32());
          break;
        }
        case REQUEST_SHAPE_SINGLE:
          addDim(reader.int32());
          break;
        default:
          reader.skipType(key & 7);
      }
    }
    flushSingles();
    request.data = concatenate(chunks);
  } catch (error) {
    request.decodeError = error instanceof ProtonError ? error : invalid(`malformed InferenceRequest: ${(error as Error).message}`);
  }
  return request;
}

function invalid(message: string): ProtonError {
  return new ProtonError('INVALID_ARGUMENT', message);
}

/** Encodes an InferenceResponse, writing `data` as one packed block of its bytes. */
export function encodePredictResponse(response: ServerPredictResponse): Buffer {
  const writer = Writer.create();
  if (response.prediction_id) writer.uint32(RESPONSE_PREDICTION_ID).string(response.prediction_id);
  if (response.model_name) writer.uint32(RESPONSE_MODEL_NAME).string(response.model_name);
  if (response.data.length > 0) writer.uint32(RESPONSE_DATA).bytes(littleEndianBytes(response.data));
  if (response.shape.length > 0) {
    writer.uint32(RESPONSE_SHAPE).fork();
    for (const dim of response.shape) writer.int32(dim);
    writer.ldelim();
  }
  return writer.finish() as Buffer;
}

/** predict.Predictor's definition with this codec on the server side (clients keep proto-loader's). */
export function withPredictCodec(definition: ServiceDefinition, limits: Limits = DEFAULT_LIMITS): ServiceDefinition {
  const predict = definition.Predict as MethodDefinition<ServerPredictRequest, ServerPredictResponse>;
  return {
    ...definition,
    Predict: {
      ...predict,
      requestDeserialize: (bytes: Buffer) => decodePredictRequest(bytes, limits),
      responseSerialize: encodePredictResponse,
    },
  };
}

function floatsAt(bytes: Buffer, offset: number, length: number): Float32Array {
  if (length % 4 !== 0) throw invalid(`packed float data of ${length} bytes is not a whole number of floats`);
  const start = bytes.byteOffset + offset;
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, start, length);
    return Float32Array.from({ length: length / 4 }, (_, i) => view.getFloat32(i * 4, true));
  }
  // A view when aligned (the received message outlives the request); else one copy.
  if (start % 4 === 0) return new Float32Array(bytes.buffer, start, length / 4);
  return new Float32Array(bytes.buffer.slice(start, start + length));
}

function concatenate(chunks: Float32Array[]): Float32Array {
  if (chunks.length === 1) return chunks[0] as Float32Array;
  const out = new Float32Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function littleEndianBytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return out;
}

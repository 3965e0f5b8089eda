import { ProtonError } from '../errors';
import type { InferInputTensor, InferParameter, InferRequestedOutputTensor, ModelInferRequest } from './grpc-messages';
import { excerpt, type Limits } from './limits';
import { WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader } from './wire-reader';

/**
 * The server's deserializer of `inference.ModelInferRequest`, in place of proto-loader's: it reads
 * the message structure with every count bounded by the limits and leaves each input's typed
 * `contents` as a view of its bytes, decoded later into a typed array (grpc-wire-contents.ts), so
 * no attacker-sized JS array is ever built. It never throws: a bad message comes back with
 * `decodeError` set, which the handler answers with the right status (grpc-js would say INTERNAL).
 */

/** An input as decoded here: `contents` stays null; its bytes wait in `contentsBytes`. */
export interface WireInferInputTensor extends InferInputTensor {
  contentsBytes: Buffer | undefined;
}

export interface WireModelInferRequest extends ModelInferRequest {
  inputs: WireInferInputTensor[];
  /** Bytes of the (decompressed) message, for the server-wide in-flight budget. */
  wireBytes: number;
  /** Set when the message is malformed or over a limit; the other fields are then incomplete. */
  decodeError: ProtonError | undefined;
}

const tooMany = (what: string, limit: number): ProtonError =>
  new ProtonError('INVALID_ARGUMENT', `the request has more than ${limit} ${what}`);

/** Decodes a ModelInferRequest within `limits` (see the file comment). */
export function decodeModelInferRequest(bytes: Buffer, limits: Limits): WireModelInferRequest {
  const request: WireModelInferRequest = {
    model_name: '',
    model_version: '',
    id: '',
    parameters: Object.create(null) as Record<string, InferParameter>,
    inputs: [],
    outputs: [],
    raw_input_contents: [],
    wireBytes: bytes.byteLength,
    decodeError: undefined,
  };
  try {
    const reader = new WireReader(bytes);
    while (!reader.done) {
      const key = reader.varint32();
      const field = key >>> 3;
      const wireType = key & 7;
      if (wireType !== WIRE_LENGTH_DELIMITED || field < 1 || field > 7) {
        reader.skip(wireType);
        continue;
      }
      switch (field) {
        case 1:
          request.model_name = reader.string();
          break;
        case 2:
          request.model_version = reader.string();
          break;
        case 3:
          request.id = reader.string();
          break;
        case 4:
          readParameterEntry(reader, request.parameters, limits);
          break;
        case 5:
          if (request.inputs.length >= limits.maxTensors) throw tooMany('inputs', limits.maxTensors);
          request.inputs.push(readInput(reader, limits));
          break;
        case 6:
          if (request.outputs.length >= limits.maxTensors) throw tooMany('requested outputs', limits.maxTensors);
          request.outputs.push(readOutput(reader, limits));
          break;
        case 7:
          if (request.raw_input_contents.length >= limits.maxTensors) throw tooMany('raw_input_contents', limits.maxTensors);
          request.raw_input_contents.push(reader.bytesView());
          break;
      }
    }
  } catch (error) {
    request.decodeError =
      error instanceof ProtonError ? error : new ProtonError('INVALID_ARGUMENT', `malformed ModelInferRequest: ${String(error)}`);
  }
  return request;
}

function sub(reader: WireReader): WireReader {
  const [start, end] = reader.delimited();
  return new WireReader(reader.bytes, start, end);
}

function readInput(outer: WireReader, limits: Limits): WireInferInputTensor {
  const reader = sub(outer);
  const input: WireInferInputTensor = {
    name: '',
    datatype: '',
    shape: [],
    parameters: Object.create(null) as Record<string, InferParameter>,
    contents: null,
    contentsBytes: undefined,
  };
  const shape: number[] = [];
  const addDim = (dim: number): void => {
    if (shape.length >= limits.maxRank) {
      throw new ProtonError('INVALID_ARGUMENT', `input '${excerpt(input.name)}': rank exceeds the limit of ${limits.maxRank}`);
    }
    shape.push(dim);
  };
  while (!reader.done) {
    const key = reader.varint32();
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 3 && wireType === WIRE_VARINT) addDim(reader.int64());
    else if (field === 3 && wireType === WIRE_LENGTH_DELIMITED) {
      const packed = sub(reader);
      while (!packed.done) addDim(packed.int64());
    } else if (wireType !== WIRE_LENGTH_DELIMITED) reader.skip(wireType);
    else if (field === 1) input.name = reader.string();
    else if (field === 2) input.datatype = reader.string();
    else if (field === 4) readParameterEntry(reader, input.parameters, limits);
    else if (field === 5) input.contentsBytes = reader.bytesView();
    else reader.skip(wireType);
  }
  input.shape = shape;
  return input;
}

function readOutput(outer: WireReader, limits: Limits): InferRequestedOutputTensor {
  const reader = sub(outer);
  const output: InferRequestedOutputTensor = { name: '', parameters: Object.create(null) as Record<string, InferParameter> };
  while (!reader.done) {
    const key = reader.varint32();
    if (key === ((1 << 3) | WIRE_LENGTH_DELIMITED)) output.name = reader.string();
    else if (key === ((2 << 3) | WIRE_LENGTH_DELIMITED)) readParameterEntry(reader, output.parameters, limits);
    else reader.skip(key & 7);
  }
  return output;
}

/** One `map<string, InferParameter>` entry: key = 1, value = 2. */
function readParameterEntry(outer: WireReader, into: Record<string, InferParameter>, limits: Limits): void {
  if (Object.keys(into).length >= limits.maxTensors) throw tooMany('parameters', limits.maxTensors);
  const reader = sub(outer);
  let name = '';
  let value: InferParameter = {};
  while (!reader.done) {
    const key = reader.varint32();
    if (key === ((1 << 3) | WIRE_LENGTH_DELIMITED)) name = reader.string();
    else if (key === ((2 << 3) | WIRE_LENGTH_DELIMITED)) value = readParameter(sub(reader));
    else reader.skip(key & 7);
  }
  into[name] = value;
}

function readParameter(reader: WireReader): InferParameter {
  let parameter: InferParameter = {};
  while (!reader.done) {
    const key = reader.varint32();
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 1 && wireType === WIRE_VARINT) parameter = { parameter_choice: 'bool_param', bool_param: reader.varint64() !== 0 || reader.hi !== 0 };
    else if ((field === 2 || field === 5) && wireType === WIRE_VARINT) {
      const lo = reader.varint64();
      const big = (BigInt(reader.hi) << 32n) | BigInt(lo);
      const text = field === 2 ? BigInt.asIntN(64, big).toString() : big.toString();
      parameter = field === 2 ? { parameter_choice: 'int64_param', int64_param: text } : { parameter_choice: 'uint64_param', uint64_param: text };
    } else if (field === 3 && wireType === WIRE_LENGTH_DELIMITED) parameter = { parameter_choice: 'string_param', string_param: reader.string() };
    else if (field === 4 && wireType === WIRE_FIXED64) {
      const at = reader.pos;
      reader.advance(8);
      const view = new DataView(reader.bytes.buffer, reader.bytes.byteOffset + at, 8);
      parameter = { parameter_choice: 'double_param', double_param: view.getFloat64(0, true) };
    } else reader.skip(wireType);
  }
  return parameter;
}

import { endianness } from 'node:os';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ProtonError } from '../errors';
import { copyInPieces } from './copy-in-pieces';
import type { InferInputs } from '../model-types';
import { TYPED_ARRAY_OF, contentsFieldOf, toV2Datatype, fromV2Datatype, integerRangeOf, type ContentsField, type TensorType } from './datatypes';
import type { WireInferInputTensor } from './infer-request-wire';
import { checkShape, excerpt, shapeText, type Limits } from './limits';
import { decodeRawTensor } from './raw-codec';
import type { Tensor, TensorData } from './tensor';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader } from './wire-reader';

/**
 * Typed `contents` of ModelInfer inputs, decoded from their wire bytes straight into typed arrays:
 * the shape is checked against the limits and against the bytes present before the array is
 * allocated, and decoding yields to the event loop every YIELD_EVERY elements, so no request holds
 * the loop for long whatever its size.
 */

const YIELD_EVERY = 1 << 18;

/** Field number of each typed-contents field in InferTensorContents. */
const FIELD_NUMBER: Readonly<Record<ContentsField, number>> = {
  bool_contents: 1,
  int_contents: 2,
  int64_contents: 3,
  uint_contents: 4,
  uint64_contents: 5,
  fp32_contents: 6,
  fp64_contents: 7,
  bytes_contents: 8,
};
const FIELD_NAME: ReadonlyMap<number, ContentsField> = new Map(
  (Object.keys(FIELD_NUMBER) as ContentsField[]).map((field) => [FIELD_NUMBER[field], field]),
);
/** The fewest wire bytes one element of each field takes (unpacked bytes: tag + length). */
const MIN_BYTES: Readonly<Record<ContentsField, number>> = {
  bool_contents: 1,
  int_contents: 1,
  int64_contents: 1,
  uint_contents: 1,
  uint64_contents: 1,
  fp32_contents: 4,
  fp64_contents: 8,
  bytes_contents: 2,
};

/**
 * Decodes the inputs of a ModelInferRequest decoded by infer-request-wire.ts.
 * @throws ProtonError INVALID_ARGUMENT naming the input and the problem
 */
export async function decodeWireInferInputs(
  inputs: readonly WireInferInputTensor[],
  raw: readonly Buffer[],
  limits: Limits,
): Promise<InferInputs> {
  const useRaw = raw.length > 0;
  if (useRaw && raw.length !== inputs.length) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `raw_input_contents has ${raw.length} entries but the request has ${inputs.length} inputs; send one per input, in order`,
    );
  }
  // No prototype: an input named "__proto__" is an input like any other (and unknown to the model).
  const decoded = Object.create(null) as InferInputs;
  let strings = 0;
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index] as WireInferInputTensor;
    const what = `input '${excerpt(input.name)}'`;
    if (Object.hasOwn(decoded, input.name)) throw new ProtonError('INVALID_ARGUMENT', `${what} appears more than once`);
    const type = fromV2Datatype(input.datatype);
    if (type === undefined) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: unsupported datatype '${excerpt(input.datatype)}'`);
    }
    const dims = input.shape.map(Number);
    if (!dims.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: invalid shape ${shapeText(dims)}; dimensions must be non-negative integers`);
    }
    const count = checkShape(dims, limits, what);
    if (type === 'string') {
      strings += count;
      if (strings > limits.maxStringElements) {
        throw new ProtonError('INVALID_ARGUMENT', `${what}: the request holds more than ${limits.maxStringElements} BYTES elements`);
      }
    }
    let data: TensorData;
    if (useRaw) {
      if (input.contentsBytes !== undefined && input.contentsBytes.byteLength > 0) {
        throw new ProtonError('INVALID_ARGUMENT', `${what}: contents must be empty when raw_input_contents is used; send every input one way`);
      }
      data = decodeRawTensor(type, dims, await aligned(type, count, raw[index] as Buffer), what);
    } else {
      data = await decodeWireContents(type, dims, count, input.contentsBytes, what);
    }
    decoded[input.name] = { type, dims, data } as Tensor;
  }
  return decoded;
}

/**
 * `bytes` as a plain Uint8Array the raw codec can view as `count` of `type` without a copy: the bytes
 * themselves when aligned, else a copy made a few MiB per event-loop turn (the codec's own copy of
 * misaligned data is one synchronous copy, which for 64 MiB held the loop for tens of ms).
 */
async function aligned(type: TensorType, count: number, bytes: Buffer): Promise<Uint8Array> {
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === 'string') return view;
  const size = TYPED_ARRAY_OF[type].BYTES_PER_ELEMENT;
  // Of the wrong length, the codec refuses it: no copy for that.
  if (bytes.byteOffset % size === 0 || bytes.byteLength !== count * size) return view;
  const copy = new Uint8Array(bytes.byteLength);
  await copyInPieces(copy, 0, view);
  return copy;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * FP32 and FP64 contents packed in one field of exactly the shape's elements, as clients send them:
 * little-endian bytes like the host's, so they are a view of the message where aligned, else one
 * copy made in pieces, instead of an element-by-element decode. Undefined for anything else,
 * which the general decoder then reads (and reports).
 */
async function packedFloats(type: TensorType, count: number, bytes: Buffer, fieldNumber: number): Promise<TensorData | undefined> {
  if ((type !== 'float32' && type !== 'float64') || !LITTLE_ENDIAN) return undefined;
  const ArrayType = TYPED_ARRAY_OF[type];
  const reader = new WireReader(bytes);
  if (reader.done || reader.varint32() !== ((fieldNumber << 3) | WIRE_LENGTH_DELIMITED)) return undefined;
  const [start, end] = reader.delimited();
  if (!reader.done || end - start !== count * ArrayType.BYTES_PER_ELEMENT) return undefined;
  const offset = bytes.byteOffset + start;
  if (offset % ArrayType.BYTES_PER_ELEMENT === 0) return new ArrayType(bytes.buffer as ArrayBuffer, offset, count);
  const out = new ArrayType(count);
  await copyInPieces(new Uint8Array(out.buffer), 0, bytes.subarray(start, end));
  return out;
}

async function decodeWireContents(
  type: TensorType,
  dims: readonly number[],
  count: number,
  bytes: Buffer | undefined,
  what: string,
): Promise<TensorData> {
  const field = contentsFieldOf(type);
  if (field === null) {
    throw new ProtonError('INVALID_ARGUMENT', `${what}: ${toV2Datatype(type)} has no typed contents field; send it in raw_input_contents`);
  }
  // Never allocate more elements than the bytes present can hold, whatever the shape claims.
  const capacity = Math.min(count, Math.floor((bytes?.byteLength ?? 0) / MIN_BYTES[field]));
  const number = FIELD_NUMBER[field];
  if (bytes !== undefined) {
    const floats = await packedFloats(type, count, bytes, number);
    if (floats !== undefined) return floats;
  }
  const sink = new ElementSink(type, field, count, capacity, what);
  if (bytes === undefined) return sink.finish(dims);
  const reader = new WireReader(bytes);
  let sinceYield = 0;
  while (!reader.done) {
    const key = reader.varint32();
    const fieldNumber = key >>> 3;
    const wireType = key & 7;
    if (fieldNumber !== number) {
      const other = FIELD_NAME.get(fieldNumber);
      if (other !== undefined) {
        throw new ProtonError('INVALID_ARGUMENT', `${what}: ${toV2Datatype(type)} elements belong in contents.${field}, not contents.${other}`);
      }
      reader.skip(wireType);
      continue;
    }
    if (wireType === WIRE_LENGTH_DELIMITED && field !== 'bytes_contents') {
      const [start, end] = reader.delimited();
      const packed = new WireReader(bytes, start, end);
      while (!packed.done) {
        sink.read(packed);
        if (++sinceYield === YIELD_EVERY) {
          sinceYield = 0;
          await yieldToLoop();
        }
      }
    } else {
      if (wireType !== sink.wireType) {
        throw new ProtonError('INVALID_ARGUMENT', `${what}: contents.${field} has wire type ${wireType}, expected ${sink.wireType}`);
      }
      sink.read(reader);
      if (++sinceYield === YIELD_EVERY) {
        sinceYield = 0;
        await yieldToLoop();
      }
    }
  }
  return sink.finish(dims);
}

/** Collects the elements of one contents field into its typed array, refusing more than `count`. */
class ElementSink {
  private filled = 0;
  private readonly out: TensorData;
  readonly wireType: number;
  private readonly range: readonly [number, number] | undefined;

  constructor(
    private readonly type: TensorType,
    private readonly field: ContentsField,
    private readonly count: number,
    capacity: number,
    private readonly what: string,
  ) {
    switch (type) {
      case 'string':
        this.out = [];
        this.wireType = WIRE_LENGTH_DELIMITED;
        break;
      case 'float32':
        this.out = new Float32Array(capacity);
        this.wireType = WIRE_FIXED32;
        break;
      case 'float64':
        this.out = new Float64Array(capacity);
        this.wireType = WIRE_FIXED64;
        break;
      case 'int64':
        this.out = new BigInt64Array(capacity);
        this.wireType = WIRE_VARINT;
        break;
      case 'uint64':
        this.out = new BigUint64Array(capacity);
        this.wireType = WIRE_VARINT;
        break;
      case 'bool':
        this.out = new Uint8Array(capacity);
        this.wireType = WIRE_VARINT;
        break;
      default: {
        const ArrayType = { int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array }[
          type as 'int8'
        ];
        this.out = new ArrayType(capacity);
        this.wireType = WIRE_VARINT;
        this.range = integerRangeOf(type) as readonly [number, number];
      }
    }
  }

  read(reader: WireReader): void {
    const index = this.filled;
    if (index === this.count || (this.type !== 'string' && index === (this.out as Uint8Array).length)) {
      throw new ProtonError('INVALID_ARGUMENT', `${this.what}: contents.${this.field} has more than the ${this.count} elements of its shape`);
    }
    const out = this.out;
    switch (this.type) {
      case 'string': {
        // A view of the message (no copy): one ArrayBuffer per element made 100k-element requests
        // spend tens of ms in allocation and GC.
        const [start, end] = reader.delimited();
        const message = reader.bytes as Buffer;
        (out as Uint8Array[]).push(new Uint8Array(message.buffer, message.byteOffset + start, end - start));
        break;
      }
      case 'float32': {
        const at = reader.pos;
        reader.advance(4);
        (out as Float32Array)[index] = (reader.bytes as Buffer).readFloatLE(at);
        break;
      }
      case 'float64': {
        const at = reader.pos;
        reader.advance(8);
        (out as Float64Array)[index] = (reader.bytes as Buffer).readDoubleLE(at);
        break;
      }
      case 'int64':
      case 'uint64': {
        const lo = reader.varint64();
        const big = (BigInt(reader.hi) << 32n) | BigInt(lo);
        (out as BigInt64Array | BigUint64Array)[index] = this.type === 'int64' ? BigInt.asIntN(64, big) : big;
        break;
      }
      case 'bool': {
        const lo = reader.varint32();
        (out as Uint8Array)[index] = lo !== 0 || reader.hi !== 0 ? 1 : 0;
        break;
      }
      default: {
        const lo = reader.varint32();
        const value = this.type.startsWith('u') ? lo >>> 0 : lo | 0;
        const [min, max] = this.range as readonly [number, number];
        if (value < min || value > max || (this.type.startsWith('u') && reader.hi !== 0)) {
          throw new ProtonError('INVALID_ARGUMENT', `${this.what}: element ${index} (${value}) is out of range for ${this.type}`);
        }
        (out as Int32Array)[index] = value;
      }
    }
    this.filled++;
  }

  finish(dims: readonly number[]): TensorData {
    if (this.filled !== this.count) {
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `${this.what}: shape ${shapeText(dims)} has ${this.count} elements but contents.${this.field} has ${this.filled}`,
      );
    }
    return this.out;
  }
}

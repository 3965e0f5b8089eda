import { copyInPieces } from './copy-in-pieces';
import type { Int64, ModelInferResponse } from './grpc-messages';
import { WIRE_LENGTH_DELIMITED } from './wire-reader';

/**
 * The server's serializer of `inference.ModelInferResponse`, in place of proto-loader's: it sizes
 * the message, allocates one Buffer and writes every field into it, raw output contents copied
 * once straight from the outputs' memory (proto-loader copies the object tree, encodes it into a
 * chain of operations, then copies the result again). It writes what Proton's responses hold:
 * names, datatypes, shapes and `raw_output_contents`; empty strings are left out, as proto3 does.
 */

const tag = (field: number): number => (field << 3) | WIRE_LENGTH_DELIMITED;
const MODEL_NAME = tag(1);
const MODEL_VERSION = tag(2);
const ID = tag(3);
const OUTPUTS = tag(5);
const RAW_OUTPUT_CONTENTS = tag(6);
const OUTPUT_NAME = tag(1);
const OUTPUT_DATATYPE = tag(2);
const OUTPUT_SHAPE = tag(3);

/** Bytes of the varint of a non-negative safe integer. */
function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** An int64 as the unsigned 64-bit value its varint carries (negatives in two's complement). */
function int64Bits(dim: Int64): number | bigint {
  const value = typeof dim === 'number' ? dim : Number(dim);
  if (Number.isSafeInteger(value) && value >= 0) return value;
  return BigInt.asUintN(64, BigInt(dim));
}

function int64Size(bits: number | bigint): number {
  if (typeof bits === 'number') return varintSize(bits);
  let size = 1;
  for (let rest = bits >> 7n; rest > 0n; rest >>= 7n) size++;
  return size;
}

class MessageWriter {
  pos = 0;
  constructor(readonly buffer: Buffer) {}

  varint(value: number): void {
    const buffer = this.buffer;
    while (value >= 128) {
      buffer[this.pos++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    buffer[this.pos++] = value;
  }

  int64(bits: number | bigint): void {
    if (typeof bits === 'number') return this.varint(bits);
    while (bits >= 128n) {
      this.buffer[this.pos++] = Number(bits & 127n) | 128;
      bits >>= 7n;
    }
    this.buffer[this.pos++] = Number(bits);
  }

  string(key: number, text: string, bytes: number): void {
    this.buffer[this.pos++] = key;
    this.varint(bytes);
    this.pos += this.buffer.write(text, this.pos, 'utf8');
  }

  /** A bytes field's key and length; the caller copies its `length` bytes to the returned offset. */
  bytesHead(key: number, length: number): number {
    this.buffer[this.pos++] = key;
    this.varint(length);
    const at = this.pos;
    this.pos += length;
    return at;
  }
}

/** Bytes of a string field (key, length, UTF-8), 0 when the string is empty and left out. */
function stringFieldSize(bytes: number): number {
  return bytes === 0 ? 0 : 1 + varintSize(bytes) + bytes;
}

/** Serializes a ModelInferResponse (see the file comment for what it writes). */
export function encodeModelInferResponse(response: ModelInferResponse): Buffer {
  const { buffer, contents } = encodeAllButContents(response);
  for (const [at, raw] of contents) buffer.set(raw, at);
  return buffer;
}

/**
 * The same bytes as `encodeModelInferResponse`, the raw output contents copied a few MiB per
 * event-loop turn: for responses of many MiB, whose single copy would hold the loop.
 */
export async function encodeModelInferResponseInPieces(response: ModelInferResponse): Promise<Buffer> {
  const { buffer, contents } = encodeAllButContents(response);
  for (const [at, raw] of contents) await copyInPieces(buffer, at, raw);
  return buffer;
}

/** The message with every field written but the raw contents' bytes, and where each of those goes. */
function encodeAllButContents(response: ModelInferResponse): { buffer: Buffer; contents: Array<[number, Uint8Array]> } {
  const nameBytes = Buffer.byteLength(response.model_name);
  const versionBytes = Buffer.byteLength(response.model_version);
  const idBytes = Buffer.byteLength(response.id);
  let total = stringFieldSize(nameBytes) + stringFieldSize(versionBytes) + stringFieldSize(idBytes);
  const outputs = response.outputs.map((output) => {
    const name = Buffer.byteLength(output.name);
    const datatype = Buffer.byteLength(output.datatype);
    const dims = output.shape.map(int64Bits);
    let shape = 0;
    for (const bits of dims) shape += int64Size(bits);
    const size = stringFieldSize(name) + stringFieldSize(datatype) + (dims.length > 0 ? 1 + varintSize(shape) + shape : 0);
    total += 1 + varintSize(size) + size;
    return { name, datatype, dims, shape, size };
  });
  for (const raw of response.raw_output_contents) total += 1 + varintSize(raw.byteLength) + raw.byteLength;

  const writer = new MessageWriter(Buffer.allocUnsafe(total));
  if (nameBytes > 0) writer.string(MODEL_NAME, response.model_name, nameBytes);
  if (versionBytes > 0) writer.string(MODEL_VERSION, response.model_version, versionBytes);
  if (idBytes > 0) writer.string(ID, response.id, idBytes);
  response.outputs.forEach((output, index) => {
    const sized = outputs[index] as (typeof outputs)[number];
    writer.buffer[writer.pos++] = OUTPUTS;
    writer.varint(sized.size);
    if (sized.name > 0) writer.string(OUTPUT_NAME, output.name, sized.name);
    if (sized.datatype > 0) writer.string(OUTPUT_DATATYPE, output.datatype, sized.datatype);
    if (sized.dims.length > 0) {
      writer.buffer[writer.pos++] = OUTPUT_SHAPE;
      writer.varint(sized.shape);
      for (const bits of sized.dims) writer.int64(bits);
    }
  });
  const contents = response.raw_output_contents.map((raw): [number, Uint8Array] => [writer.bytesHead(RAW_OUTPUT_CONTENTS, raw.byteLength), raw]);
  return { buffer: writer.buffer, contents };
}

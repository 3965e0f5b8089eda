import { ProtonError } from '../errors';

/**
 * A bounds-checked protobuf wire reader over one buffer: every length is checked against the
 * bytes left before anything is sliced, and every failure is a ProtonError INVALID_ARGUMENT
 * (never a RangeError from deep inside a decoder).
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

function malformed(why: string): ProtonError {
  return new ProtonError('INVALID_ARGUMENT', `malformed protobuf message: ${why}`);
}

export class WireReader {
  pos: number;
  readonly end: number;
  /** The high 32 bits of the last varint read by varint64(). */
  hi = 0;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.byteLength,
  ) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint's low 32 bits (as an unsigned number); the high bits land in `hi`. */
  varint64(): number {
    const bytes = this.bytes;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed('truncated varint');
      const byte = bytes[this.pos++] as number;
      if (shift < 28) lo |= (byte & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (byte & 0x0f) << 28;
        hi |= (byte & 0x7f) >>> 4;
      } else hi |= (byte & 0x7f) << (shift - 32);
      if (byte < 0x80) {
        this.hi = hi >>> 0;
        return lo >>> 0;
      }
      shift += 7;
    }
    throw malformed('varint longer than 10 bytes');
  }

  /** A varint as a 32-bit value (the low bits, as protobuf truncates). */
  varint32(): number {
    const bytes = this.bytes;
    const pos = this.pos;
    if (pos < this.end && (bytes[pos] as number) < 0x80) {
      this.pos = pos + 1;
      this.hi = 0;
      return bytes[pos] as number;
    }
    return this.varint64();
  }

  /** An int64 varint as a number (exact up to 2^53; the caller checks the range). */
  int64(): number {
    const lo = this.varint64();
    return (this.hi | 0) * 2 ** 32 + lo;
  }

  /** The [start, end) of a length-delimited field's payload; advances past it. */
  delimited(): [number, number] {
    const length = this.varint32();
    if (this.hi !== 0 || length > this.end - this.pos) throw malformed('a length-delimited field runs past the end of its message');
    const start = this.pos;
    this.pos += length;
    return [start, this.pos];
  }

  string(): string {
    const [start, end] = this.delimited();
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString('utf8');
  }

  /** A Buffer view (no copy) of a bytes field. */
  bytesView(): Buffer {
    const [start, end] = this.delimited();
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.delimited();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw malformed(`unsupported wire type ${wireType}`);
    }
  }

  advance(n: number): void {
    if (n > this.end - this.pos) throw malformed('a fixed-width field runs past the end of its message');
    this.pos += n;
  }
}

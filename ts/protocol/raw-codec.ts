import { ProtonError } from '../errors';
import { TYPED_ARRAY_OF, type TensorType } from './datatypes';
import { bytesOf, elementCount, type Tensor, type TensorData } from './tensor';

/**
 * The raw tensor encoding shared by the V2 binary extension and gRPC raw contents:
 * little-endian, row-major, no padding; BYTES elements as a 4-byte LE length then the bytes.
 */

/**
 * Decodes raw bytes into tensor data of `type` with `dims`; `what` names the tensor in errors.
 * Numeric data and BYTES elements are views of `bytes` where alignment allows.
 */
export function decodeRawTensor(type: TensorType, dims: readonly number[], bytes: Uint8Array, what: string): TensorData {
  const count = elementCount(dims);
  if (type === 'string') return decodeRawBytes(count, bytes, what);
  const ArrayType = TYPED_ARRAY_OF[type];
  const expected = count * ArrayType.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== expected) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `${what}: expected ${expected} bytes for ${type} [${dims.join(',')}], received ${bytes.byteLength}`,
    );
  }
  // Typed arrays need aligned offsets; copy only when the slice is misaligned.
  if (bytes.byteOffset % ArrayType.BYTES_PER_ELEMENT === 0) {
    return new ArrayType(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  }
  // Uint8Array.prototype.slice copies; Buffer#slice would return a view of the same bytes.
  return new ArrayType(Uint8Array.prototype.slice.call(bytes).buffer, 0, count);
}

function decodeRawBytes(count: number, bytes: Uint8Array, what: string): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (elements.length === count) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: more than the ${count} BYTES elements its shape holds`);
    }
    if (offset + 4 > bytes.byteLength) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: BYTES element ${elements.length} has a truncated length prefix`);
    }
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > bytes.byteLength) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: BYTES element ${elements.length} runs past the end of the data`);
    }
    elements.push(new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length));
    offset += length;
  }
  if (elements.length !== count) {
    throw new ProtonError('INVALID_ARGUMENT', `${what}: expected ${count} BYTES elements, received ${elements.length}`);
  }
  return elements;
}

/** Encodes a tensor's data as raw bytes (a view, not a copy, for numeric tensors). */
export function encodeRawTensor(tensor: Tensor): Uint8Array {
  if (tensor.type === 'string') {
    const encoded = tensor.data.map(bytesOf);
    const out = Buffer.allocUnsafe(encoded.reduce((sum, b) => sum + 4 + b.byteLength, 0));
    let offset = 0;
    for (const b of encoded) {
      out.writeUInt32LE(b.byteLength, offset);
      out.set(b, offset + 4);
      offset += 4 + b.byteLength;
    }
    return out;
  }
  const data = tensor.data;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

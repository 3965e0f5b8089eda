import { ProtonError } from '../errors';
import type { TensorInfo } from '../model-types';
import { bytesPerElement } from './datatypes';
import { elementCount, type Tensor } from './tensor';
import { decodeRawTensor } from './raw-codec';

/**
 * The binary tensor data extension: a body is a JSON header of `Inference-Header-Content-Length`
 * bytes followed by the raw tensors (see raw-codec.ts) in the header's order.
 */

/** Splits a body at the JSON header length the client declared. */
export function splitBody(body: Uint8Array, headerLength: number | undefined): { header: Uint8Array; binary: Uint8Array } {
  if (headerLength === undefined) return { header: body, binary: body.subarray(body.byteLength) };
  if (headerLength > body.byteLength) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `inference-header-content-length is ${headerLength} but the body has only ${body.byteLength} bytes`,
    );
  }
  return { header: body.subarray(0, headerLength), binary: body.subarray(headerLength) };
}

/**
 * Cuts consecutive tensors out of the binary section. Views, not copies, where aligned.
 * @param sizes declared `binary_data_size` per tensor
 * @throws ProtonError INVALID_ARGUMENT when sizes and the section disagree
 */
export function sliceBinary(binary: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total !== binary.byteLength) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `binary data: the inputs declare ${total} bytes in binary_data_size but the body carries ${binary.byteLength} bytes after the JSON header`,
    );
  }
  let offset = 0;
  return sizes.map((size) => binary.subarray(offset, (offset += size)));
}

/**
 * The single input of a raw binary request (`Inference-Header-Content-Length: 0`): the whole body
 * is that tensor, its shape the model's with a dynamic leading dimension of 1 and at most one other
 * dynamic dimension, derived from the byte count.
 */
export function rawRequestInput(inputs: readonly TensorInfo[], body: Uint8Array): Record<string, Tensor> {
  if (inputs.length !== 1) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `a raw binary request (inference-header-content-length 0) needs a model with exactly one input; this one has ${inputs.length}`,
    );
  }
  const info = inputs[0] as TensorInfo;
  const what = `input '${info.name}'`;
  const dims = info.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1));
  if (dims.filter((dim) => dim < 0).length > 1 && dims[0] === -1) dims[0] = 1;
  const dynamic = dims.filter((dim) => dim < 0).length;
  if (info.type === 'string') {
    for (let i = 0; i < dims.length; i++) if (dims[i] === -1) dims[i] = 1;
  } else if (dynamic > 1) {
    throw new ProtonError('INVALID_ARGUMENT', `${what}: a raw binary request cannot fill more than one dynamic dimension`);
  } else if (dynamic === 1) {
    const fixed = elementCount(dims.filter((dim) => dim >= 0)) * bytesPerElement(info.type);
    if (fixed === 0 || body.byteLength % fixed !== 0) {
      throw new ProtonError('INVALID_ARGUMENT', `${what}: ${body.byteLength} bytes do not fill shape [${info.shape.join(',')}]`);
    }
    dims[dims.indexOf(-1)] = body.byteLength / fixed;
  }
  // Pass a plain Uint8Array: decodeRawTensor's misaligned copy uses slice(), a view on a Buffer.
  return { [info.name]: { type: info.type, dims, data: decodeRawTensor(info.type, dims, body, what) } as Tensor };
}

/**
 * A binary-extension body as its parts: the header JSON's bytes, then the blobs themselves (no
 * copy of any output: the transport writes them in turn).
 */
export function binaryBodyParts(header: string, blobs: readonly Uint8Array[]): { parts: Uint8Array[]; headerLength: number } {
  const headerBytes = Buffer.from(header, 'utf8');
  return { parts: [headerBytes, ...blobs], headerLength: headerBytes.byteLength };
}

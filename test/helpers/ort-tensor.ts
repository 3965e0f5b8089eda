import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../ts/protocol/tensor';

const utf8 = new TextDecoder();

/** A Proton tensor as an onnxruntime-node tensor (which takes BYTES only as JS strings). */
export function toOrtTensor(tensor: Tensor): ort.Tensor {
  if (tensor.type === 'string') {
    const strings = tensor.data.map((e) => (typeof e === 'string' ? e : utf8.decode(e)));
    return new ort.Tensor('string', strings, [...tensor.dims]);
  }
  return new ort.Tensor(tensor.type as ort.Tensor.Type, tensor.data as ort.Tensor.DataType, [...tensor.dims]);
}

import { ProtonError } from '../errors';
import type { InferInputs } from '../model-types';
import { sliceBinary } from './binary-extension';
import type { V2InferRequest } from './infer-request';
import { jsonToTensorData } from './json-codec';
import { flattenData } from './nesting';
import { decodeRawTensor } from './raw-codec';
import { elementCount, type Tensor } from './tensor';
import { DEFAULT_LIMITS, checkShape, excerpt, shapeText, type Limits } from './limits';

/**
 * The tensors of a parsed V2 infer request: JSON `data` (flat or nested) or slices of the binary
 * section, in header order. Checked against the declared shapes; the model checks the rest.
 * @throws ProtonError INVALID_ARGUMENT naming the input
 */
export function decodeV2Inputs(request: V2InferRequest, binary: Uint8Array, limits: Limits = DEFAULT_LIMITS): InferInputs {
  const binarySpecs = request.inputs.filter((spec) => spec.binarySize !== undefined);
  const blobs = sliceBinary(binary, binarySpecs.map((spec) => spec.binarySize as number));
  // No prototype: an input named "__proto__" must not replace it.
  const inputs: InferInputs = Object.create(null) as InferInputs;
  let blob = 0;
  let strings = 0;
  if (request.inputs.length > limits.maxTensors) {
    throw new ProtonError('INVALID_ARGUMENT', `the request has ${request.inputs.length} inputs, more than the limit of ${limits.maxTensors}`);
  }
  for (const spec of request.inputs) {
    const what = `input '${excerpt(spec.name)}'`;
    const count = checkShape(spec.shape, limits, what);
    if (spec.type === 'string') {
      strings += count;
      if (strings > limits.maxStringElements) {
        throw new ProtonError('INVALID_ARGUMENT', `${what}: the request holds more than ${limits.maxStringElements} BYTES elements`);
      }
    }
    if (spec.binarySize !== undefined) {
      const data = decodeRawTensor(spec.type, spec.shape, blobs[blob++] as Uint8Array, what);
      inputs[spec.name] = { type: spec.type, dims: spec.shape, data } as Tensor;
      continue;
    }
    const values = flattenData(spec.data, what, limits.maxJsonDepth);
    const expected = elementCount(spec.shape);
    if (values.length !== expected) {
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `${what}: shape ${shapeText(spec.shape)} needs ${expected} elements, data has ${values.length}`,
      );
    }
    inputs[spec.name] = { type: spec.type, dims: spec.shape, data: jsonToTensorData(spec.type, values, what) } as Tensor;
  }
  return inputs;
}

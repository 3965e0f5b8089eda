import { ProtonError } from '../../errors';
import type { InferOutputs, TensorInfo } from '../../model-types';
import { elementCount, type Tensor } from '../../tensor';
import { toV2Datatype } from '../datatype';
import type { ServedModel } from '../model-registry';
import { decodeRawTensor, encodeRawTensor } from '../raw-tensor';
import { flattenData } from './nested-array';
import { JSON_TYPE, type Reply } from './reply';
import type { RequestHead } from './request-head';
import { encodeBinaryBody, rawRequestInput, sliceBinary, splitBody } from './v2-binary-codec';
import { parseInferRequest, type V2InferRequest } from './v2-infer-request';
import { jsonToTensorData, tensorDataJson } from './v2-json-codec';

const OCTET_STREAM = 'application/octet-stream';

/** Which outputs to return, in response order, and how. */
interface OutputPlan {
  names: string[] | undefined;
  order: string[];
  binary: (name: string) => boolean;
}

/**
 * Runs one Open Inference Protocol infer request (JSON or binary tensor extension).
 * @throws ProtonError for protocol violations (INVALID_ARGUMENT) and inference failures
 */
export async function inferV2(served: ServedModel, body: Buffer, head: RequestHead, signal: AbortSignal): Promise<Reply> {
  const metadata = served.model.metadata;
  let request: V2InferRequest;
  let inputs: Record<string, Tensor>;
  if (head.inferenceHeaderLength === 0) {
    request = { id: undefined, inputs: [], outputs: undefined, binaryOutput: true, timeoutMs: undefined };
    inputs = rawRequestInput(metadata.inputs, body);
  } else {
    const { header, binary } = splitBody(body, head.inferenceHeaderLength);
    request = parseInferRequest(parseJson(header));
    inputs = decodeInputs(request, binary);
  }
  const plan = planOutputs(request, metadata.outputs);
  const timeoutMs = minDefined(request.timeoutMs, head.timeoutMs);
  const outputs = await served.model.infer(inputs, { outputs: plan.names, timeoutMs, signal });
  return encodeResponse(served, request.id, plan, outputs);
}

function parseJson(header: Buffer): unknown {
  try {
    return JSON.parse(header.toString('utf8'));
  } catch (error) {
    throw new ProtonError('INVALID_ARGUMENT', `malformed JSON in request body: ${(error as Error).message}`);
  }
}

function decodeInputs(request: V2InferRequest, binary: Buffer): Record<string, Tensor> {
  const binarySpecs = request.inputs.filter((spec) => spec.binarySize !== undefined);
  const blobs = sliceBinary(binary, binarySpecs.map((spec) => spec.binarySize as number));
  const inputs: Record<string, Tensor> = {};
  let blob = 0;
  for (const spec of request.inputs) {
    const what = `input '${spec.name}'`;
    if (spec.binarySize !== undefined) {
      const data = decodeRawTensor(spec.type, spec.shape, plainBytes(blobs[blob++] as Buffer), what);
      inputs[spec.name] = { type: spec.type, dims: spec.shape, data } as Tensor;
      continue;
    }
    const values = flattenData(spec.data, what);
    const expected = elementCount(spec.shape);
    if (values.length !== expected) {
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `${what}: shape [${spec.shape.join(',')}] needs ${expected} elements, data has ${values.length}`,
      );
    }
    inputs[spec.name] = { type: spec.type, dims: spec.shape, data: jsonToTensorData(spec.type, values, what) } as Tensor;
  }
  return inputs;
}

function planOutputs(request: V2InferRequest, infos: readonly TensorInfo[]): OutputPlan {
  const byName = new Map(infos.map((info) => [info.name, info]));
  const requested = request.outputs;
  const binaryOf = new Map<string, boolean>();
  for (const spec of requested ?? []) {
    if (!byName.has(spec.name)) {
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `unknown output '${spec.name}' (the model's outputs: ${infos.map((info) => info.name).join(', ')})`,
      );
    }
    if (spec.binary !== undefined) binaryOf.set(spec.name, spec.binary);
  }
  const order = requested ? requested.map((spec) => spec.name) : infos.map((info) => info.name);
  const binary = (name: string): boolean => binaryOf.get(name) ?? request.binaryOutput;
  for (const name of order) {
    if (byName.get(name)?.type === 'float16' && !binary(name)) {
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `output '${name}' is FP16, which JSON cannot carry: request it with parameters.binary_data true`,
      );
    }
  }
  return { names: requested ? order : undefined, order, binary };
}

function encodeResponse(served: ServedModel, id: string | undefined, plan: OutputPlan, outputs: InferOutputs): Reply {
  const blobs: Uint8Array[] = [];
  const parts: string[] = [];
  for (const name of plan.order) {
    const tensor = outputs[name];
    if (!tensor) throw new ProtonError('INTERNAL', `the model returned no output '${name}'`);
    const prefix = `{"name":${JSON.stringify(name)},"datatype":"${toV2Datatype(tensor.type)}","shape":[${tensor.dims.join(',')}]`;
    if (plan.binary(name)) {
      const blob = encodeRawTensor(tensor);
      blobs.push(blob);
      parts.push(`${prefix},"parameters":{"binary_data_size":${blob.byteLength}}}`);
    } else {
      parts.push(`${prefix},"data":${tensorDataJson(tensor)}}`);
    }
  }
  const idPart = id === undefined ? '' : `"id":${JSON.stringify(id)},`;
  const header = `{"model_name":${JSON.stringify(served.name)},"model_version":"${served.version}",${idPart}"outputs":[${parts.join(',')}]}`;
  if (blobs.length === 0) return { status: 200, contentType: JSON_TYPE, body: header, code: 'OK' };
  const { body, headerLength } = encodeBinaryBody(header, blobs);
  return {
    status: 200,
    contentType: OCTET_STREAM,
    body,
    headers: [['Inference-Header-Content-Length', String(headerLength)]],
    code: 'OK',
  };
}

/**
 * A plain Uint8Array view of a Buffer: decodeRawTensor copies misaligned data with slice(),
 * which on a Buffer is a view, not a copy.
 */
export function plainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

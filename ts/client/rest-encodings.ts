import type { OutgoingHttpHeaders } from 'node:http';
import { fromV2Datatype, toV2Datatype } from '../protocol/datatypes';
import { decodeRawTensor, encodeRawTensor } from '../protocol/raw-codec';
import type { HttpReply } from './http-exchange';
import type { NamedTensor } from './input-generator';
import type { ModelSpec } from './model-spec';
import { flattenWithShape, nest } from '../protocol/nesting';
import { tensorDataFromValues, toJsonValues } from './tensor-values';

/**
 * The three REST request bodies the client can send, and how each answer is decoded:
 * `predict` = the original Proton `POST /predict` JSON (first input and first output only),
 * `json` = Open Inference Protocol JSON tensors, `binary` = its binary tensor data extension.
 */

/** The values of the REST client's --encoding flag. */
export const REST_ENCODINGS = ['predict', 'json', 'binary'] as const;

/** How a REST request carries its tensors. */
export type RestEncoding = (typeof REST_ENCODINGS)[number];

/** A request ready to send. */
export interface EncodedRequest {
  path: string;
  body: Buffer;
  headers: OutgoingHttpHeaders;
}

const HEADER_LENGTH = 'inference-header-content-length';

/** Encodes one inference request of `inputs` for `spec`'s model. */
export function encodeRestRequest(encoding: RestEncoding, spec: ModelSpec, inputs: NamedTensor[]): EncodedRequest {
  const inferPath = `/v2/models/${encodeURIComponent(spec.name)}/infer`;
  switch (encoding) {
    case 'predict': {
      const input = predictInput(spec, inputs);
      const data = nest(toJsonValues(input, `input '${input.name}'`), input.dims);
      return jsonRequest('/predict', { model_name: spec.name, data });
    }
    case 'json':
      return jsonRequest(inferPath, {
        inputs: inputs.map((input) => ({
          name: input.name,
          shape: input.dims,
          datatype: toV2Datatype(input.type),
          data: toJsonValues(input, `input '${input.name}'`),
        })),
      });
    case 'binary': {
      const blobs = inputs.map((input) => encodeRawTensor(input));
      const header = Buffer.from(
        JSON.stringify({
          inputs: inputs.map((input, index) => ({
            name: input.name,
            shape: input.dims,
            datatype: toV2Datatype(input.type),
            parameters: { binary_data_size: (blobs[index] as Uint8Array).byteLength },
          })),
          parameters: { binary_data_output: true },
        }),
      );
      return {
        path: inferPath,
        body: Buffer.concat([header, ...blobs]),
        headers: {
          'content-type': 'application/octet-stream',
          [HEADER_LENGTH]: header.byteLength,
          'content-length': header.byteLength + blobs.reduce((sum, blob) => sum + blob.byteLength, 0),
        },
      };
    }
  }
}

/** Decodes the outputs of a successful answer (status 200). */
export function decodeRestAnswer(encoding: RestEncoding, spec: ModelSpec, reply: HttpReply): NamedTensor[] {
  if (encoding === 'predict') return decodePredictAnswer(spec, reply.body);
  const headerValue = reply.headers[HEADER_LENGTH];
  const headerLength = headerValue === undefined ? reply.body.byteLength : Number(headerValue);
  if (!Number.isInteger(headerLength) || headerLength < 0 || headerLength > reply.body.byteLength) {
    throw new Error(`invalid ${HEADER_LENGTH}: ${String(headerValue)} for a ${reply.body.byteLength}-byte body`);
  }
  const header = JSON.parse(reply.body.subarray(0, headerLength).toString('utf8')) as { outputs?: V2Output[] };
  if (!Array.isArray(header.outputs)) throw new Error(`answer has no outputs: ${JSON.stringify(header)}`);
  let offset = headerLength;
  return header.outputs.map((output) => {
    const what = `output '${output.name}'`;
    const type = fromV2Datatype(output.datatype);
    if (type === undefined) throw new Error(`${what} has unknown datatype ${output.datatype}`);
    const dims = output.shape.map(Number);
    const size = output.parameters?.binary_data_size;
    if (size === undefined) {
      const data = tensorDataFromValues(type, flattenWithShape(output.data, what).values, what);
      return { name: output.name, type, dims, data } as NamedTensor;
    }
    const bytes = reply.body.subarray(offset, offset + size);
    offset += size;
    return { name: output.name, type, dims, data: decodeRawTensor(type, dims, bytes, what) } as NamedTensor;
  });
}

/** The server's `{"error": "..."}` message of a failed answer, or its body text. */
export function errorMessageOfReply(reply: HttpReply): string {
  const text = reply.body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: report the text itself
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function jsonRequest(path: string, body: object): EncodedRequest {
  const bytes = Buffer.from(JSON.stringify(body));
  return { path, body: bytes, headers: { 'content-type': 'application/json', 'content-length': bytes.byteLength } };
}

interface V2Output {
  name: string;
  datatype: string;
  shape: number[];
  parameters?: { binary_data_size?: number };
  data?: unknown;
}

/** The original predict API carries exactly one input: the model's first. */
function predictInput(spec: ModelSpec, inputs: NamedTensor[]): NamedTensor {
  const input = inputs[0];
  if (inputs.length !== 1 || !input) {
    throw new Error(
      `model '${spec.name}' has ${inputs.length} inputs; /predict sends exactly one (use --encoding json or binary)`,
    );
  }
  return input;
}

/** `{prediction_id, model_name, data}`: data is the first output, nested; its datatype is the metadata's. */
function decodePredictAnswer(spec: ModelSpec, body: Buffer): NamedTensor[] {
  const answer = JSON.parse(body.toString('utf8')) as { prediction_id?: unknown; data?: unknown };
  const output = spec.outputs[0];
  if (!output) throw new Error(`model '${spec.name}' has no outputs`);
  if (typeof answer.prediction_id !== 'string') throw new Error('predict answer has no prediction_id');
  const type = fromV2Datatype(output.datatype);
  if (type === undefined) throw new Error(`output '${output.name}' has unknown datatype ${output.datatype}`);
  const { values, dims } = flattenWithShape(answer.data, 'predict answer data');
  return [{ name: output.name, type, dims, data: tensorDataFromValues(type, values, `output '${output.name}'`) } as NamedTensor];
}

import type { CancelFlag } from '../../cancel-flag';
import { binaryBodyParts, rawRequestInput, splitBody } from '../../protocol/binary-extension';
import { decodeV2Inputs } from '../../protocol/infer-inputs';
import { parseInferRequest, type V2InferRequest } from '../../protocol/infer-request';
import { encodeV2Response, planOutputs } from '../../protocol/infer-response';
import { parseJsonBody } from '../../protocol/json-codec';
import type { InferInputs } from '../../model-types';
import type { ServedModel } from '../../repository/served-model';
import { inferRecorded, type RequestRecord } from '../request-record';
import { JSON_TYPE, type Reply } from './reply';
import type { RequestHead } from './request-head';
import { checkJsonSize } from './body-route';
import type { Limits } from '../../protocol/limits';
import type { InferHeaderCache } from '../../protocol/infer-header-cache';

const OCTET_STREAM = 'application/octet-stream';

/**
 * Runs one Open Inference Protocol infer request (JSON or binary tensor extension).
 * @throws ProtonError for protocol violations (INVALID_ARGUMENT) and inference failures
 */
export async function inferV2(
  served: ServedModel,
  body: Buffer,
  head: RequestHead,
  cancel: CancelFlag,
  limits: Limits,
  headerCache: InferHeaderCache,
  record?: RequestRecord,
): Promise<Reply> {
  const metadata = served.model.metadata;
  let request: V2InferRequest;
  let inputs: InferInputs;
  if (head.inferenceHeaderLength === 0) {
    request = { id: undefined, inputs: [], outputs: undefined, binaryOutput: true, timeoutMs: undefined };
    inputs = rawRequestInput(metadata.inputs, plainBytes(body));
  } else {
    const { header, binary } = splitBody(plainBytes(body), head.inferenceHeaderLength);
    request = parseHeader(header, limits, headerCache);
    inputs = decodeV2Inputs(request, binary, limits);
  }
  const plan = planOutputs(request, metadata.outputs);
  const timeoutMs = minDefined(request.timeoutMs, head.timeoutMs, limits.maxRequestTimeoutMs);
  if (record !== undefined && request.id !== undefined) record.requestId = request.id;
  const outputs = await inferRecorded(record, served, inputs, { outputs: plan.names, timeoutMs, cancel });
  const { header, blobs } = encodeV2Response(served, request.id, plan, outputs);
  if (blobs.length === 0) return { status: 200, contentType: JSON_TYPE, body: header, code: 'OK' };
  const encoded = binaryBodyParts(header, blobs);
  return {
    status: 200,
    contentType: OCTET_STREAM,
    body: encoded.parts,
    headers: [['Inference-Header-Content-Length', String(encoded.headerLength)]],
    code: 'OK',
  };
}

/** The binary extension's JSON header, parsed and checked, or the same header's earlier parse. */
function parseHeader(header: Uint8Array, limits: Limits, cache: InferHeaderCache): V2InferRequest {
  if (header.byteLength > limits.maxJsonBytes) checkJsonSize(header, limits, 'the JSON header');
  const text = Buffer.from(header.buffer, header.byteOffset, header.byteLength).toString('utf8');
  const known = cache.get(text);
  if (known !== undefined) return known;
  checkJsonSize(header, limits, 'the JSON header');
  return cache.remember(text, parseInferRequest(parseJsonBody(text)));
}

/**
 * A plain Uint8Array view of a Buffer: the raw codec copies misaligned data with slice(),
 * which on a Buffer is a view, not a copy.
 */
function plainBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** The sooner of two optional timeouts, clamped to `max` (a timeout never overflows the native deadline). */
function minDefined(a: number | undefined, b: number | undefined, max: number): number | undefined {
  if (a === undefined && b === undefined) return undefined;
  return Math.min(a ?? Infinity, b ?? Infinity, max);
}

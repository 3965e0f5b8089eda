import { ProtonError } from '../errors';

/**
 * Every bound Proton puts on a request, shared by REST and gRPC. Each is checked before the memory
 * or time it bounds is spent; the defaults keep one request under about 50 ms of event-loop time
 * and the whole server under a fixed amount of request memory.
 */
export interface Limits {
  /** Bytes of one request as received (REST body, gRPC message), before decompression. */
  maxRequestBytes: number;
  /** Bytes of one request after `Content-Encoding` / `grpc-encoding` decompression. */
  maxDecodedBytes: number;
  /** Bytes of requests being read, decompressed or decoded at once across the server (503 / RESOURCE_EXHAUSTED beyond). */
  maxInFlightBytes: number;
  /** Bytes of JSON parsed for one request (JSON.parse cannot yield, so this bounds the stall). */
  maxJsonBytes: number;
  /** Arrays and objects in the JSON text of one request (JSON.parse spends about 100 ns on each and cannot yield). */
  maxJsonContainers: number;
  /** Values in the JSON text of one request, and elements of one output sent back as JSON (bounds parse and encode time). */
  maxJsonValues: number;
  /** Elements of one tensor. */
  maxTensorElements: number;
  /** Dimensions of one tensor. */
  maxRank: number;
  /** BYTES elements in one request. */
  maxStringElements: number;
  /** Nesting depth of JSON tensor data. */
  maxJsonDepth: number;
  /** Inputs (and requested outputs) of one request. */
  maxTensors: number;
  /** A request whose body (REST) or message (gRPC) is not complete this long after its headers is failed and closed. */
  receiveTimeoutMs: number;
  /** Longest per-request timeout honoured; longer ones are clamped to it. */
  maxRequestTimeoutMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxRequestBytes: 64 * MiB,
  maxDecodedBytes: 64 * MiB,
  maxInFlightBytes: 192 * MiB,
  maxJsonBytes: 4 * MiB,
  maxJsonContainers: 20_000,
  maxJsonValues: 200_000,
  maxTensorElements: 16 * MiB,
  maxRank: 16,
  maxStringElements: 100_000,
  maxJsonDepth: 32,
  maxTensors: 64,
  receiveTimeoutMs: 30_000,
  maxRequestTimeoutMs: 24 * 60 * 60 * 1000,
});

/** The defaults with `overrides` applied. */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof Limits, number | undefined]>) {
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}

/** Longest excerpt of client input quoted back in an error message. */
export const MAX_EXCERPT_CHARS = 64;

/** At most MAX_EXCERPT_CHARS of `text`, with a note of how much was cut. */
export function excerpt(text: string): string {
  if (text.length <= MAX_EXCERPT_CHARS) return text;
  return `${text.slice(0, MAX_EXCERPT_CHARS)}... (${text.length} characters)`;
}

/** A shape for an error message, at most 8 dimensions shown. */
export function shapeText(dims: ArrayLike<unknown>): string {
  const shown = Array.from({ length: Math.min(dims.length, 8) }, (_, i) => String(dims[i]));
  return dims.length > 8 ? `[${shown.join(',')},... (${dims.length} dims)]` : `[${shown.join(',')}]`;
}

/**
 * Checks a shape against the rank and element limits before anything of that size is allocated.
 * @throws ProtonError INVALID_ARGUMENT naming the tensor and the limit
 */
export function checkShape(dims: readonly number[], limits: Limits, what: string): number {
  if (dims.length > limits.maxRank) {
    throw new ProtonError('INVALID_ARGUMENT', `${what}: rank ${dims.length} exceeds the limit of ${limits.maxRank}`);
  }
  let count = 1;
  for (const dim of dims) count *= dim;
  if (count > limits.maxTensorElements) {
    throw new ProtonError(
      'INVALID_ARGUMENT',
      `${what}: shape ${shapeText(dims)} holds ${count} elements, more than the limit of ${limits.maxTensorElements}`,
    );
  }
  return count;
}

/** Thrown when the server-wide in-flight byte budget is spent. */
export function budgetExhausted(limits: Limits): ProtonError {
  return new ProtonError(
    'RESOURCE_EXHAUSTED',
    `the server is already reading ${limits.maxInFlightBytes} bytes of requests; retry later`,
  );
}

/** The YAML key (under `limits:`) and command-line flag of each limit, with what it bounds. */
export const LIMIT_SETTINGS: ReadonlyArray<{ key: keyof Limits; yaml: string; flag: string; bounds: string }> = [
  { key: 'maxRequestBytes', yaml: 'max_request_bytes', flag: '--max-request-bytes', bounds: 'one request as received (413 / RESOURCE_EXHAUSTED)' },
  { key: 'maxDecodedBytes', yaml: 'max_decoded_bytes', flag: '--max-decoded-bytes', bounds: 'one request after decompression (413)' },
  { key: 'maxInFlightBytes', yaml: 'max_in_flight_bytes', flag: '--max-in-flight-bytes', bounds: 'all requests being read or decoded at once (503 / RESOURCE_EXHAUSTED)' },
  { key: 'maxJsonBytes', yaml: 'max_json_bytes', flag: '--max-json-bytes', bounds: 'JSON text of one request (413)' },
  { key: 'maxJsonContainers', yaml: 'max_json_containers', flag: '--max-json-containers', bounds: 'arrays and objects in the JSON of one request (413)' },
  { key: 'maxJsonValues', yaml: 'max_json_values', flag: '--max-json-values', bounds: 'values in the JSON of one request, elements of one JSON output (413 / 400)' },
  { key: 'maxTensorElements', yaml: 'max_tensor_elements', flag: '--max-tensor-elements', bounds: 'elements of one tensor (400)' },
  { key: 'maxRank', yaml: 'max_rank', flag: '--max-rank', bounds: 'dimensions of one tensor (400)' },
  { key: 'maxStringElements', yaml: 'max_string_elements', flag: '--max-string-elements', bounds: 'BYTES elements of one request (400)' },
  { key: 'maxJsonDepth', yaml: 'max_json_depth', flag: '--max-json-depth', bounds: 'nesting of JSON tensor data (400)' },
  { key: 'maxTensors', yaml: 'max_tensors', flag: '--max-tensors', bounds: 'inputs, outputs, parameters of one request (400)' },
  { key: 'receiveTimeoutMs', yaml: 'receive_timeout_ms', flag: '--receive-timeout-ms', bounds: 'time to receive a body or message (408 / DEADLINE_EXCEEDED)' },
  { key: 'maxRequestTimeoutMs', yaml: 'max_request_timeout_ms', flag: '--max-request-timeout-ms', bounds: 'request timeouts are clamped to this' },
];

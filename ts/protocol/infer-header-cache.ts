import type { V2InferRequest } from './infer-request';

/** Headers longer than this are parsed every time (a client's usual header is a few hundred bytes). */
const MAX_CACHED_HEADER_CHARS = 2048;
/** Entries kept; when full the cache starts over, so memory stays bounded whatever clients send. */
const MAX_ENTRIES = 256;

/**
 * Parsed JSON headers of binary-extension requests, by their text. A client sends the same header
 * with every request (the same names, shapes and byte sizes), so a repeated header skips the
 * structure scan, JSON.parse and validation: about 1.5 µs of the 20 µs a tiny request costs the
 * JS thread. Only headers without an `id` and without JSON `data` are kept: those that carry them
 * differ per request. Parsing depends only on the text, so a hit is exactly what parsing would
 * return; the cached request is frozen so no caller can change what the next one gets.
 * One cache per server: what was accepted under its limits is accepted again under the same.
 */
export class InferHeaderCache {
  private readonly entries = new Map<string, V2InferRequest>();

  get(text: string): V2InferRequest | undefined {
    return this.entries.get(text);
  }

  /** Keeps `request`, parsed from `text`, when it can serve later requests; returns it. */
  remember(text: string, request: V2InferRequest): V2InferRequest {
    if (text.length > MAX_CACHED_HEADER_CHARS || request.id !== undefined) return request;
    if (request.inputs.some((input) => input.binarySize === undefined)) return request;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(text, freezeRequest(request));
    return request;
  }
}

function freezeRequest(request: V2InferRequest): V2InferRequest {
  for (const input of request.inputs) {
    Object.freeze(input.shape);
    Object.freeze(input);
  }
  Object.freeze(request.inputs);
  if (request.outputs !== undefined) {
    for (const output of request.outputs) Object.freeze(output);
    Object.freeze(request.outputs);
  }
  return Object.freeze(request);
}

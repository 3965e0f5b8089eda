import { HttpError } from './http-error';
import type { HttpRequest } from './uws';

/** What Proton needs from a request's headers, copied out of the stack-allocated HttpRequest. */
export interface RequestHead {
  /** Declared body length, or undefined for a chunked (or absent) body. */
  contentLength: number | undefined;
  chunked: boolean;
  /** `Inference-Header-Content-Length` of the binary tensor extension. */
  inferenceHeaderLength: number | undefined;
  /** `Content-Encoding` other than identity (lowercased). */
  contentEncoding: string | undefined;
  /** `X-Proton-Timeout-Ms`. */
  timeoutMs: number | undefined;
}

const DIGITS = /^\d{1,15}$/;

/**
 * Reads the headers in one pass. Must run synchronously inside the route handler.
 * @throws HttpError 400 for duplicated framing headers (a request-smuggling vector uWS v20.30
 *   does not reject) and for malformed values
 */
export function readRequestHead(req: HttpRequest): RequestHead {
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let inferenceHeader: string | undefined;
  let contentEncoding: string | undefined;
  let timeout: string | undefined;
  let duplicate: string | undefined;
  req.forEach((key, value) => {
    switch (key) {
      case 'content-length':
        if (contentLength !== undefined) duplicate = key;
        contentLength = value;
        break;
      case 'transfer-encoding':
        if (transferEncoding !== undefined) duplicate = key;
        transferEncoding = value;
        break;
      case 'inference-header-content-length':
        if (inferenceHeader !== undefined) duplicate = key;
        inferenceHeader = value;
        break;
      case 'content-encoding':
        contentEncoding = value.trim().toLowerCase();
        break;
      case 'x-proton-timeout-ms':
        timeout = value;
        break;
    }
  });
  if (duplicate !== undefined) throw new HttpError(400, `duplicate ${duplicate} header`, true);
  if (contentLength !== undefined && transferEncoding !== undefined) {
    throw new HttpError(400, 'both content-length and transfer-encoding headers are present', true);
  }
  if (contentLength !== undefined && !DIGITS.test(contentLength.trim())) {
    throw new HttpError(400, `invalid content-length header '${contentLength}'`, true);
  }
  if (inferenceHeader !== undefined && !DIGITS.test(inferenceHeader.trim())) {
    throw new HttpError(400, `invalid inference-header-content-length header '${inferenceHeader}': expected a byte count`);
  }
  let timeoutMs: number | undefined;
  if (timeout !== undefined) {
    timeoutMs = Number(timeout);
    if (timeout.trim() === '' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new HttpError(400, `invalid x-proton-timeout-ms header '${timeout}': expected a positive number of milliseconds`);
    }
  }
  return {
    contentLength: contentLength === undefined ? undefined : Number(contentLength),
    chunked: transferEncoding !== undefined,
    inferenceHeaderLength: inferenceHeader === undefined ? undefined : Number(inferenceHeader),
    contentEncoding: contentEncoding === undefined || contentEncoding === 'identity' ? undefined : contentEncoding,
    timeoutMs,
  };
}

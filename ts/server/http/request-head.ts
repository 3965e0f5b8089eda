import { HttpError } from './http-error';
import { excerpt } from '../../protocol/limits';
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
  /** `X-Proton-Timeout-Ms`, clamped to the limit. */
  timeoutMs: number | undefined;
  /** The request carries a body (a non-zero Content-Length or chunked). */
  hasBody: boolean;
  /** W3C `traceparent` and `x-request-id`, for the access log (read in the same pass). */
  traceparent: string | undefined;
  requestId: string | undefined;
}

/** More header fields than this get 431 (uWS itself stops calling handlers somewhere above 48). */
export const MAX_HEADER_FIELDS = 48;
/** Bytes of all header names and values together beyond which a request gets 431. */
export const MAX_HEADER_BYTES = 8192;
/** A token of RFC 9110 (transfer codings are tokens). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const DIGITS = /^\d{1,15}$/;

/**
 * Reads the headers in one pass. Must run synchronously inside the route handler.
 * @throws HttpError 400 for duplicated framing headers (a request-smuggling vector uWS v20.30
 *   does not reject) and for malformed values
 */
export function readRequestHead(req: HttpRequest, maxTimeoutMs = Number.MAX_SAFE_INTEGER): RequestHead {
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  let inferenceHeader: string | undefined;
  let contentEncoding: string | undefined;
  let timeout: string | undefined;
  let traceparent: string | undefined;
  let requestId: string | undefined;
  let duplicate: string | undefined;
  let host = false;
  let fields = 0;
  let headerBytes = 0;
  req.forEach((key, value) => {
    fields++;
    headerBytes += key.length + value.length;
    switch (key) {
      case 'host':
        if (host) duplicate = key;
        host = true;
        break;
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
      case 'traceparent':
        traceparent = value;
        break;
      case 'x-request-id':
        requestId = value;
        break;
    }
  });
  if (fields > MAX_HEADER_FIELDS) throw new HttpError(431, `more than ${MAX_HEADER_FIELDS} header fields`, true);
  if (headerBytes > MAX_HEADER_BYTES) throw new HttpError(431, `header fields exceed ${MAX_HEADER_BYTES} bytes`, true);
  if (duplicate !== undefined) throw new HttpError(400, `duplicate ${duplicate} header`, true);
  if (!host) throw new HttpError(400, 'missing host header (required by HTTP/1.1)', true);
  if (transferEncoding !== undefined) checkTransferEncoding(transferEncoding);
  if (contentLength !== undefined && transferEncoding !== undefined) {
    throw new HttpError(400, 'both content-length and transfer-encoding headers are present', true);
  }
  if (contentLength !== undefined && !DIGITS.test(contentLength.trim())) {
    throw new HttpError(400, `invalid content-length header '${excerpt(contentLength)}'`, true);
  }
  if (inferenceHeader !== undefined && !DIGITS.test(inferenceHeader.trim())) {
    throw new HttpError(400, `invalid inference-header-content-length header '${excerpt(inferenceHeader)}': expected a byte count`);
  }
  let timeoutMs: number | undefined;
  if (timeout !== undefined) {
    timeoutMs = Number(timeout);
    if (timeout.trim() === '' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new HttpError(400, `invalid x-proton-timeout-ms header '${excerpt(timeout)}': expected a positive number of milliseconds`);
    }
    timeoutMs = Math.min(timeoutMs, maxTimeoutMs);
  }
  const length = contentLength === undefined ? undefined : Number(contentLength);
  return {
    contentLength: length,
    chunked: transferEncoding !== undefined,
    hasBody: transferEncoding !== undefined || (length !== undefined && length > 0),
    inferenceHeaderLength: inferenceHeader === undefined ? undefined : Number(inferenceHeader),
    contentEncoding: contentEncoding === undefined || contentEncoding === 'identity' ? undefined : contentEncoding,
    timeoutMs,
    traceparent: traceparent || undefined,
    requestId: requestId || undefined,
  };
}

/**
 * Only `chunked`, alone, is a framing Proton accepts (uWS v20.30 would also take `xchunked` or
 * `gzip, chunked` as chunked): other well-formed codings are 501, anything else 400.
 */
function checkTransferEncoding(value: string): void {
  const codings = value.split(',').map((coding) => coding.trim().toLowerCase());
  if (codings.length === 1 && codings[0] === 'chunked') return;
  if (codings.every((coding) => TOKEN.test(coding))) {
    throw new HttpError(501, `transfer-encoding '${excerpt(value)}' is not supported (only chunked)`, true);
  }
  throw new HttpError(400, `malformed transfer-encoding header '${excerpt(value)}'`, true);
}

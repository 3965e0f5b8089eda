import type { HttpContext } from './context';
import { Exchange } from './exchange';
import { observeExchange } from './observe-exchange';
import { HttpError, errorReply } from './http-error';
import { jsonReply, writeReply, type Reply } from './reply';
import { checkDeclaredLength, decodeContentEncoding, readBody } from './request-body';
import { readRequestHead, type RequestHead } from './request-head';
import { scanJsonStructure } from '../../protocol/json-structure';
import type { Limits } from '../../protocol/limits';
import type { HttpRequest, HttpResponse } from './uws';

/** Produces the reply of a request whose body has been read. */
export type BodyWork = (body: Buffer, head: RequestHead, exchange: Exchange) => Promise<Reply>;

/**
 * Serves a request with a body: checks the framing headers, reads the body within the limit,
 * runs `work`, answers exactly once, and reports inference requests to the metrics.
 * Call synchronously from the route handler, after copying whatever the route needs from `req`.
 */
export function serveWithBody(
  context: HttpContext,
  res: HttpResponse,
  req: HttpRequest,
  options: { inference: boolean; route?: string; original?: boolean },
  work: BodyWork,
): void {
  let head: RequestHead;
  try {
    head = readRequestHead(req, context.limits.maxRequestTimeoutMs);
    checkDeclaredLength(head, context.limits);
  } catch (error) {
    // The body was not read: close so its bytes are never parsed as a next request.
    writeReply(res, errorReply(error), true);
    return;
  }
  if (context.inFlight.draining) {
    writeReply(res, jsonReply(503, { error: 'server is shutting down' }), true);
    return;
  }
  const lease = context.budget.lease();
  const exchange = new Exchange(res, context.inFlight, lease);
  if (options.inference) observeExchange(context, exchange, head, options.route ?? 'unknown', options.original === true);
  const alignAt = head.contentEncoding === undefined ? (head.inferenceHeaderLength ?? 0) : 0;
  const body = readBody(res, head, context.limits, lease, alignAt);
  const decoded = head.contentEncoding === undefined ? body : body.then((raw) => decodeContentEncoding(raw, head.contentEncoding, context.limits, lease));
  decoded
    .then((plain) => work(plain, head, exchange))
    .then(
      (reply) => exchange.send(reply),
      (error: unknown) => {
        const reply = errorReply(error);
        if (exchange.record === undefined && reply.code === 'INTERNAL') context.logger.error({ err: error }, 'request failed');
        exchange.failure = error;
        exchange.send(reply, error instanceof HttpError && error.closeConnection);
      },
    )
    .catch((error: unknown) => context.logger.error({ err: error }, 'cannot write a response'));
}

/**
 * JSON.parse cannot yield to the event loop: a JSON text longer than the limit, or holding more
 * arrays/objects or values than their limits (a byte scan, before parsing), is refused (413),
 * which keeps one request's stall short.
 */
export function checkJsonSize<T extends Uint8Array>(json: T, limits: Limits, what: string): T {
  const advice = 'send tensors with the binary tensor extension';
  if (json.byteLength > limits.maxJsonBytes) {
    throw new HttpError(413, `${what} has ${json.byteLength} bytes of JSON, more than the limit of ${limits.maxJsonBytes}; ${advice}`);
  }
  const { containers, values } = scanJsonStructure(json, limits.maxJsonContainers, limits.maxJsonValues);
  if (containers > limits.maxJsonContainers) {
    throw new HttpError(413, `${what} has more than ${limits.maxJsonContainers} JSON arrays and objects (max_json_containers); ${advice}`);
  }
  if (values > limits.maxJsonValues) {
    throw new HttpError(413, `${what} has more than ${limits.maxJsonValues} JSON values (max_json_values); ${advice}`);
  }
  return json;
}

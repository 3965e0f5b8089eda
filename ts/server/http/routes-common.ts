import { errorReply } from './http-error';
import { jsonReply, writeReply, type Reply } from './reply';
import { readRequestHead } from './request-head';
import type { HttpRequest, HttpResponse, TemplatedApp } from './uws';

/** A handler that answers synchronously. */
export type SyncHandler = (req: HttpRequest) => Reply;

/**
 * The framing check of a request served without reading a body: a bad head is answered (400, 431,
 * 501) and the connection closed; so is any request that carries a body, which must never be
 * parsed as the next request. Returns whether to close after answering, or undefined when answered.
 */
export function guardBodyless(res: HttpResponse, req: HttpRequest): { close: boolean } | undefined {
  try {
    return { close: readRequestHead(req).hasBody };
  } catch (error) {
    writeReply(res, errorReply(error), true);
    return undefined;
  }
}

/** Registers a GET route answered synchronously; errors map through the status table. */
export function getRoute(app: TemplatedApp, pattern: string, handler: SyncHandler): void {
  app.get(pattern, (res, req) => {
    const guard = guardBodyless(res, req);
    if (!guard) return;
    let reply: Reply;
    try {
      reply = handler(req);
    } catch (error) {
      reply = errorReply(error);
    }
    writeReply(res, reply, guard.close);
  });
}

/** Answers 405 for every method a pattern does not serve (uWS prefers method routes over `any`). */
export function methodNotAllowed(app: TemplatedApp, pattern: string, allowed: string): void {
  app.any(pattern, (res: HttpResponse, req: HttpRequest) => {
    if (!guardBodyless(res, req)) return;
    writeReply(res, { ...jsonReply(405, { error: 'Method Not Allowed' }), headers: [['Allow', allowed]] }, true);
  });
}

/** Decodes a URL path parameter (model names may be percent-encoded). */
export function pathParameter(req: HttpRequest, index: number): string {
  const raw = req.getParameter(index);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

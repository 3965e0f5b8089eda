import { errorReply } from './http-error';
import { jsonReply, writeReply, type Reply } from './reply';
import type { HttpRequest, HttpResponse, TemplatedApp } from './uws';

/** A handler that answers synchronously. */
export type SyncHandler = (req: HttpRequest) => Reply;

/** Registers a GET route answered synchronously; errors map through the status table. */
export function getRoute(app: TemplatedApp, pattern: string, handler: SyncHandler): void {
  app.get(pattern, (res, req) => {
    let reply: Reply;
    try {
      reply = handler(req);
    } catch (error) {
      reply = errorReply(error);
    }
    writeReply(res, reply);
  });
}

/** Answers 405 for every method a pattern does not serve (uWS prefers method routes over `any`). */
export function methodNotAllowed(app: TemplatedApp, pattern: string, allowed: string): void {
  app.any(pattern, (res: HttpResponse) => {
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

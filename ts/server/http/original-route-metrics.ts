import type { HttpContext } from './context';
import { errorReply } from './http-error';
import type { SyncHandler } from './routes-common';

/** A synchronous GET handler of an original Proton route, counted in axum-prometheus's families. */
export function withRouteMetrics(context: HttpContext, endpoint: string, handler: SyncHandler): SyncHandler {
  return (req) => {
    const done = context.metrics.httpRoutes.start('GET', endpoint);
    try {
      const reply = handler(req);
      done(reply.status);
      return reply;
    } catch (error) {
      done(errorReply(error).status);
      throw error;
    }
  };
}

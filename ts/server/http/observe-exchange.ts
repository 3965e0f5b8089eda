import type { HttpContext } from './context';
import type { Exchange } from './exchange';
import type { HttpRequest } from './uws';

/**
 * Makes an inference exchange report to the observer once answered: metrics, access log and
 * failure log; an original Proton route (`original`) also to axum-prometheus's families. Headers
 * the log wants are copied now, while `req` is valid, and only when it logs.
 */
export function observeExchange(context: HttpContext, exchange: Exchange, req: HttpRequest, route: string, original: boolean): void {
  const observer = context.observer;
  const routeDone = original ? context.metrics.httpRoutes.start('POST', route) : undefined;
  const record = observer.begin('rest', route);
  if (observer.logsAccess) {
    record.traceparent = req.getHeader('traceparent') || undefined;
    record.requestId = req.getHeader('x-request-id') || undefined;
  }
  exchange.record = record;
  exchange.onSettled = (reply) => {
    const code = reply?.code ?? 'CANCELLED';
    routeDone?.(reply?.status ?? 499);
    observer.complete(record, { code, status: reply?.status ?? 499, error: exchange.failure });
  };
}

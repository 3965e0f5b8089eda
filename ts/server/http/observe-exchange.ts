import type { HttpContext } from './context';
import type { Exchange } from './exchange';
import type { RequestHead } from './request-head';

/**
 * Makes an inference exchange report to the observer once answered: metrics, access log and
 * failure log; an original Proton route (`original`) also to axum-prometheus's families.
 */
export function observeExchange(context: HttpContext, exchange: Exchange, head: RequestHead, route: string, original: boolean): void {
  const observer = context.observer;
  const routeDone = original ? context.metrics.httpRoutes.start('POST', route) : undefined;
  const record = observer.begin('rest', route);
  record.traceparent = head.traceparent;
  record.requestId = head.requestId;
  exchange.record = record;
  exchange.onSettled = (reply) => {
    const code = reply?.code ?? 'CANCELLED';
    routeDone?.(reply?.status ?? 499);
    observer.complete(record, { code, status: reply?.status ?? 499, error: exchange.failure });
  };
}

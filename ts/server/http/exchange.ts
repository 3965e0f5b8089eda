import type { RequestRecord } from '../request-record';
import type { BudgetLease } from '../../protocol/byte-budget';
import type { InFlight } from './in-flight';
import { writeReply, type Reply } from './reply';
import type { HttpResponse } from './uws';

/**
 * One request answered asynchronously. uWebSockets.js rules it enforces: `onAborted` is
 * registered at construction (before any await), nothing is written to an aborted response,
 * every write is corked, and the request is answered at most once.
 */
export class Exchange {
  /** The client went away; the response must not be touched. */
  aborted = false;
  private answered = false;
  private controller: AbortController | undefined;
  /** When the request arrived (performance.now()), for latency metrics. */
  readonly startedAt = performance.now();
  /** What the observer learns about an inference request (served version, timing); unset otherwise. */
  record: RequestRecord | undefined;
  /** What the work threw, when the reply is an error (for the failure log). */
  failure: unknown;
  /** Called once with the reply sent, or with undefined when the client aborted. */
  onSettled: ((reply: Reply | undefined) => void) | undefined;

  constructor(
    private readonly res: HttpResponse,
    private readonly inFlight: InFlight,
    /** The request's share of the in-flight byte budget, returned once it is answered. */
    private readonly lease?: BudgetLease,
  ) {
    inFlight.enter();
    res.onAborted(() => {
      this.aborted = true;
      this.controller?.abort();
      this.settle(undefined);
    });
  }

  /** Fires when the client disconnects, so queued inference is dropped. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.aborted) this.controller.abort();
    return this.controller.signal;
  }

  /** Answers the request unless the client has gone or it was already answered. */
  send(reply: Reply, closeConnection = false): void {
    if (this.answered) return;
    const close = closeConnection || this.inFlight.draining;
    try {
      this.res.cork(() => writeReply(this.res, reply, close));
    } finally {
      this.settle(reply);
    }
  }

  private settle(reply: Reply | undefined): void {
    if (this.answered) return;
    this.answered = true;
    this.lease?.release();
    try {
      this.onSettled?.(reply);
    } finally {
      this.inFlight.leave();
    }
  }
}

import type { ServerUnaryCall } from '@grpc/grpc-js';
import { CancelFlag } from '../../cancel-flag';
import type { InferOptions } from '../../model-types';

/**
 * The deadline and cancellation of a call as inference options: the remaining time becomes
 * `timeoutMs` (or `requestTimeoutMs`, when sooner) and a client cancel sets `cancel`, so work
 * nobody waits for leaves the queue. grpc-js also emits 'cancelled' when a finished call's
 * stream closes: setting a flag then costs nothing (an AbortSignal would build a DOMException).
 */
export function inferControlOf(
  call: ServerUnaryCall<unknown, unknown>,
  requestTimeoutMs?: number,
): Pick<InferOptions, 'timeoutMs' | 'cancel'> {
  const cancel = new CancelFlag();
  if (call.cancelled) cancel.cancel();
  else call.once('cancelled', () => cancel.cancel());
  const deadlineMs = remainingMs(call.getDeadline());
  const timeoutMs = deadlineMs === undefined ? requestTimeoutMs : Math.min(deadlineMs, requestTimeoutMs ?? Infinity);
  return timeoutMs === undefined ? { cancel } : { cancel, timeoutMs };
}

function remainingMs(deadline: Date | number): number | undefined {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return undefined;
  // At least 1 ms: an expired deadline still means "do not start", never "no limit".
  return Math.max(1, Math.floor(at - Date.now()));
}

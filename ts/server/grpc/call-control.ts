import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { InferOptions } from '../../model-types';

/**
 * The deadline and cancellation of a call as inference options: the remaining time becomes
 * `timeoutMs` (or `requestTimeoutMs`, when sooner) and a client cancel aborts `signal`, so work
 * nobody waits for leaves the queue.
 */
export function inferControlOf(
  call: ServerUnaryCall<unknown, unknown>,
  requestTimeoutMs?: number,
): Pick<InferOptions, 'timeoutMs' | 'signal'> {
  const controller = new AbortController();
  if (call.cancelled) controller.abort();
  else call.once('cancelled', () => controller.abort());
  const deadlineMs = remainingMs(call.getDeadline());
  const timeoutMs = deadlineMs === undefined ? requestTimeoutMs : Math.min(deadlineMs, requestTimeoutMs ?? Infinity);
  return timeoutMs === undefined ? { signal: controller.signal } : { signal: controller.signal, timeoutMs };
}

function remainingMs(deadline: Date | number): number | undefined {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return undefined;
  // At least 1 ms: an expired deadline still means "do not start", never "no limit".
  return Math.max(1, Math.floor(at - Date.now()));
}

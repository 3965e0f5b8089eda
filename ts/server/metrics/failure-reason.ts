import type { ErrorCode } from '../../errors';

/** Triton's `nv_inference_request_failure` reasons. */
export type FailureReason = 'REJECTED' | 'CANCELED' | 'BACKEND' | 'OTHER';

/**
 * The reason of each Proton error code: queue full and timed out in queue are rejections by the
 * scheduler, a cancel is CANCELED, a fault while running is BACKEND, a bad request OTHER.
 */
export const FAILURE_REASON_OF: Readonly<Record<ErrorCode, FailureReason>> = {
  RESOURCE_EXHAUSTED: 'REJECTED',
  UNAVAILABLE: 'REJECTED',
  CANCELLED: 'CANCELED',
  INTERNAL: 'BACKEND',
  INVALID_ARGUMENT: 'OTHER',
  NOT_FOUND: 'OTHER',
  UNAUTHENTICATED: 'OTHER',
};

/** The reason of a failed request's code; protocol-level refusals (`HTTP_413`, ...) are OTHER. */
export function failureReason(code: string): FailureReason {
  return Object.hasOwn(FAILURE_REASON_OF, code) ? FAILURE_REASON_OF[code as ErrorCode] : 'OTHER';
}

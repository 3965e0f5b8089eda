import type { CellPlan } from './cell-plan';

/**
 * A hung server must not hang the suite: the clients' loop waits for every request in flight, so a
 * request that is never answered would block the run forever. Each cell gets a time limit; past it
 * the caller kills the server, which fails what is in flight, and the run goes on.
 */

/** Allowance beyond a cell's planned time (start-up of slow answers, a busy machine). */
const SLACK_MS = 60_000;
/** Allowance per request of a cell planned by count (Mask R-CNN: seconds per inference). */
const PER_REQUEST_MS = 60_000;

/** How long a cell may take before its server is presumed hung. */
export function cellTimeLimitMs(plan: CellPlan): number {
  if (plan.kind === 'requests') return plan.count * PER_REQUEST_MS + SLACK_MS;
  return (plan.warmupSec + plan.durationSec) * 1000 + SLACK_MS;
}

/**
 * Awaits `work`; if it has not settled within `limitMs`, calls `onExpire` once (which must make it
 * settle). A rejection after expiry is rethrown as "presumed hung", the original as its cause.
 */
export async function withWatchdog<T>(work: Promise<T>, limitMs: number, onExpire: () => void): Promise<{ value: T; expired: boolean }> {
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    onExpire();
  }, limitMs);
  try {
    return { value: await work, expired };
  } catch (error) {
    if (!expired) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`no result within ${limitMs / 1000} s: presumed hung and stopped (then: ${message})`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

import { readdirSync, readFileSync } from 'node:fs';

/**
 * Time this process's threads spent runnable but not running (waiting for a core), from Linux's
 * /proc/self/task/<tid>/schedstat (second field, ns). On a shared machine it tells a measurement
 * starved by other processes from a slow path. Empty where schedstat is unavailable.
 */
export function runqueueWaitByThread(): Map<string, number> {
  const waits = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return waits;
  }
  for (const tid of tasks) {
    try {
      const wait = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      if (Number.isFinite(wait)) waits.set(tid, wait);
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return waits;
}

/** Milliseconds all threads waited for a core between two snapshots; NaN when not measurable. */
export function runqueueWaitMs(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): number {
  if (after.size === 0) return Number.NaN;
  let totalNs = 0;
  for (const [tid, wait] of after) totalNs += wait - (before.get(tid) ?? 0);
  return totalNs / 1e6;
}

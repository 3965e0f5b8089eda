import { SingleBar } from 'cli-progress';
import type { LoadProgress } from './load-runner';

/** Reports a load run's progress while it runs. */
export interface ProgressReporter {
  update(progress: LoadProgress): void;
  /** Removes the bar; call once the run ended. */
  stop(): void;
}

/** What the bar measures: the request count, else the duration. */
export interface ProgressTarget {
  requests?: number;
  durationSec?: number;
}

/**
 * A cli-progress bar on a terminal, nothing otherwise, so piped output (e.g. `--json > file`) stays clean.
 * A run with a request count advances per request; a timed run advances per second.
 */
export function createProgress(target: ProgressTarget, stream: NodeJS.WriteStream = process.stdout): ProgressReporter {
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  const byCount = target.requests !== undefined && target.durationSec === undefined;
  const total = byCount ? (target.requests as number) : Math.ceil(target.durationSec ?? 0);
  const bar = new SingleBar({
    stream,
    format: `{bar} {percentage}% | {completed} requests | {failed} errors | {rate} req/s | ETA {eta_formatted}`,
    clearOnComplete: true,
    hideCursor: true,
  });
  bar.start(total, 0, { completed: 0, failed: 0, rate: '0' });
  return {
    update: ({ completed, failed, elapsedMs }) => {
      const rate = elapsedMs > 0 ? ((completed * 1000) / elapsedMs).toFixed(0) : '0';
      const value = byCount ? completed : Math.min(total, Math.floor(elapsedMs / 1000));
      bar.update(value, { completed, failed, rate });
    },
    stop: () => bar.stop(),
  };
}

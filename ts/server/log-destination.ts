import pino, { type DestinationStream } from 'pino';

/** Lines gathered before they are written at once even within one turn (bounds the memory held). */
const MAX_PENDING_LINES = 1024;

/** Every batched destination of the process, flushed synchronously when it exits. */
const open = new Set<TurnBatchedDestination>();
let exitHookInstalled = false;

/**
 * A pino destination that gathers the lines logged during one turn of the event loop and writes
 * them to `target` as one string at the end of the turn (setImmediate), and synchronously at exit.
 * With the access log on there is a line per request: pino's default (a synchronous write(2) per
 * line) then costs more than the request itself; one write per turn does not. A crash that kills
 * the process without an exit event loses at most the lines of its last turn.
 */
export class TurnBatchedDestination implements DestinationStream {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly target: { write(text: string): unknown; flushSync?(): void }) {
    open.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const destination of open) destination.flushSync();
      });
    }
  }

  write(line: string): void {
    this.pending.push(line);
    if (this.pending.length >= MAX_PENDING_LINES) {
      this.flushPending();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushPending);
    }
  }

  /** Writes what is pending now (pino calls it from `logger.flush()`). */
  flush(callback?: (error?: Error) => void): void {
    this.flushPending();
    callback?.();
  }

  /** Writes what is pending and waits until the target has it (at exit). */
  flushSync(): void {
    this.flushPending();
    this.target.flushSync?.();
  }

  /** Stops batching for this destination (tests); what is pending is written first. */
  close(): void {
    this.flushPending();
    open.delete(this);
  }

  private readonly flushPending = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.target.write(text);
  };
}

/**
 * The JSON logger's destination for a file descriptor or path: pino's synchronous sonic-boom
 * (which retries on EAGAIN when stdout is a full pipe) behind a per-turn batch.
 */
export function batchedDestination(dest: number | string): TurnBatchedDestination {
  return new TurnBatchedDestination(pino.destination({ dest, sync: true }));
}

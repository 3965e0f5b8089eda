import { constants, PerformanceObserver } from 'node:perf_hooks';
import { native } from '../native';
import type { ByteBudget } from '../protocol/byte-budget';

const MiB = 1024 * 1024;

/** When memory is given back. */
export interface MemoryReleaseOptions {
  /** A release follows a request that held at least this many budget bytes (default 8 MiB). */
  largeBytes: number;
  /** ... once the bytes in flight are back to at most this (default 1 MiB). */
  idleBytes: number;
  /** Wait after the drain before releasing, so that a burst ends first (default 100 ms). */
  settleMs: number;
  /** Least time between the starts of two releases (default 1000 ms). */
  minIntervalMs: number;
  /** Longest wait for the garbage collection before trimming anyway (default 2000 ms). */
  gcWaitMs: number;
}

/** How memory is given back (replaceable in tests). */
export interface MemoryReleaseActions {
  /** Resolves once V8 has run a full garbage collection, or `waitMs` have passed. */
  collectGarbage(waitMs: number): Promise<void>;
  /** Returns the C heap's free pages to the kernel. */
  trimHeap(): Promise<unknown>;
}

export const DEFAULT_MEMORY_RELEASE: Readonly<MemoryReleaseOptions> = Object.freeze({
  largeBytes: 8 * MiB,
  idleBytes: 1 * MiB,
  settleMs: 100,
  minIntervalMs: 1000,
  gcWaitMs: 2000,
});

/**
 * Gives memory back to the operating system after large requests. A bomb or a large upload leaves
 * its buffers as garbage that V8 may not collect for minutes on a quiet server, and once collected,
 * glibc keeps their pages in its heap (after large blocks are freed it serves blocks up to 32 MiB
 * from the heap instead of mmap), so RSS stays hundreds of MB up. Once a request has held
 * `largeBytes` of the server-wide byte budget and the bytes in flight have drained to `idleBytes`,
 * this asks V8 for a collection, waits for it, then trims the C heap on the thread pool: at most
 * once per `minIntervalMs`, never for small requests however many (their cost is one comparison
 * per release), never on the JS thread's request path.
 */
export class MemoryRelease {
  private readonly options: MemoryReleaseOptions;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;
  private lastStartMs = -Infinity;
  private count = 0;

  constructor(
    private readonly budget: ByteBudget,
    options: Partial<MemoryReleaseOptions> = {},
    private readonly actions: MemoryReleaseActions = NATIVE_ACTIONS,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.options = { ...DEFAULT_MEMORY_RELEASE, ...options };
    budget.onRelease(this.onBudgetRelease);
  }

  /** Releases started so far. */
  get releases(): number {
    return this.count;
  }

  /** Stops listening; a release in progress finishes its current step and does no more. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.budget.onRelease(undefined);
  }

  private readonly onBudgetRelease = (inUse: number): void => {
    if (inUse > this.options.idleBytes || this.budget.largestRequest < this.options.largeBytes) return;
    this.schedule();
  };

  private schedule(): void {
    if (this.closed || this.running || this.timer !== undefined) return;
    const delay = Math.max(this.options.settleMs, this.lastStartMs + this.options.minIntervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A large request arrived meanwhile: its own end schedules the next try.
      if (this.budget.inUse > this.options.idleBytes) return;
      void this.release();
    }, delay);
    this.timer.unref();
  }

  private async release(): Promise<void> {
    this.running = true;
    this.count++;
    this.lastStartMs = performance.now();
    this.budget.resetLargest();
    try {
      await this.actions.collectGarbage(this.options.gcWaitMs);
      if (!this.closed) await this.actions.trimHeap();
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
    }
    // Large requests that ended while this ran are released next.
    if (this.budget.largestRequest >= this.options.largeBytes && this.budget.inUse <= this.options.idleBytes) this.schedule();
  }
}

/** How often, after the collection, the buffers V8 frees in the background are checked on. */
const SWEEP_POLL_MS = 25;

/**
 * Resolves once V8 has run a full (major) collection and the ArrayBuffer memory it found dead has
 * been freed (V8 frees it on a background thread after the collection: polled until it stops
 * falling), or after `waitMs` in all.
 */
function collectGarbage(waitMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let poll: NodeJS.Timeout | undefined;
    const done = (): void => {
      observer.disconnect();
      clearTimeout(deadline);
      clearTimeout(poll);
      resolve();
    };
    const awaitSweep = (previous: number): void => {
      poll = setTimeout(() => {
        const now = process.memoryUsage().arrayBuffers;
        if (now < previous) awaitSweep(now);
        else done();
      }, SWEEP_POLL_MS);
      poll.unref();
    };
    const observer = new PerformanceObserver((list) => {
      const major = list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
      if (!major || poll !== undefined) return;
      observer.disconnect();
      awaitSweep(process.memoryUsage().arrayBuffers);
    });
    const deadline = setTimeout(done, waitMs);
    deadline.unref();
    observer.observe({ entryTypes: ['gc'] });
    native.requestGarbageCollection();
  });
}

const NATIVE_ACTIONS: MemoryReleaseActions = { collectGarbage, trimHeap: () => native.trimHeap() };

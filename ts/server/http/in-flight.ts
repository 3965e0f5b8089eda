/**
 * Counts the requests a server has accepted and not answered yet, so that shutdown can wait
 * for them after the listen socket is closed.
 */
export class InFlight {
  private count = 0;
  /** Set once shutdown starts: new requests are turned away with 503. */
  draining = false;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  enter(): void {
    this.count++;
  }

  leave(): void {
    this.count--;
    if (this.count === 0 && this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves once nothing is in flight. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * The bytes of requests being read, decompressed or decoded across the whole server. A request
 * reserves its bytes as they arrive and releases them once answered; a reservation that would
 * pass the budget fails at once, so concurrent large requests cannot add up without bound.
 */
export class ByteBudget {
  private used = 0;
  private largest = 0;
  private releaseListener: ((inUse: number) => void) | undefined;

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  /** The most bytes one request held since the last `resetLargest()` (or since the start). */
  get largestRequest(): number {
    return this.largest;
  }

  resetLargest(): void {
    this.largest = 0;
  }

  /** Records that one request held `bytes` (for `largestRequest`); reserves nothing. */
  noteRequest(bytes: number): void {
    if (bytes > this.largest) this.largest = bytes;
  }

  /** `listener` is called after every release with the bytes still in use (undefined: none). One listener. */
  onRelease(listener: ((inUse: number) => void) | undefined): void {
    this.releaseListener = listener;
  }

  /**
   * Takes `bytes` for one request if they fit; false (nothing taken) otherwise. A provisional
   * reservation (a worst case held until the real size is known, or a part of a lease) is not
   * recorded as a request's size.
   */
  tryReserve(bytes: number, provisional = false): boolean {
    if (bytes < 0 || this.used + bytes > this.capacity) return false;
    this.used += bytes;
    if (!provisional) this.noteRequest(bytes);
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    this.releaseListener?.(this.used);
  }

  /** A reservation that grows as data arrives and is returned exactly once. */
  lease(): BudgetLease {
    return new BudgetLease(this);
  }
}

/** One request's share of the budget. */
export class BudgetLease {
  private held = 0;
  private done = false;

  constructor(private readonly budget: ByteBudget) {}

  get bytes(): number {
    return this.held;
  }

  /** Grows the reservation; false when the budget is spent (or the lease was returned). */
  grow(bytes: number): boolean {
    if (this.done || !this.budget.tryReserve(bytes, true)) return false;
    this.held += bytes;
    this.budget.noteRequest(this.held);
    return true;
  }

  /** Returns everything held; later calls do nothing. */
  release(): void {
    if (this.done) return;
    this.done = true;
    this.budget.release(this.held);
    this.held = 0;
  }
}

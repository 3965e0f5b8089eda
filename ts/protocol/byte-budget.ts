/**
 * The bytes of requests being read, decompressed or decoded across the whole server. A request
 * reserves its bytes as they arrive and releases them once answered; a reservation that would
 * pass the budget fails at once, so concurrent large requests cannot add up without bound.
 */
export class ByteBudget {
  private used = 0;
  private peak = 0;
  private releaseListener: ((inUse: number) => void) | undefined;

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  /** The most bytes held at once since the last `resetPeak()` (or since the start). */
  get peakInUse(): number {
    return this.peak;
  }

  /** Starts a new peak from what is in use now. */
  resetPeak(): void {
    this.peak = this.used;
  }

  /** `listener` is called after every release with the bytes still in use (undefined: none). One listener. */
  onRelease(listener: ((inUse: number) => void) | undefined): void {
    this.releaseListener = listener;
  }

  /**
   * Takes `bytes` if they fit; false (nothing taken) otherwise. A provisional reservation (a worst
   * case held until the real size is known) does not count toward the peak.
   */
  tryReserve(bytes: number, provisional = false): boolean {
    if (bytes < 0 || this.used + bytes > this.capacity) return false;
    this.used += bytes;
    if (!provisional && this.used > this.peak) this.peak = this.used;
    return true;
  }

  /** Counts what is in use now, provisional reservations included, toward the peak. */
  countInPeak(): void {
    if (this.used > this.peak) this.peak = this.used;
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
    if (this.done || !this.budget.tryReserve(bytes)) return false;
    this.held += bytes;
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

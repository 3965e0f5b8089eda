/**
 * A cancellation word the model's native thread reads before it runs a job: setting it drops the
 * job if it has not started. A server's hot path owns one per request instead of building an
 * AbortController, its AbortSignal, a listener and (on abort) a DOMException.
 */
export class CancelFlag {
  /** Element 0 is non-zero once cancelled; the addon reads it from the model's thread. */
  readonly word = new Int32Array(1);

  /** Drops the job if it has not started yet (its promise rejects with CANCELLED). */
  cancel(): void {
    Atomics.store(this.word, 0, 1);
  }

  get cancelled(): boolean {
    return Atomics.load(this.word, 0) !== 0;
  }
}

/**
 * The server's drain state, shared by every front-end's readiness checks.
 *
 * Kubernetes removes a pod from its Service endpoints only after readiness fails, and that takes a
 * probe period or two: so shutdown first turns readiness false while serving continues for a
 * delay, and only then stops accepting. Liveness never looks at this state.
 */
export class DrainState {
  private started = false;

  /** True once shutdown has begun: readiness (REST, gRPC health, ServerReady) reports not ready. */
  get draining(): boolean {
    return this.started;
  }

  /** Turns readiness false for good. */
  begin(): void {
    this.started = true;
  }
}

/** Resolves after `ms` milliseconds (0 resolves on the next turn of the event loop). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

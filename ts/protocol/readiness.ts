/** One row of the repository index, as far as readiness cares. */
export interface ReadinessRow {
  readonly state: string;
  /** The server is meant to serve this version (see `IndexRow.expected` in ts/repository/model-state.ts). */
  readonly expected: boolean;
}

/** What readiness is computed from: whether the server is draining, the repository index, and the READY versions' models. */
export interface ReadinessState {
  readonly draining: boolean;
  readonly index: Iterable<ReadinessRow>;
  /** Every READY version: each model must still accept requests (one closed under the registry is not ready). */
  readonly served: Iterable<{ readonly model: { readonly ready: boolean } }>;
}

/**
 * Server readiness (REST `/ready` and `/v2/health/ready`, gRPC ServerReady and health Check), the
 * rule a Kubernetes readiness probe needs: not draining, and every version the server is meant to
 * serve is READY. A version still loading or warming up, or one whose load failed, makes the
 * server not ready; a version unloaded on purpose (or never asked for in explicit mode) does not.
 */
export function serverReady(state: ReadinessState): boolean {
  if (state.draining) return false;
  for (const row of state.index) if (row.expected && row.state !== 'READY') return false;
  for (const { model } of state.served) if (!model.ready) return false;
  return true;
}

/** A model version is ready while it is READY and open and the server is not draining. */
export function modelReady(draining: boolean, model: { readonly ready: boolean }): boolean {
  return !draining && model.ready;
}

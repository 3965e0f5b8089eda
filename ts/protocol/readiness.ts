/** What readiness is computed from: whether shutdown has begun and whether each model is open. */
export interface ReadinessState {
  readonly draining: boolean;
  readonly models: Iterable<{ readonly model: { readonly ready: boolean } }>;
}

/** Ready = not shutting down and every model loaded and open (REST `/ready`, `/v2/health/ready`, gRPC ServerReady). */
export function serverReady(state: ReadinessState): boolean {
  if (state.draining) return false;
  for (const served of state.models) if (!served.model.ready) return false;
  return true;
}

/** A model is ready while it is open and the server is not shutting down. */
export function modelReady(draining: boolean, model: { readonly ready: boolean }): boolean {
  return !draining && model.ready;
}

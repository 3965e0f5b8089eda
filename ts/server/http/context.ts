import { serverReady } from '../../protocol/readiness';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { ModelRegistry } from '../model-registry';
import type { RequestObserver } from '../request-observer';
import type { InFlight } from './in-flight';

/** What every route needs: the models, the instruments, the limits and the drain state. */
export interface HttpContext {
  readonly registry: ModelRegistry;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Metrics, access log and failure log of inference requests. */
  readonly observer: RequestObserver;
  readonly inFlight: InFlight;
  readonly maxBodyBytes: number;
}

/** Ready = not shutting down and every model loaded and open. */
export function isServerReady(context: HttpContext): boolean {
  return serverReady({ draining: context.inFlight.draining, models: context.registry.list() });
}

import { serverReady } from '../../protocol/readiness';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { ModelRepository } from '../../repository/model-repository';
import type { ModelRegistry } from '../model-registry';
import type { InFlight } from './in-flight';

/** What every route needs: the models, the instruments, the limits and the drain state. */
export interface HttpContext {
  readonly registry: ModelRegistry;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly inFlight: InFlight;
  readonly maxBodyBytes: number;
  /** The model repository, when the server has one (load/unload requests need it). */
  readonly repository?: ModelRepository;
}

/** Ready = not shutting down and every version the server should serve READY (see protocol/readiness). */
export function isServerReady(context: HttpContext): boolean {
  return serverReady({ draining: context.inFlight.draining, index: context.registry.index() });
}

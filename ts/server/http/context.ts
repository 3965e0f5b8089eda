import type { InferHeaderCache } from '../../protocol/infer-header-cache';
import { serverReady } from '../../protocol/readiness';
import type { ByteBudget } from '../../protocol/byte-budget';
import type { Limits } from '../../protocol/limits';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { ModelRepository } from '../../repository/model-repository';
import type { DrainState } from '../drain';
import type { ModelRegistry } from '../../repository/model-registry';
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
  /** Set by the server's shutdown: readiness turns false while serving continues. */
  readonly drain?: DrainState;
  readonly limits: Limits;
  /** Server-wide bytes of requests being read or decoded (shared with gRPC). */
  readonly budget: ByteBudget;
  /** Binary-extension headers already parsed, by text (clients repeat theirs). */
  readonly inferHeaders: InferHeaderCache;
  /** The model repository, when the server has one (load/unload requests need it). */
  readonly repository?: ModelRepository;
}

/** Ready = not draining, not shutting down and every version the server should serve READY (see protocol/readiness). */
export function isServerReady(context: HttpContext): boolean {
  return serverReady({ draining: context.inFlight.draining || context.drain?.draining === true, index: context.registry.index(), served: context.registry.versions() });
}

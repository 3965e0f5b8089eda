import type { LatencySummary } from '../../ts/client/latency-stats';
import type { ErrorTally } from '../../ts/client/load-runner';
import type { CellPlan } from './cell-plan';
import type { ClientId, ServerId } from './variants';

/** What one measured run of fixed concurrency yielded. */
export interface Measurement {
  requests: number;
  errors: number;
  /** From the first send to the last answer of the measured run (warm-up excluded). */
  elapsedMs: number;
  /** Successful requests per second. */
  throughput: number;
  /** Latencies of the successful requests, in ms. */
  latency: LatencySummary;
  /** Failures by kind, most frequent first. */
  errorKinds: ErrorTally[];
}

/** What sent the load: the clients' loop and transports, wrk (REST only, optional), or the in-process loop. */
export type LoadGenerator = 'clients' | 'wrk' | 'in-process';

/** One cell of the suite: a variant on one model at one concurrency. */
export interface CellResult extends Measurement {
  server: ServerId;
  client: ClientId;
  model: string;
  concurrency: number;
  plan: CellPlan;
  generator: LoadGenerator;
}

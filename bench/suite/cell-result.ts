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

/** What sent the load: the clients' loop and transports, wrk (REST), h2load (gRPC), or the in-process loop. */
export type LoadGenerator = 'clients' | 'wrk' | 'h2load' | 'in-process';

/** One cell of the suite: a variant on one model at one concurrency. */
export interface CellResult extends Measurement {
  server: ServerId;
  client: ClientId;
  model: string;
  concurrency: number;
  plan: CellPlan;
  generator: LoadGenerator;
  /**
   * CPU time (user + system, every thread) the server process spent per successful request over
   * the measured run, in µs, from /proc/PID/stat; the ORT ceiling's own process for in-process cells.
   * Undefined when /proc could not be read or nothing succeeded.
   */
  serverCpuUsPerRequest: number | undefined;
}

/** A cell the suite refused to measure (a load generator missing), reported, never silently dropped. */
export interface RefusedCell {
  server: ServerId;
  client: ClientId;
  model: string;
  concurrency: number;
  reason: string;
}

/** CPU µs per successful request from the ms measured over the run; undefined when not measurable. */
export function cpuUsPerRequest(cpuMs: number, measurement: Measurement): number | undefined {
  const succeeded = measurement.requests - measurement.errors;
  return Number.isFinite(cpuMs) && succeeded > 0 ? (cpuMs * 1000) / succeeded : undefined;
}

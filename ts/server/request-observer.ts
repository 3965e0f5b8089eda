import { isProtonError } from '../errors';
import { toClientFailure } from '../protocol/status';
import type { Metrics } from './metrics';
import { newRequestRecord, type Protocol, type RequestRecord } from './request-record';

/** The logger calls the observer makes (pino's signatures); only `error` is required. */
export interface ObserverLogger {
  error(details: object, message: string): void;
  warn?(details: object, message: string): void;
  debug?(details: object, message: string): void;
  isLevelEnabled?(level: string): boolean;
  child?(bindings: Record<string, string>): ObserverLogger;
}

/** How a request ended: the Proton code, and the status the client saw (HTTP code or gRPC name). */
export interface RequestOutcome {
  /** 'OK', a ProtonError code, or `HTTP_<status>` for a protocol-level refusal. */
  code: string;
  status: number | string;
  /** What was thrown, for the failure log line. */
  error?: unknown;
}

/** The level of the access log: one line per answered inference request. */
export const ACCESS_LOG_LEVEL = 'debug';

/**
 * Where both transports report each answered inference request: the metrics, the access log
 * (at `debug`), and failures (WARN for a request the client or the load got wrong, ERROR for
 * a server fault, i.e. INTERNAL).
 */
export class RequestObserver {
  /** True when the access log is on: only then do the transports read headers for it. */
  readonly logsAccess: boolean;
  /** True when someone reads per-request phase timing (the access log). */
  readonly wantsTiming: boolean;
  /** Access loggers with protocol, route, model and version bound (pino serializes bindings once), by served version and route. */
  private readonly accessLoggers = new WeakMap<object, Map<string, ObserverLogger>>();
  /** The same for requests that named no served model. */
  private readonly unservedAccessLoggers = new Map<string, ObserverLogger>();

  constructor(
    private readonly metrics: Pick<Metrics, 'observeRequest'> | undefined,
    private readonly logger: ObserverLogger,
  ) {
    this.logsAccess = logger.debug !== undefined && logger.isLevelEnabled?.(ACCESS_LOG_LEVEL) === true;
    // The metrics' phase histograms are fed by the model threads: only the access log needs it per request.
    this.wantsTiming = this.logsAccess;
  }

  begin(protocol: Protocol, route: string): RequestRecord {
    return newRequestRecord(protocol, route, this.wantsTiming);
  }

  complete(record: RequestRecord, outcome: RequestOutcome): void {
    const seconds = (performance.now() - record.startedAt) / 1000;
    this.metrics?.observeRequest(record, outcome.code, seconds);
    if (outcome.code !== 'OK') this.logFailure(record, outcome);
    if (this.logsAccess) this.accessLogger(record).debug?.(accessFields(record, outcome, seconds), 'request');
  }

  private accessLogger(record: RequestRecord): ObserverLogger {
    const served = record.served;
    let byRoute = served === undefined ? this.unservedAccessLoggers : this.accessLoggers.get(served);
    if (byRoute === undefined) {
      byRoute = new Map();
      this.accessLoggers.set(served as object, byRoute);
    }
    // Routes are patterns and method names (each belongs to one protocol): a client's text never keys it.
    let logger = byRoute.get(record.route);
    if (logger === undefined) {
      const bindings: Record<string, string> = { protocol: record.protocol, route: record.route };
      if (served !== undefined) Object.assign(bindings, { model: served.name, version: served.version });
      logger = this.logger.child?.(bindings) ?? this.logger;
      byRoute.set(record.route, logger);
    }
    return logger;
  }

  private logFailure(record: RequestRecord, outcome: RequestOutcome): void {
    const { error } = outcome;
    const fields = {
      ...where(record),
      status: outcome.status,
      code: outcome.code,
      error: error === undefined ? 'the client went away before the answer' : toClientFailure(error).message,
      ...(isProtonError(error) && error.detail !== undefined ? { detail: error.detail } : {}),
    };
    if (outcome.code === 'INTERNAL') {
      this.logger.error({ ...fields, err: error }, `${record.route} failed`);
    } else {
      this.logger.warn?.(fields, `${record.route} failed`);
    }
  }
}

function where(record: RequestRecord): Record<string, string> {
  const fields: Record<string, string> = { protocol: record.protocol, route: record.route };
  if (record.served !== undefined) {
    fields.model = record.served.name;
    fields.version = record.served.version;
  }
  if (record.requestId !== undefined && record.requestId !== '') fields.requestId = record.requestId;
  if (record.traceparent !== undefined && record.traceparent !== '') fields.traceparent = record.traceparent;
  return fields;
}

function accessFields(record: RequestRecord, outcome: RequestOutcome, seconds: number): object {
  const fields: Record<string, unknown> = { status: outcome.status, code: outcome.code, durationUs: Math.round(seconds * 1e6) };
  if (record.requestId !== undefined && record.requestId !== '') fields.requestId = record.requestId;
  if (record.traceparent !== undefined && record.traceparent !== '') fields.traceparent = record.traceparent;
  const timing = record.timing;
  if (timing !== undefined) {
    fields.queueUs = Math.round(timing.queueNs / 1000);
    fields.computeInputUs = Math.round(timing.computeInputNs / 1000);
    fields.computeInferUs = Math.round(timing.computeInferNs / 1000);
    fields.computeOutputUs = Math.round(timing.computeOutputNs / 1000);
  }
  return fields;
}

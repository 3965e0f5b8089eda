import type { InferInputs, InferOptions, InferOutputs, InferTiming } from '../model-types';
import type { ServedModel } from '../repository/served-model';

export type Protocol = 'rest' | 'grpc';

/**
 * What a transport knows about one inference request, filled in as it goes and handed to the
 * observer once it is answered. A plain object: building it costs a few field writes.
 */
export interface RequestRecord {
  readonly protocol: Protocol;
  /** The route pattern (`/v2/models/:model/infer`, `/predict`) or the gRPC method name. */
  readonly route: string;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** Set once the registry resolved the request to a served version. */
  served: ServedModel | undefined;
  /** The client's request id (V2 `id`, `x-request-id`), when it sent one. */
  requestId: string | undefined;
  /** The W3C `traceparent` header, when the client sent one. */
  traceparent: string | undefined;
  /** Phase durations, when the observer asked for them (`wantsTiming`). */
  timing: InferTiming | undefined;
  /** True when someone reads the phase durations of this request (access log, phase histograms). */
  readonly wantsTiming: boolean;
}

export function newRequestRecord(protocol: Protocol, route: string, wantsTiming: boolean): RequestRecord {
  return {
    protocol,
    route,
    startedAt: performance.now(),
    served: undefined,
    requestId: undefined,
    traceparent: undefined,
    timing: undefined,
    wantsTiming,
  };
}

/**
 * Runs the inference of a request and records what the observer needs: the served version, and
 * the phase timing only when it is wanted, so the default path is the plain `infer`.
 */
export async function inferRecorded(
  record: RequestRecord | undefined,
  served: ServedModel,
  inputs: InferInputs,
  options: InferOptions,
): Promise<InferOutputs> {
  if (record === undefined) return served.model.infer(inputs, options);
  record.served = served;
  if (!record.wantsTiming) return served.model.infer(inputs, options);
  const { outputs, timing } = await served.model.inferWithTiming(inputs, options);
  record.timing = timing;
  return outputs;
}

import type { NamedTensor } from './input-generator';
import type { ModelSpec, TensorSpec } from './model-spec';

/**
 * What the load clients need from a protocol: the model's metadata, and a request built once
 * per model and then sent many times (encoding stays out of the measured loop).
 */

/** One request, encoded once and sent as often as asked. */
export interface PreparedCall {
  /** Sends the request; resolves once the whole answer arrived with a success status, else throws a RequestError. */
  send(): Promise<void>;
  /** Sends the request and decodes the outputs of the answer. */
  infer(): Promise<NamedTensor[]>;
}

/** A protocol and encoding the clients can drive. */
export interface InferTransport {
  /** What the table's "Client Type" column shows, e.g. "REST (binary)". */
  readonly clientType: string;
  /** Fetches the model's V2 metadata from the server. */
  fetchModelSpec(model: string): Promise<ModelSpec>;
  /** Encodes one request of `inputs` (in metadata order) for `spec`'s model; throws when this API cannot carry them. */
  prepare(spec: ModelSpec, inputs: NamedTensor[]): PreparedCall;
  /** The outputs an answer carries: all of them for the V2 APIs, the first one for the original predict APIs. */
  answeredOutputs(spec: ModelSpec): TensorSpec[];
  /** Releases connections. */
  close(): void;
}

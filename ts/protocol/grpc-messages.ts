/**
 * The message objects of Proton's protos as `proto-loading.ts` yields and accepts them
 * (keepCase names, defaults filled, int64 as decimal strings when received, bytes as Buffers).
 * Outgoing int64 fields may also be numbers.
 */

export type Int64 = string | number;

/** predict.Predictor's messages as proto-loader clients write and read them. */
export interface PredictRequest {
  model_name: string;
  data: number[];
  shape: number[];
}

export interface PredictResponse {
  prediction_id: string;
  model_name: string;
  data: number[];
  shape: number[];
}

/** The same messages as the server's `predict-codec.ts` decodes and encodes them: float data stays typed. */
export interface ServerPredictRequest extends Omit<PredictRequest, 'data'> {
  /** Often a view of the received message. */
  data: Float32Array;
}

export interface ServerPredictResponse extends Omit<PredictResponse, 'data'> {
  data: Float32Array;
}

export type Empty = Record<string, never>;

export interface ServerLiveResponse {
  live: boolean;
}

export interface ServerReadyResponse {
  ready: boolean;
}

export interface ModelReadyRequest {
  name: string;
  version: string;
}

export interface ModelReadyResponse {
  ready: boolean;
}

export interface ServerMetadataResponse {
  name: string;
  version: string;
  extensions: string[];
}

export type ModelMetadataRequest = ModelReadyRequest;

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: Int64[];
}

export interface ModelMetadataResponse {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  properties?: Record<string, string>;
}

/** One value of a `parameters` map; `parameter_choice` names the field that is set. */
export interface InferParameter {
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';
  bool_param?: boolean;
  int64_param?: Int64;
  string_param?: string;
  double_param?: number;
  uint64_param?: Int64;
}

export interface InferTensorContents {
  bool_contents: boolean[];
  int_contents: number[];
  int64_contents: Int64[];
  uint_contents: number[];
  uint64_contents: Int64[];
  fp32_contents: number[];
  fp64_contents: number[];
  bytes_contents: Buffer[];
}

export interface InferInputTensor {
  name: string;
  datatype: string;
  shape: Int64[];
  parameters: Record<string, InferParameter>;
  contents: InferTensorContents | null;
}

export interface InferRequestedOutputTensor {
  name: string;
  parameters: Record<string, InferParameter>;
}

export interface ModelInferRequest {
  model_name: string;
  model_version: string;
  id: string;
  parameters: Record<string, InferParameter>;
  inputs: InferInputTensor[];
  outputs: InferRequestedOutputTensor[];
  raw_input_contents: Buffer[];
}

export interface InferOutputTensor {
  name: string;
  datatype: string;
  shape: Int64[];
}

export interface ModelInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: InferOutputTensor[];
  raw_output_contents: Buffer[];
}

export interface HealthCheckRequest {
  service: string;
}

export interface HealthCheckResponse {
  status: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
}

/** Triton's ModelStatisticsRequest; the response is `V2ModelStatisticsResponse` of `statistics.ts`. */
export interface ModelStatisticsRequest {
  name: string;
  version: string;
}

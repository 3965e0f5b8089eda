import type { JsonValue } from '@bufbuild/protobuf';

/**
 * The messages of Triton's model configuration and model repository RPCs (proto/inference.proto)
 * as `proto-loading.ts` yields and accepts them; see grpc-messages.ts for the conventions.
 */

export interface ModelConfigRequest {
  name: string;
  version: string;
}

export interface ModelConfigResponse {
  /** The ModelConfig as protobuf JSON with proto field names: protobufjs's fromObject takes it as is. */
  config: JsonValue;
}

export interface RepositoryIndexRequest {
  repository_name: string;
  ready: boolean;
}

export interface RepositoryIndexResponse {
  models: Array<{ name: string; version: string; state: string; reason: string }>;
}

/** One value of a load/unload `parameters` map; `parameter_choice` names the field that is set. */
export interface ModelRepositoryParameter {
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'bytes_param';
  bool_param?: boolean;
  int64_param?: string | number;
  string_param?: string;
  bytes_param?: Buffer;
}

export interface RepositoryModelRequest {
  repository_name: string;
  model_name: string;
  parameters: Record<string, ModelRepositoryParameter>;
}

export type RepositoryModelResponse = Record<string, never>;

export { Model } from './model';
export { ProtonError, isProtonError, type ErrorCode } from './errors';
export type {
  InferInputs,
  InferOptions,
  InferOutputs,
  ModelLoadOptions,
  ModelMetadata,
  ModelStats,
  TensorInfo,
} from './model-types';
export { createTensor, type Tensor, type TensorData, type TensorType } from './tensor';
export { startServer, type RunningServer, type StartOptions } from './server/server';
export { loadConfig, parseConfig, ConfigError, type ServerConfig, type ModelConfig } from './server/config';

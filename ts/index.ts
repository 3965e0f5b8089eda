export { Model } from './model';
export { CancelFlag } from './cancel-flag';
export { ProtonError, isProtonError, type ErrorCode } from './errors';
export type {
  InferInputs,
  InferOptions,
  InferOutputs,
  ModelLoadOptions,
  ModelMetadata,
  ModelStats,
  ModelStatistics,
  InferenceStats,
  BatchSizeStats,
  PhaseTotal,
  InferTiming,
  TimedInferResult,
  TensorInfo,
} from './model-types';
export { createTensor, type BytesElement, type Tensor, type TensorData } from './protocol/tensor';
export type { TensorType } from './protocol/datatypes';
export { startServer, type RunningServer, type StartOptions } from './server/server';
export { loadConfig, parseConfig, ConfigError, type ServerConfig, type ModelConfig } from './server/config';

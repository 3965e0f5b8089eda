import type { Model } from '../model';
import type { ModelLoadOptions } from '../model-types';
import { ConfiguredModel } from './configured-model';
import { configFromLoadOptions } from './effective-config';

/**
 * Wraps a model loaded from the YAML configuration (or any `Model.load` options) so that it carries
 * the same effective ModelConfig as a repository model. Its requests keep their own timeouts.
 */
export function configuredFromOptions(name: string, model: Model, options: ModelLoadOptions): ConfiguredModel {
  const config = configFromLoadOptions(name, model.metadata, options, model.path);
  return new ConfiguredModel(model, { options, requestPolicy: { maxBatchSize: 0, defaultTimeoutUs: 0, mode: 'request' } }, config);
}

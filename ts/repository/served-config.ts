import { ProtonError } from '../errors';
import type { ModelConfig } from '../gen/model_config_pb';
import { ConfiguredModel } from './configured-model';
import type { ModelRegistry } from './model-registry';

/**
 * The effective ModelConfig of a served version (without one: the version served by default), the
 * same message whether it came from config.pbtxt, a load request's override, YAML or auto-completion.
 * @throws ProtonError NOT_FOUND/UNAVAILABLE as `registry.get`; INTERNAL for a model registered without one
 */
export function servedConfig(registry: ModelRegistry, name: string, version?: string): ModelConfig {
  const served = registry.get(name, version);
  if (!(served.model instanceof ConfiguredModel)) throw new ProtonError('INTERNAL', `model '${name}' has no configuration`);
  return served.model.config;
}

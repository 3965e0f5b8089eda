import { ProtonError } from '../errors';
import { v2ModelStatistics, type V2ModelStatisticsResponse } from '../protocol/statistics';
import type { ModelRegistry, ServedModel } from './model-registry';

/**
 * Every served model version, in registry order. The one place that enumerates versions for
 * statistics and metrics: with a versioned registry this becomes its list of every READY version.
 */
export function servedVersions(registry: ModelRegistry): ServedModel[] {
  return registry.list();
}

/**
 * The statistics Triton answers for a request: every model (no name), every version of one
 * model (no version) or one version.
 * @throws ProtonError NOT_FOUND for an unknown model or version
 */
export function statisticsOf(registry: ModelRegistry, name?: string, version?: string): V2ModelStatisticsResponse {
  let targets: ServedModel[];
  if (name === undefined || name === '') {
    targets = servedVersions(registry);
  } else if (version !== undefined && version !== '') {
    targets = [registry.get(name, version)];
  } else {
    if (!registry.has(name)) throw new ProtonError('NOT_FOUND', `unknown model '${name}'`);
    targets = servedVersions(registry).filter((served) => served.name === name);
  }
  return { model_stats: targets.map((served) => v2ModelStatistics(served.name, served.version, served.model.stats())) };
}

import { ProtonError } from '../errors';
import { v2ModelStatistics, type V2ModelStatisticsResponse } from '../protocol/statistics';
import type { ModelRegistry } from '../repository/model-registry';
import type { ServedModel } from '../repository/served-model';

/**
 * Every READY model version, in registry order: what statistics and metrics report on.
 */
export function servedVersions(registry: ModelRegistry): ServedModel[] {
  return registry.versions();
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
    targets = registry.versions(name);
  }
  return { model_stats: targets.map((served) => v2ModelStatistics(served.name, served.version, served.model.stats())) };
}
